import Core

/// The sequencer's core loop without any I/O of its own: transactions are admitted into the
/// mempool, inbox messages queued, and `seal` turns what is pending into a durable block.
/// The HTTP API, the clock and the L1 watcher drive it from outside.
public final class SequencerEngine: @unchecked Sendable {
    public let store: ChainStore
    public let producer: BlockProducer
    public let admission: L2Admission
    public let policy: SealPolicy
    public private(set) var mempool: Mempool
    private var pendingInbox: [InboxMessage] = []

    public init(store: ChainStore, signerKey: PrivateKey, policy: SealPolicy = SealPolicy(), mempool: Mempool = Mempool()) {
        self.store = store
        let g = store.genesis
        producer = BlockProducer(stf: StateTransition(genesis: g), signer: Signer(key: signerKey, chainId: g.chainId, rollup: g.rollup))
        admission = L2Admission(chainId: g.chainId, rollup: g.rollup)
        self.policy = policy
        self.mempool = mempool
    }

    /// Authenticates and queues one transaction; returns its hash. Nothing is sequenced yet.
    @discardableResult
    public func submit(_ env: L2Envelope, bytes: Int) throws -> Hash32 {
        let tx = try admission.authenticate(env)
        try mempoolAdd(tx, bytes: bytes)
        return tx.hash
    }

    /// Queues an already-authenticated transaction (batch admission authenticates in bulk).
    public func mempoolAdd(_ tx: L2Transaction, bytes: Int) throws {
        try mempool.add(tx, bytes: bytes, chainNonce: try store.account(tx.sender)?.nonce ?? 0)
    }

    /// Queues an L1 inbox message; they must arrive in index order, each exactly once.
    public func enqueue(_ m: InboxMessage) throws {
        let next = store.inboxCursor + UInt64(pendingInbox.count)
        guard m.index == next else { throw ChainStore.Error.corrupt("inbox message \(m.index) arrived, \(next) expected") }
        pendingInbox.append(m)
    }

    public var pendingInboxCount: Int { pendingInbox.count }

    /// When the oldest pending item arrived, and when the last block was sealed (milliseconds
    /// of the caller's clock): what the seal policy's block time is measured from.
    private var firstPendingMs: UInt64?
    private var lastSealMs: UInt64 = 0

    /// Tells the engine that something became pending at `nowMs` (the service calls this on
    /// every accepted transaction or inbox message).
    public func notePending(nowMs: UInt64) {
        if firstPendingMs == nil { firstPendingMs = nowMs }
    }

    /// Seals when the policy says so (DESIGN §7: `maxTxs`, `maxBytes`, or `blockTime` after the
    /// first pending item; a heartbeat if configured). Returns the block, or nil.
    @discardableResult
    public func sealIfDue(nowMs: UInt64) throws -> SealedBlock? {
        // Pooled transactions count towards maxTxs: a sender's queued successors become ready as
        // the block takes their predecessors, so they fill the same block.
        let reason = policy.shouldSeal(pendingTxs: mempool.count, pendingBytes: mempool.readyBytes,
                                       pendingInbox: pendingInbox.count,
                                       sincePendingMs: firstPendingMs.map { nowMs &- $0 },
                                       sinceLastSealMs: nowMs &- lastSealMs)
        guard let reason else { return nil }
        let block = try seal(timestamp: nowMs / 1_000, allowEmpty: reason == .heartbeat)
        lastSealMs = nowMs
        firstPendingMs = mempool.count + pendingInbox.count > 0 ? nowMs : nil
        return block
    }

    /// Seals a block with the pending inbox messages and up to `policy.maxTxs` ready
    /// transactions, makes it durable, and returns it (nil when there is nothing to seal and
    /// `allowEmpty` is false).
    @discardableResult
    public func seal(timestamp: UInt64, allowEmpty: Bool = false) throws -> SealedBlock? {
        let txs = mempool.take(maxTxs: policy.maxTxs, maxBytes: policy.maxBytes)
        guard !txs.isEmpty || !pendingInbox.isEmpty || allowEmpty else { return nil }
        var state = store.begin()
        var tree = store.tree
        let out = try producer.produce(parent: store.head.header, timestamp: timestamp, inbox: pendingInbox, transactions: txs,
                                       state: &state, tree: &tree)
        try store.commit(out.block, state: state)
        pendingInbox.removeAll()
        return out.block
    }
}
