import Core

/// The body of an L2 transaction: one case per EIP-712 primary type of docs/PROTOCOL.md §2.
/// Field names and order follow the pinned type strings exactly.
public enum L2Call: Hashable, Sendable {
    case registerJob(RegisterJob)
    case cancelJob(jobId: JobID)
    case process(jobId: JobID)
    case decline(jobId: JobID)
    case submit(jobId: JobID, result: Hash32, fuelUsed: UInt256)
    case verify(jobId: JobID)
    case reject(jobId: JobID)
    case timeout(jobId: JobID)
    case split(Split)
    case aggregate(parentJob: JobID, result: Hash32)
    case withdraw(amount: UInt256)

    public struct RegisterJob: Hashable, Sendable {
        public var jobId: JobID
        public var parentJob: JobID
        public var programId: UInt256
        public var numParallel: UInt256
        public var numEpoch: UInt256
        public var dataset: Hash32
        public var param: Hash32
        public var fuelLimit: UInt256
        public var fuelPrice: UInt256
        public var deadline: UInt256

        public init(jobId: JobID, parentJob: JobID = .zero, programId: UInt256, numParallel: UInt256, numEpoch: UInt256,
                    dataset: Hash32, param: Hash32, fuelLimit: UInt256, fuelPrice: UInt256, deadline: UInt256) {
            self.jobId = jobId; self.parentJob = parentJob; self.programId = programId; self.numParallel = numParallel
            self.numEpoch = numEpoch; self.dataset = dataset; self.param = param; self.fuelLimit = fuelLimit
            self.fuelPrice = fuelPrice; self.deadline = deadline
        }
    }

    public struct Split: Hashable, Sendable {
        public var parentJob: JobID
        public var jobIds: [JobID]
        public var datasets: [Hash32]
        public var fuelLimits: [UInt256]

        public init(parentJob: JobID, jobIds: [JobID], datasets: [Hash32], fuelLimits: [UInt256]) {
            self.parentJob = parentJob; self.jobIds = jobIds; self.datasets = datasets; self.fuelLimits = fuelLimits
        }
    }
}

/// A transaction whose signature has been checked: the sender is the recovered signer.
///
/// `hash` is `keccak256(digest ‖ sender)`, not the bare EIP-712 digest docs/PROTOCOL.md §2 first
/// pinned: the digest does not include the sender, so two accounts sending the same call at
/// the same nonce (two nodes racing to `Process` one job, two users' first `Withdraw` of
/// 1 EMT) would share one "hash", and receipts and the mempool could not tell them apart.
/// (sender, nonce) is unique on the chain, so this hash is. See docs/PROTOCOL.md §2.
public struct L2Transaction: Hashable, Sendable {
    /// What the sender signed.
    public let envelope: L2Envelope
    public let sender: Address
    public let hash: Hash32
    /// The binary form, `envelope.encoded`: computed once (during admission, which runs on all
    /// cores) because the mempool weighs it, the block store writes it and the seal policy
    /// budgets it.
    public let encoded: Bytes

    public var call: L2Call { envelope.call }
    public var nonce: UInt64 { envelope.nonce }
    /// 65 bytes r‖s‖v, kept so blocks and batches carry what an auditor must re-verify.
    public var signature: Bytes { envelope.signature }

    public init(envelope: L2Envelope, sender: Address, hash: Hash32) {
        self.init(envelope: envelope, sender: sender, hash: hash, encoded: envelope.encoded)
    }

    /// For a transaction read back whole from the store: `encoded` must be `envelope.encoded`.
    init(envelope: L2Envelope, sender: Address, hash: Hash32, encoded: Bytes) {
        self.envelope = envelope; self.sender = sender; self.hash = hash; self.encoded = encoded
    }

    public init(call: L2Call, nonce: UInt64, sender: Address, hash: Hash32, signature: Bytes) {
        self.init(envelope: L2Envelope(call: call, nonce: nonce, signature: signature), sender: sender, hash: hash)
    }

    /// The transaction hash of a signed digest: keccak256(digest ‖ sender).
    public static func hash(digest: Bytes, sender: Address) -> Hash32 {
        Hash32(unchecked: Keccak.hash256(digest, sender.bytes))
    }
}
