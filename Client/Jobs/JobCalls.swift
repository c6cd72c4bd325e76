import Core
import Sequencer

/// Builds the job transactions of docs/PROTOCOL.md §2 from what a user gives, refusing what
/// can never succeed (a zero job id, a Split whose arrays disagree) before anything is signed.
/// Checks that depend on the chain's state are the sequencer's: it runs each transaction
/// against its pending state and refuses it with the failure code (`FailureExplainer`).
public enum JobCalls {
    /// RegisterJob. `jobId` nil draws a random one.
    public static func register(jobId: JobID?, programId: UInt256, numParallel: UInt256, numEpoch: UInt256,
                                dataset: Hash32, param: Hash32, fuelLimit: UInt256, fuelPrice: UInt256,
                                deadline: UInt256) throws(ClientError) -> L2Call {
        let id = jobId ?? JobInput.randomJobId()
        guard !id.isZero else { throw .invalid("--job-id: the job id must not be zero") }
        guard !numParallel.isZero else { throw .invalid("--parallel: must be at least 1") }
        guard (try? fuelLimit.multiplied(by: fuelPrice)) != nil else {
            throw .invalid("--fuel-limit × --fuel-price does not fit 256 bits; lower one of them")
        }
        return .registerJob(.init(jobId: id, programId: programId, numParallel: numParallel, numEpoch: numEpoch,
                                  dataset: dataset, param: param, fuelLimit: fuelLimit, fuelPrice: fuelPrice, deadline: deadline))
    }

    /// One part of a Split: its dataset and fuel limit, and its SubJob id (nil: random).
    public struct Part: Sendable, Equatable {
        public var jobId: JobID?
        public var dataset: Hash32
        public var fuelLimit: UInt256
        public init(jobId: JobID? = nil, dataset: Hash32, fuelLimit: UInt256) {
            self.jobId = jobId; self.dataset = dataset; self.fuelLimit = fuelLimit
        }
    }

    /// Split of `parent` into `parts` (at most `maxParts`, the chain's `maxSplitChildren`).
    public static func split(parent: JobID, parts: [Part], maxParts: Int) throws(ClientError) -> L2Call {
        guard !parts.isEmpty else { throw .invalid("a split needs at least one part: give --dataset and --fuel-limit for each SubJob") }
        guard parts.count <= maxParts else { throw .invalid("a split makes at most \(maxParts) SubJobs on this chain; \(parts.count) parts given") }
        let ids = parts.map { $0.jobId ?? JobInput.randomJobId() }
        guard !ids.contains(where: \.isZero) else { throw .invalid("--child-id: a SubJob id must not be zero") }
        guard Set(ids).count == ids.count else { throw .invalid("--child-id: the SubJob ids must be distinct") }
        guard !ids.contains(parent) else { throw .invalid("--child-id: a SubJob cannot take its parent's id \(parent)") }
        return .split(.init(parentJob: parent, jobIds: ids, datasets: parts.map(\.dataset), fuelLimits: parts.map(\.fuelLimit)))
    }

    /// Pairs the repeated `--dataset`, `--fuel-limit` and (optional) `--child-id` values of a
    /// split command into parts, in order.
    public static func parts(datasets: [Hash32], fuelLimits: [UInt256], childIds: [JobID]) throws(ClientError) -> [Part] {
        guard datasets.count == fuelLimits.count else {
            throw .invalid("give one --fuel-limit per --dataset (\(datasets.count) datasets, \(fuelLimits.count) fuel limits)")
        }
        guard childIds.isEmpty || childIds.count == datasets.count else {
            throw .invalid("give one --child-id per --dataset, or none for random ids (\(datasets.count) datasets, \(childIds.count) ids)")
        }
        return datasets.indices.map { k in Part(jobId: childIds.isEmpty ? nil : childIds[k], dataset: datasets[k], fuelLimit: fuelLimits[k]) }
    }

    /// The job a call is about: its own id, or the parent's for Split and Aggregate (nil for Withdraw).
    public static func jobId(of call: L2Call) -> JobID? {
        switch call {
        case .registerJob(let r): return r.jobId
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id),
             .submit(let id, _, _): return id
        case .split(let s): return s.parentJob
        case .aggregate(let parent, _): return parent
        case .withdraw: return nil
        }
    }

    /// The verb a sentence uses for the call ("only the assigned node can submit").
    public static func verb(_ call: L2Call) -> String {
        switch call {
        case .registerJob: return "register"
        case .cancelJob: return "cancel"
        case .process: return "process"
        case .decline: return "decline"
        case .submit: return "submit"
        case .verify: return "verify"
        case .reject: return "reject"
        case .timeout: return "time out"
        case .split: return "split"
        case .aggregate: return "aggregate"
        case .withdraw: return "withdraw"
        }
    }
}
