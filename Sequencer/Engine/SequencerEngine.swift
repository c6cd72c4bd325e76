import Core

/// The sequencer's core loop without any I/O of its own: transactions are admitted into the
/// mempool, inbox messages queued, and `seal` turns what is pending into a durable block.
/// The HTTP API, the clock and the L1 watcher drive it from outside.
public final class SequencerEngine {
    public let store: ChainStore
    /// Executes blocks; `signer` then signs them. Only the sequencer holds the key.
    public let producer: BlockProducer
    public let signer: Signer
    public let admission: L2Admission
    public let policy: SealPolicy
    public private(set) var mempool: Mempool
    private var pendingInbox: [InboxMessage] = []

    public init(store: ChainStore, signerKey: PrivateKey, policy: SealPolicy = SealPolicy(), mempool: Mempool = Mempool()) {
        self.store = store
        let g = store.genesis
        producer = BlockProducer(stf: StateTransition(genesis: g))
        signer = Signer(key: signerKey, chainId: g.chainId, rollup: g.rollup)
        admission = L2Admission(chainId: g.chainId, rollup: g.rollup)
        self.policy = policy
        self.mempool = mempool
    }

    /// Authenticates and queues one transaction; returns its hash. Nothing is sequenced yet.
    @discardableResult
    public func submit(_ env: L2Envelope, nowMs: UInt64 = 0) throws -> Hash32 {
        let tx = try admission.authenticate(env)
        try mempoolAdd(tx, nowMs: nowMs)
        return tx.hash
    }

    /// Transactions that entered a block and failed there although admission ran them
    /// against the pending state: races (another transaction got there first, a deadline
    /// passed in between) that admission cannot see. Bounded by what admission let in.
    public private(set) var failedAfterAdmission = 0

    /// Queues an already-authenticated transaction (batch admission authenticates in bulk),
    /// after checking it against the pending state (`AdmissionRefusal`):
    /// - the sender must hold something (balance or credit) or have a role;
    /// - if it is next in its sender's line, it is executed on the pending state (committed
    ///   state + pending inbox + admitted transactions) and refused if it would fail;
    /// - a transaction further ahead waits unchecked (the mempool bounds and expires those).
    public func mempoolAdd(_ tx: L2Transaction, nowMs: UInt64 = 0) throws {
        let size = BatchCodec.encodedSize(tx)
        guard size <= policy.blockBudget else { throw AdmissionRefusal.tooLarge(bytes: size, limit: policy.blockBudget) }
        var state = try takePending()
        defer { pending = state }
        let before = try state.account(tx.sender)
        let committed = try committedNonce(tx.sender)
        guard try holdsSomething(tx.sender, before, committedNonce: committed) else { throw AdmissionRefusal.emptyAccount(tx.sender) }
        try mempool.add(tx, bytes: size, chainNonce: committed, nowMs: nowMs)
        guard before.nonce == tx.nonce else { return }
        if let failure = try stf.apply(tx, time: admissionTime(nowMs), to: &state) {
            try state.setAccount(tx.sender, before)
            mempool.remove(tx)
            throw AdmissionRefusal.wouldFail(failure)
        }
        // Successors that were waiting for this one now run on the pending state too.
        var next = tx.nonce + 1
        while let succ = mempool.queued(tx.sender, nonce: next) {
            _ = try stf.apply(succ, time: admissionTime(nowMs), to: &state)
            next += 1
        }
    }

    var stf: StateTransition { producer.executor.stf }

    /// Senders' nonces in the newest state (the newest block in flight, else the committed
    /// one), read once per sender between seals: a round of admissions asks for the same few
    /// senders again and again, and each read was a RocksDB get and a decode. Emptied whenever
    /// the newest state moves (a block executed or acknowledged).
    private var newestNonces: [Address: UInt64] = [:]

    private func committedNonce(_ a: Address) throws -> UInt64 {
        if let n = newestNonces[a] { return n }
        let n = try newest?.state.account(a).nonce ?? store.account(a)?.nonce ?? 0
        newestNonces[a] = n
        return n
    }

    /// The nonce `a`'s next transaction must carry: its nonce in the newest state (the newest
    /// block being sealed, if any) plus its transactions queued in the mempool without a gap. A
    /// client that signs several transactions in a row without waiting for each to be sealed
    /// asks for this rather than the committed nonce, which its queued transactions already took.
    public func nextNonce(_ a: Address) throws -> UInt64 {
        var n = try newest?.state.account(a).nonce ?? store.account(a)?.nonce ?? 0
        while mempool.queued(a, nonce: n) != nil { n += 1 }
        return n
    }

    /// Whether `a` may send at all: it has a balance or credit, a role, a job as owner or node
    /// (its funds may all sit in an escrow or a node deposit), or transactions already admitted
    /// in the pending state (`pendingAccount.nonce` ahead of the committed nonce).
    func holdsSomething(_ a: Address, _ pendingAccount: Account, committedNonce: UInt64) throws -> Bool {
        let r = stf.roles
        if !pendingAccount.balance.isZero || !pendingAccount.credit.isZero || pendingAccount.nonce > committedNonce
            || r.verifiers.contains(a) || r.splitters.contains(a) || r.aggregators.contains(a) { return true }
        return try !JobIndex.page(store, .init(owner: a), limit: 1, after: nil).jobs.isEmpty
            || !JobIndex.page(store, .init(node: a), limit: 1, after: nil).jobs.isEmpty
    }

    /// Block time as admission sees it: now, but never before the head.
    func admissionTime(_ nowMs: UInt64) -> UInt64 { max(nowMs / 1_000, newest?.executed.header.timestamp ?? store.head.header.timestamp) }

    /// The state admission checks against, built on demand after each seal: the committed
    /// state, the pending inbox, and the pool's transactions that are next in their senders'
    /// lines, in arrival order. Taken out of `pending` while in use so it is mutated in place.
    private var pending: WorldState?

    private func takePending() throws -> WorldState {
        if let p = pending {
            pending = nil
            return p
        }
        var s = newest?.state ?? store.begin()
        let time = newest?.executed.header.timestamp ?? store.head.header.timestamp
        for m in pendingInbox.dropFirst(inFlightInbox.count) { try stf.apply(m, time: time, to: &s) }
        // As admission ran them: each transaction when it arrived if its sender's line had
        // reached it, else (it arrived ahead of a gap) right after the transaction that filled
        // the gap — never before anything that arrived before that one.
        let arrivals = mempool.inArrivalOrder
        var position: [Hash32: Int] = [:]
        for (i, tx) in arrivals.enumerated() { position[tx.hash] = i }
        for (i, tx) in arrivals.enumerated() where try s.account(tx.sender).nonce == tx.nonce {
            _ = try stf.apply(tx, time: time, to: &s)
            var next = tx.nonce + 1
            while let succ = mempool.queued(tx.sender, nonce: next), let p = position[succ.hash], p < i {
                _ = try stf.apply(succ, time: time, to: &s)
                next += 1
            }
        }
        return s
    }

    /// Queues an L1 inbox message; they must arrive in index order, each exactly once.
    public func enqueue(_ m: InboxMessage) throws {
        let next = store.inboxCursor + UInt64(pendingInbox.count)
        guard m.index == next else { throw ChainStore.Error.corrupt("inbox message \(m.index) arrived, \(next) expected") }
        if pending != nil {
            var state = try takePending()
            defer { pending = state }
            try stf.apply(m, time: admissionTime(0), to: &state)
        }
        pendingInbox.append(m)
        pendingInboxBytes += BatchCodec.encodedSize(m)
    }

    private var pendingInboxBytes = 0

    public var pendingInboxCount: Int { pendingInbox.count }

    /// When the oldest pending item arrived, and when the last block was sealed (milliseconds
    /// of the caller's clock): what the seal policy's block time is measured from.
    private var firstPendingMs: UInt64?
    private var lastSealMs: UInt64 = 0

    /// Tells the engine that something became pending at `nowMs` (the service calls this on
    /// every accepted transaction or inbox message). The block time starts with the first item
    /// a block could take: a transaction behind a gap starts it only once the gap is filled.
    public func notePending(nowMs: UInt64) {
        guard firstPendingMs == nil else { return }
        let w = waiting(nowMs: nowMs)
        if w.txs + w.inbox > 0 { firstPendingMs = nowMs }
    }

    /// Seals when the policy says so (`maxTxs`, the block's byte budget, `maxInboxPerBlock`,
    /// or `blockTime` after the first pending item; a heartbeat if configured). Returns the
    /// durable block, or nil.
    @discardableResult
    public func sealIfDue(nowMs: UInt64) throws -> SealedBlock? {
        requireNothingInFlight()
        guard let p = try executeSealIfDue(nowMs: nowMs)?.signed(by: signer) else { return nil }
        try store.write(p.batch)
        return endSeal(p)
    }

    /// `sealIfDue`'s first stage (`ExecutedSeal`): executes the next block when the policy says
    /// so, on the newest state — the block still being made durable, if there is one.
    public func executeSealIfDue(nowMs: UInt64) throws -> ExecutedSeal? {
        // A sender's queued successors count towards maxTxs and the byte budget: they become
        // ready as the block takes their predecessors, so they fill the same block. Transactions
        // behind a gap do not: no block can take them.
        mempool.expireFuture(nowMs: nowMs)
        let w = waiting(nowMs: nowMs)
        let reason = policy.shouldSeal(pendingTxs: w.txs, pendingBytes: w.bytes, pendingInbox: w.inbox,
                                       sincePendingMs: w.sincePendingMs, sinceLastSealMs: w.sinceLastSealMs)
        guard let reason, inFlight.count < Self.maxInFlight else { return nil }
        let p = try executeSeal(timestamp: nowMs / 1_000, allowEmpty: reason == .heartbeat)
        lastSealMs = nowMs
        let left = waiting(nowMs: nowMs)
        firstPendingMs = left.txs + left.inbox > 0 ? nowMs : nil
        return p
    }

    /// What waits for the next block as the seal policy weighs it: the transactions a block
    /// could take in turn and their bytes, and the inbox messages no block in flight took (and
    /// their bytes). One place for `executeSealIfDue` and `nextSealDueMs`, so the two never
    /// weigh differently.
    private func waiting(nowMs: UInt64) -> (txs: Int, bytes: Int, inbox: Int, sincePendingMs: UInt64?, sinceLastSealMs: UInt64) {
        let taken = inFlightInbox
        return (mempool.takeableCount, mempool.takeableBytes + pendingInboxBytes - taken.bytes, pendingInbox.count - taken.count,
                firstPendingMs.map { nowMs &- $0 }, nowMs &- lastSealMs)
    }

    /// When `executeSealIfDue` will next seal if nothing else happens, in milliseconds of the
    /// caller's clock (`nowMs` when it would seal now), or nil when only an event can change
    /// that: an admission, an inbox message, or the acknowledgement of a block when
    /// `maxInFlight` are in flight. The sealing thread sleeps until then instead of polling,
    /// and whatever changes what is pending asks again under the same lock and wakes the
    /// thread if the answer came earlier. Transactions waiting for their gaps make no block
    /// due (no block could take them); only the oldest one's expiry is, to drop it.
    public func nextSealDueMs(nowMs: UInt64) -> UInt64? {
        guard inFlight.count < Self.maxInFlight else { return nil }
        let w = waiting(nowMs: nowMs)
        let expiry = mempool.nextExpiryMs()
        guard let due = policy.dueInMs(pendingTxs: w.txs, pendingBytes: w.bytes, pendingInbox: w.inbox,
                                       sincePendingMs: w.sincePendingMs, sinceLastSealMs: w.sinceLastSealMs) else { return expiry }
        let at = nowMs &+ due < nowMs ? UInt64.max : nowMs + due
        return min(at, expiry ?? .max)
    }

    /// Seals a block with pending inbox messages (at most `maxInboxPerBlock`) and ready
    /// transactions (at most `maxTxs`), all within the block's byte budget so a batch can
    /// always carry it; makes it durable and returns it (nil when there is nothing to seal and
    /// `allowEmpty` is false). What does not fit waits for the next block.
    @discardableResult
    public func seal(timestamp: UInt64, allowEmpty: Bool = false) throws -> SealedBlock? {
        requireNothingInFlight()
        guard let p = try beginSeal(timestamp: timestamp, allowEmpty: allowEmpty) else { return nil }
        try store.write(p.batch)
        return endSeal(p)
    }

    /// The synchronous `seal` writes its block at once: with a block of the pipeline still in
    /// flight that write would overtake it (a caller's bug, not a state of the chain).
    private func requireNothingInFlight() {
        precondition(inFlight.isEmpty, "a synchronous seal while block \(inFlight.first?.number ?? 0) is in flight")
    }

    /// The blocks executed and not yet acknowledged, oldest first: at most `maxInFlight` — one
    /// being made durable and the next, executed on its in-memory state meanwhile (a pipeline of
    /// depth one). They are acknowledged strictly in order (`endSeal`).
    private var inFlight: [ExecutedSeal] = []
    public static let maxInFlight = 2

    /// The newest executed block: what the next block, admission and nonces build on.
    private var newest: ExecutedSeal? { inFlight.last }

    /// Inbox messages (and their bytes) the blocks in flight took; they leave `pendingInbox`
    /// only when their block is acknowledged.
    private var inFlightInbox: (count: Int, bytes: Int) {
        inFlight.reduce((0, 0)) { ($0.0 + $1.inboxCount, $0.1 + $1.inboxBytes) }
    }

    /// Blocks executed and not yet acknowledged (0, 1 or 2).
    public var inFlightCount: Int { inFlight.count }

    /// `seal` up to the durable write: both stages at once, signed on the caller's thread.
    public func beginSeal(timestamp: UInt64, allowEmpty: Bool = false) throws -> SealInProgress? {
        try executeSeal(timestamp: timestamp, allowEmpty: allowEmpty)?.signed(by: signer)
    }

    /// `seal`'s first stage: executes a block with pending inbox messages and ready
    /// transactions on the newest state — the committed one, or the block still being made
    /// durable (its records from memory, its tree nodes from the node store's unwritten ones).
    /// Nil when nothing is pending (and not `allowEmpty`) or `maxInFlight` blocks are in flight.
    public func executeSeal(timestamp: UInt64, allowEmpty: Bool = false) throws -> ExecutedSeal? {
        guard inFlight.count < Self.maxInFlight else { return nil }
        let budget = policy.blockBudget
        var inboxBytes = 0
        var inboxCount = 0
        for m in pendingInbox.dropFirst(inFlightInbox.count).prefix(policy.maxInboxPerBlock) {
            let b = BatchCodec.encodedSize(m)
            if inboxBytes + b > budget { break }
            inboxBytes += b
            inboxCount += 1
        }
        let inbox = Array(pendingInbox.dropFirst(inFlightInbox.count).prefix(inboxCount))
        let txs = mempool.take(maxTxs: policy.maxTxs, maxBytes: budget - inboxBytes)
        guard !txs.isEmpty || !inbox.isEmpty || allowEmpty else { return nil }
        var state: WorldState
        var tree: SparseMerkleTree
        if let parent = newest {
            state = WorldState(base: UnwrittenBlockState(parent.state, over: store), totals: parent.state.totals,
                               inboxCursor: parent.state.inboxCursor)
            tree = SparseMerkleTree(store: store.nodes, root: try SMTHash(parent.executed.header.stateRoot.bytes))
        } else {
            state = store.begin()
            tree = store.tree
        }
        let executed = try producer.execute(parent: newest?.executed.header ?? store.head.header, timestamp: timestamp,
                                            inbox: inbox, transactions: txs, state: &state, tree: &tree)
        let p = ExecutedSeal(executed: executed, batch: try store.prepareState(state), state: state, inboxCount: inboxCount,
                             inboxBytes: inboxBytes, hashes: Set(executed.transactions.map(\.hash)))
        inFlight.append(p)
        pending = nil
        newestNonces.removeAll(keepingCapacity: true)
        return p
    }

    /// After the block's batch is durable: the head moves and the block is acknowledged. Blocks
    /// are acknowledged in the order they were executed: `p` must be the oldest in flight.
    @discardableResult
    public func endSeal(_ p: SealInProgress) -> SealedBlock {
        precondition(inFlight.first?.number == p.block.number, "block \(p.block.number) acknowledged out of order")
        let done = inFlight.removeFirst()
        store.didWrite(p.block.header, state: p.state)
        newestNonces.removeAll(keepingCapacity: true)
        pendingInbox.removeFirst(p.inboxCount)
        pendingInboxBytes -= done.inboxBytes
        failedAfterAdmission += p.block.receipts.filter { $0.failure != nil }.count
        // `pending` stays: it was built on the newest executed block (this one or the one after
        // it), which is unchanged; rebuilding it re-ran every pooled transaction under the lock
        // at each acknowledgement, while the next block's transactions were being admitted.
        return p.block
    }

    /// Whether `hash` waits to be sequenced: in the mempool, or in a block being made durable.
    public func isPending(_ hash: Hash32) -> Bool { mempool.contains(hash) || inFlight.contains { $0.hashes.contains(hash) } }
}
