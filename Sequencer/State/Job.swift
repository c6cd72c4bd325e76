import Core

/// Job statuses: EmethCore's numbers (1–8) plus SPLIT and COMPLETED for parents (docs/PROTOCOL.md §3).
public enum JobStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case requested = 1, processing = 2, submitted = 3, verified = 4, canceled = 5
    case timeout = 6, failed = 7, declined = 8, split = 9, completed = 10

    public var description: String {
        switch self {
        case .requested: return "REQUESTED"
        case .processing: return "PROCESSING"
        case .submitted: return "SUBMITTED"
        case .verified: return "VERIFIED"
        case .canceled: return "CANCELED"
        case .timeout: return "TIMEOUT"
        case .failed: return "FAILED"
        case .declined: return "DECLINED"
        case .split: return "SPLIT"
        case .completed: return "COMPLETED"
        }
    }
}

/// A job: EmethCore's fields plus what the rollup tracks (escrow, node deposit, children).
public struct Job: Hashable, Sendable {
    public var id: JobID
    public var owner: Address
    public var parentJob: JobID
    public var programId: UInt256
    public var numParallel: UInt256
    public var numEpoch: UInt256
    public var dataset: Hash32
    public var param: Hash32
    public var fuelLimit: UInt256
    public var fuelPrice: UInt256
    public var deadline: UInt64
    public var status: JobStatus
    /// The node that declared it will process the job (zero until Process).
    public var node: Address
    public var fuelUsed: UInt256
    public var result: Hash32
    /// What the requester locked: feeLimit + verifier fee.
    public var escrow: UInt256
    /// What the node locked on Process: feeLimit + verifier fee.
    public var nodeDeposit: UInt256
    /// SubJobs created by Split, and how many of them are VERIFIED; Aggregate needs all.
    public var childCount: UInt64
    public var verifiedChildren: UInt64
    public var createdAt: UInt64
    public var updatedAt: UInt64

    public var feeLimit: UInt256 { fuelLimit &* fuelPrice }

    /// Every field, for clients that rebuild a job from the API's JSON (Client/Jobs).
    public init(id: JobID, owner: Address, parentJob: JobID, programId: UInt256, numParallel: UInt256, numEpoch: UInt256,
                dataset: Hash32, param: Hash32, fuelLimit: UInt256, fuelPrice: UInt256, deadline: UInt64, status: JobStatus,
                node: Address, fuelUsed: UInt256, result: Hash32, escrow: UInt256, nodeDeposit: UInt256, childCount: UInt64,
                verifiedChildren: UInt64, createdAt: UInt64, updatedAt: UInt64) {
        self.id = id; self.owner = owner; self.parentJob = parentJob; self.programId = programId; self.numParallel = numParallel
        self.numEpoch = numEpoch; self.dataset = dataset; self.param = param; self.fuelLimit = fuelLimit; self.fuelPrice = fuelPrice
        self.deadline = deadline; self.status = status; self.node = node; self.fuelUsed = fuelUsed; self.result = result
        self.escrow = escrow; self.nodeDeposit = nodeDeposit; self.childCount = childCount; self.verifiedChildren = verifiedChildren
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
