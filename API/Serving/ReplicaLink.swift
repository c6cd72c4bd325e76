import Core

/// What a follower (a read replica, `emeth follower run`) adds to the chain it serves: the
/// leader it was served its blocks by, to which it forwards what only the leader can answer
/// (transactions, the pending nonce, receipts of transactions it has not applied yet), and how
/// far behind that leader it is. The API owns this interface and the `Node` target implements
/// it, as for `ServedChain`. Called from request handlers on any thread; `replication` must
/// answer from memory.
public protocol ReplicaLink: Sendable {
    /// The leader's API URL.
    var leader: String { get }
    /// Calls `method` on the leader with `params` (positional, as the client gave them) and returns
    /// its result. The leader's JSON-RPC error is thrown as that `RPCError` (its code and
    /// message); a leader that cannot be reached as -32005.
    func forward(_ method: String, params: [JSONValue]) async throws -> JSONValue
    /// The follower's state for `/health` and `/metrics`.
    var replication: ReplicationStatus { get }
}

/// How a follower stands: its lag behind the leader, the block it refuses (if any) and, when
/// it audits L1, the last batch it checked and the first that diverged.
public struct ReplicationStatus: Sendable, Equatable {
    /// Something that failed a check, named by its field (a block the follower refuses, or a
    /// batch whose L1 commitment disagrees with the follower's verified blocks).
    public struct Problem: Sendable, Equatable {
        public var block: UInt64?
        public var batch: UInt64?
        public var field: String
        public var expected: String
        public var found: String
        /// One line naming the place, the field and both values.
        public var message: String

        public init(block: UInt64? = nil, batch: UInt64? = nil, field: String, expected: String, found: String, message: String) {
            self.block = block; self.batch = batch; self.field = field; self.expected = expected; self.found = found; self.message = message
        }
    }

    /// The leader's head at the last successful fetch, nil before the first.
    public var leaderHead: UInt64?
    /// Seconds since this process last applied a block, nil before the first.
    public var secondsSinceLastBlock: Double?
    /// Blocks this process verified and stored.
    public var applied: UInt64 = 0
    /// The block refused now (the follower does not advance past it), or nil.
    public var refusal: Problem?
    /// Blocks refused since start (the same block refused again counts once).
    public var refusals: UInt64 = 0
    /// Why the last fetch from the leader failed, or nil when it succeeded.
    public var leaderError: String?
    /// Whether this follower audits L1 commitments (`--l1`).
    public var auditing = false
    /// The newest L1 batch that agreed with the follower's blocks, nil before the first.
    public var auditedBatch: UInt64?
    /// The first L1 batch that did not, or nil.
    public var divergence: Problem?

    public init() {}
}
