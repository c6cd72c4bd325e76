import Core
import Foundation
import Sequencer

/// What the client knows when a transaction is refused or fails: the call, who sent it, the
/// job it names (the parent for Split and Aggregate) as it stands now, the sender's balance,
/// and the chain's rules.
public struct FailureContext: Sendable {
    public var call: L2Call
    public var sender: Address
    public var job: Job?
    public var balance: UInt256?
    public var chain: ChainContext

    public init(call: L2Call, sender: Address, job: Job?, balance: UInt256?, chain: ChainContext) {
        self.call = call; self.sender = sender; self.job = job; self.balance = balance; self.chain = chain
    }
}

/// Turns a failure code (docs/PROTOCOL.md §3) into a sentence about *this* transaction that
/// says what to do — "job 0x… is not assigned to you (node 0x…); only the assigned node can
/// submit" — instead of the bare code. Pure: the caller fetches the context.
public enum FailureExplainer {
    public static func sentence(_ code: FailureCode, _ c: FailureContext) -> String {
        let verb = JobCalls.verb(c.call)
        let id = JobCalls.jobId(of: c.call).map { $0.bytes.hex } ?? "?"
        let you = c.sender.checksummed
        let show = "see `emeth job show \(id)`"
        switch code {
        case .unknownJob:
            return "job \(id) does not exist on this chain; check the id (`emeth job list --owner ADDRESS` lists a requester's jobs)"
        case .jobExists:
            return "job \(id) already exists; register with another --job-id, or leave --job-id out for a random one"
        case .wrongStatus:
            guard let j = c.job else { return "job \(id) is not in a status that allows you to \(verb) it; \(show)" }
            return "job \(id) is \(j.status), but \(verb) needs it \(requiredStatus(c.call)); \(show)"
        case .notOwner:
            let owner = c.job.map { $0.owner.checksummed } ?? "another account"
            return "job \(id) belongs to \(owner), not to you (\(you)); only its owner can \(verb) it"
        case .notAssignedNode:
            let node = c.job.map { $0.node.checksummed } ?? "another account"
            return "job \(id) is not assigned to you (node \(node)); only the assigned node can \(verb)"
        case .notVerifier:
            return role("verifier", verb: "\(verb) a job", you, c.chain.genesis?.roles.verifiers)
        case .notSplitter:
            return role("splitter", verb: "split a job", you, c.chain.genesis?.roles.splitters)
        case .notAggregator:
            return role("aggregator", verb: "aggregate a job", you, c.chain.genesis?.roles.aggregators)
        case .ownerCannotProcess:
            return "job \(id) is your own (\(you) registered it), and its owner cannot process it; process it with a node's key"
        case .insufficientBalance:
            return insufficient(c)
        case .deadlinePassed:
            if case .registerJob(let r) = c.call {
                return "the deadline \(time(r.deadline)) is not after the chain's current time; pass a later --deadline"
            }
            let when = c.job.map { " " + time(UInt256($0.deadline)) } ?? ""
            return "job \(id)'s deadline\(when) has passed, so it can no longer be processed or submitted; a verifier may time it out"
        case .deadlineNotReached:
            let when = c.job.map { " " + time(UInt256($0.deadline)) } ?? ""
            return "job \(id) has not reached its deadline\(when); it can be timed out from then on"
        case .fuelExceedsLimit:
            guard case .submit(_, _, let used) = c.call, let j = c.job else { return "the fuel used is above the job's fuel limit" }
            return "fuel used \(used) is above job \(id)'s fuel limit \(j.fuelLimit); submit at most \(j.fuelLimit)"
        case .notSplittable:
            return "job \(id) has numParallel \(c.job?.numParallel.description ?? "1") and cannot be split; only a job registered with --parallel above 1 can"
        case .childrenExceedParent:
            guard case .split(let s) = c.call, let j = c.job else { return "the parts' fuel limits add up to more than the parent's" }
            let sum = s.fuelLimits.reduce(UInt256.zero) { $0 &+ $1 }
            return "the parts' fuel limits add up to \(sum), more than job \(id)'s fuel limit \(j.fuelLimit); lower them"
        case .childExists:
            return "a SubJob id is already taken; choose other --child-id values, or leave --child-id out for random ones"
        case .childrenNotVerified:
            guard let j = c.job else { return "every SubJob of job \(id) must be VERIFIED before it is aggregated" }
            return "only \(j.verifiedChildren) of job \(id)'s \(j.childCount) SubJobs are VERIFIED; aggregate once all of them are"
        case .zeroAmount:
            return "the amount must be above zero"
        case .arithmeticOverflow:
            return "the fee limit (fuel limit × fuel price) does not fit 256 bits; lower --fuel-limit or --fuel-price"
        case .invalidArguments:
            if case .split = c.call {
                return "a split needs 1 to \(c.chain.params.maxSplitChildren) parts with distinct, non-zero SubJob ids, one dataset and one fuel limit each"
            }
            return "the job id must not be zero"
        case .invalidParent:
            return "parentJob must be zero: SubJobs are created by split only"
        case .verifierIsParty:
            let party = c.job.map { $0.owner == c.sender ? "owner" : "node" } ?? "owner or node"
            return "you (\(you)) are job \(id)'s \(party), and a verifier may not judge a job it owns or processed; another verifier must \(verb) it"
        case .forcedTxInvalid, .forcedTxWrongNonce:
            return "\(code.name) is only for transactions forced through L1"
        case .priceBelowMinimum:
            let min = c.chain.params.minFuelPrice
            if case .registerJob(let r) = c.call {
                return "the fuel price \(Amount.format(r.fuelPrice)) is below this chain's minimum of \(Amount.format(min)) per unit of fuel; offer at least \(Amount.format(min))"
            }
            return "the fuel price is below this chain's minimum of \(Amount.format(min))"
        }
    }

    /// The status a call needs its job (or parent) in.
    public static func requiredStatus(_ call: L2Call) -> String {
        switch call {
        case .cancelJob, .process, .split: return "REQUESTED"
        case .decline, .submit: return "PROCESSING"
        case .verify, .reject: return "SUBMITTED"
        case .timeout: return "REQUESTED or PROCESSING"
        case .aggregate: return "SPLIT"
        case .registerJob, .withdraw: return "new"
        }
    }

    static func role(_ name: String, verb: String, _ you: String, _ holders: Set<Address>?) -> String {
        let list = holders.map { h in
            h.isEmpty ? " (this chain has none)" : " (this chain's \(name)s: \(h.sorted().map(\.checksummed).joined(separator: ", ")))"
        } ?? ""
        let a = name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return "you (\(you)) are not \(a) \(name) on this chain; only \(a) \(name)\(list) can \(verb): sign with \(a) \(name)'s key"
    }

    static func insufficient(_ c: FailureContext) -> String {
        let balance = c.balance
        func short(_ need: UInt256) -> String {
            guard let b = balance else { return "" }
            return "; deposit at least \(Amount.format(need > b ? need - b : .zero)) more with `emeth deposit`"
        }
        let has = balance.map { "your balance is \(Amount.format($0))" } ?? "your balance is too small"
        switch c.call {
        case .registerJob(let r):
            guard let f = c.chain.fees(fuelLimit: r.fuelLimit, fuelPrice: r.fuelPrice) else { break }
            return "\(has), but registering this job locks \(Amount.format(f.escrow)) (fee limit \(Amount.format(f.feeLimit)) + verifier fee \(Amount.format(f.verifierFee)))" + short(f.escrow)
        case .process(let id):
            guard let j = c.job, let f = c.chain.fees(fuelLimit: j.fuelLimit, fuelPrice: j.fuelPrice) else { break }
            return "\(has), but processing job \(id.bytes.hex) locks a deposit of \(Amount.format(f.nodeDeposit))" + short(f.nodeDeposit)
        default:
            break
        }
        return "\(has) for this; deposit more with `emeth deposit`"
    }

    /// Unix seconds with their UTC time, as deadlines are shown.
    public static func time(_ t: UInt256) -> String {
        guard let s = t.uint64, s < 253_402_300_800 else { return "\(t)" }
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return "\(s) (\(f.string(from: Date(timeIntervalSince1970: TimeInterval(s)))))"
    }
}
