import Core
import Foundation
import Logging
import Sequencer

/// When to cut a batch (docs/PROTOCOL.md §7): by size, block count or age.
public struct BatchPolicy: Sendable {
    /// The contract's bound on `data` (EmethRollup MAX_BATCH_DATA).
    public var maxDataBytes = 65_536
    public var maxBlocks: UInt64 = 1_000
    /// Post once this much data is waiting. Under Prague's calldata floor a commit costs
    /// ~29,000 gas (base and arguments) above the floor of its data from ~5.5 KB up, more below:
    /// 10 KB keeps L1 gas within 1.08× the data's floor (docs/PERFORMANCE.md, "What L1 costs").
    public var minDataBytes = 10_000
    /// …or once the oldest unposted block is this old, whatever the size.
    public var maxAgeMs: UInt64 = 60_000
    /// Batches posted but not yet confirmed; beyond this the poster waits (backpressure).
    public var maxInFlight = 4

    public init() {}
}

/// Posts the sequencer's sealed blocks to L1 as batches, exactly once each and in order.
///
/// Every decision is persisted before it is acted on: the batch's range and calldata, then
/// the transaction (by the transaction manager, under the intent id `batch/<index>/<gen>`).
/// After `kill -9` anywhere, `step` finds the decided batch and submits the same intent
/// (which the manager answers with the transaction it already has), so no batch is posted
/// twice or skipped. The generation changes only when L1 refused or reverted a batch (a
/// pause, a failed transaction), so its re-post is a new transaction.
///
/// When L1 no longer holds a batch this poster saw committed (a guardian's challenge, or a
/// reorg deeper than the confirmations) the poster halts instead of re-posting the same
/// blocks the auditor rejected: it marks the batch and later ones reverted, moves its cursor
/// back to what L1 holds, persists "challenged at batch N" and posts nothing more until the
/// operator acts offline — `emeth sequencer rollback --to-batch N` (drop the blocks) or
/// `emeth bridge resume` (re-post them unchanged). See `PosterRecovery`.
public actor BatchPoster {
    public let chain: ChainStore
    public let rollup: RollupContract
    public let txm: TxManager
    public let assembler: BatchAssembler
    public let policy: BatchPolicy
    private let store: BridgeStore
    private let logger: Logger
    private let now: @Sendable () -> UInt64
    /// Set by tests to stop the process at a named point (see `Faults`).
    private let faults: Faults
    /// The chain's head number. In the sequencer's process the engine's lock guards the head,
    /// so the service passes a reader that takes it.
    private let headNumber: @Sendable () -> UInt64

    public init(chain: ChainStore, store: BridgeStore, rollup: RollupContract, txm: TxManager, policy: BatchPolicy = BatchPolicy(),
                faults: Faults = Faults(), headNumber: (@Sendable () -> UInt64)? = nil, logger: Logger = .discarding,
                now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.chain = chain; self.store = store; self.rollup = rollup; self.txm = txm; self.policy = policy
        self.logger = logger; self.now = now; self.faults = faults
        self.headNumber = headNumber ?? { chain.head.number }
        let g = chain.genesis
        assembler = BatchAssembler(chainId: g.chainId, rollup: g.rollup, signer: g.signer, maxDataBytes: policy.maxDataBytes)
    }

    // MARK: Persistent cursor

    private func meta(_ k: String, _ d: UInt64) throws -> UInt64 { try store.metaUInt64(k) ?? d }
    /// The next batch index and first block this poster will decide.
    public func cursor() throws -> (batch: UInt64, block: UInt64, generation: UInt64) {
        (try meta("poster.nextBatch", 0), try meta("poster.nextBlock", 1), try meta("poster.generation", 0))
    }

    /// The lowest batch index that is not final yet: everything below it is settled, so the
    /// rounds start here instead of reading a history that grows by the day.
    public func firstOpen() throws -> UInt64 { try meta("poster.firstOpen", 0) }

    /// The batch L1 dropped after this poster saw it committed, while the poster is halted;
    /// nil while it posts.
    public func challengedAt() throws -> UInt64? { try PosterRecovery.challengedAt(store) }

    public func record(_ index: UInt64) throws -> BatchRecord? {
        try store.db.get("batches", BridgeStore.be(index)).map { try BatchRecord(encoded: $0) }
    }

    /// Records from `index` on, ascending.
    public func records(from index: UInt64 = 0) throws -> [BatchRecord] {
        try store.db.entries("batches", from: BridgeStore.be(index)).map { try BatchRecord(encoded: $0.value) }
    }

    /// The batch holding L2 block `number`, if one was decided.
    public func batch(containing number: UInt64) throws -> BatchRecord? {
        // Records are few per day; a backward scan from the newest stops at the first match.
        var found: BatchRecord?
        try store.db.forEach("batches", direction: .reverse) { _, v in
            let r = try BatchRecord(encoded: v)
            if r.firstBlock <= number && number <= r.lastBlock { found = r; return false }
            return r.firstBlock > number
        }
        return found
    }

    private func save(_ r: BatchRecord, cursor: (UInt64, UInt64, UInt64)? = nil, firstOpen: UInt64? = nil) throws {
        var b = WriteBatch()
        b.put("batches", BridgeStore.be(r.index), r.encoded)
        if let firstOpen { b.put("meta", Array("poster.firstOpen".utf8), BridgeStore.be(firstOpen)) }
        if let (batch, block, gen) = cursor {
            b.put("meta", Array("poster.nextBatch".utf8), BridgeStore.be(batch))
            b.put("meta", Array("poster.nextBlock".utf8), BridgeStore.be(block))
            b.put("meta", Array("poster.generation".utf8), BridgeStore.be(gen))
        }
        try store.db.write(b, sync: true)
    }

    private func setCursor(batch: UInt64, block: UInt64, generation: UInt64) throws {
        var b = WriteBatch()
        b.put("meta", Array("poster.nextBatch".utf8), BridgeStore.be(batch))
        b.put("meta", Array("poster.nextBlock".utf8), BridgeStore.be(block))
        b.put("meta", Array("poster.generation".utf8), BridgeStore.be(generation))
        try store.db.write(b, sync: true)
    }

    // MARK: The loop

    /// What one step did, for logs and metrics.
    public struct Progress: Sendable, Equatable {
        public var decided: [UInt64] = []
        public var committed: [UInt64] = []
        public var finalized: [UInt64] = []
        public var reverted: [UInt64] = []
        /// L2 blocks sealed but not yet in any decided batch, and their stored size (counted
        /// over at most the first 10,000 of them).
        public var backlogBlocks: UInt64 = 0
        public var backlogBytes: UInt64 = 0
        public var inFlight = 0
        /// Set while the poster is halted: the batch L1 no longer holds.
        public var challengedAt: UInt64?
    }

    /// One round: drive transactions, advance statuses, reconcile with L1, maybe decide the
    /// next batch. Call it on a timer.
    @discardableResult
    public func step() async throws -> Progress {
        var p = Progress()
        try await txm.poll()
        if let halted = try challengedAt() {
            // Halted: batches below the challenged one still become final; nothing is posted.
            try await advance(&p)
            p.challengedAt = halted
            return p
        }
        try await advance(&p)
        try await reconcile(&p)
        if let halted = try challengedAt() {
            p.challengedAt = halted
            return p
        }
        let open = try records(from: try firstOpen()).filter { $0.status == .decided || $0.status == .posted }
        p.inFlight = open.count
        if open.count < policy.maxInFlight, let r = try await decide() {
            p.decided.append(r.index)
            p.inFlight += 1
        }
        let (_, nextBlock, _) = try cursor()
        let head = headNumber()
        p.backlogBlocks = head >= nextBlock ? head - nextBlock + 1 : 0
        if p.backlogBlocks > 0 {
            for n in nextBlock...min(head, nextBlock + 9_999) { p.backlogBytes += UInt64(try chain.storedBlockSize(n) ?? 0) }
        }
        if p.inFlight >= policy.maxInFlight && p.backlogBlocks > 0 {
            logger.info("poster: \(p.inFlight) batches in flight, \(p.backlogBlocks) blocks waiting (L1 is slow to confirm)")
        }
        return p
    }

    /// Moves each open record forward from what the transaction manager and L1 say.
    private func advance(_ p: inout Progress) async throws {
        var finalityPending = false  // batches become final in order: stop asking after the first that is not
        var lowestOpen = try firstOpen()
        for var r in try records(from: lowestOpen) where r.status != .final && r.status != .reverted {
            switch r.status {
            case .decided:
                faults.hit("poster.beforeSubmit")
                do {
                    let tx = try await txm.submit(TxIntent(id: r.txId, to: rollup.address, data: r.calldata))
                    faults.hit("poster.afterSubmit")
                    r.status = .posted
                    r.l1TxHash = tx.latest.hash
                    try save(r)
                    logger.info("batch \(r.index): posted blocks \(r.firstBlock)–\(r.lastBlock) (\(r.dataBytes) bytes) in \(tx.latest.hash.hex)")
                } catch let e as TxManagerError {
                    // The call would revert now (a pause, a challenge, another poster): reconcile decides.
                    logger.warning("batch \(r.index): not posted: \(e)")
                    return
                }
            case .posted:
                guard let tx = try await txm.record(id: r.txId) else { continue }
                r.l1TxHash = tx.minedHash.isEmpty ? tx.latest.hash : tx.minedHash
                if tx.state == .confirmed {
                    if tx.success {
                        r.status = .committed
                        r.l1Block = tx.minedBlock
                        r.gasUsed = tx.gasUsed
                        faults.hit("poster.beforeCommitted")
                        try save(r)
                        p.committed.append(r.index)
                        logger.info("batch \(r.index): committed in L1 block \(tx.minedBlock), gas \(tx.gasUsed)")
                    } else {
                        try await reposting(from: r.index, reason: "its transaction \(tx.minedHash.hex) reverted")
                        p.reverted.append(r.index)
                        return
                    }
                } else if tx.state == .nonceStolen {
                    try await reposting(from: r.index, reason: "its nonce was used by another transaction")
                    p.reverted.append(r.index)
                    return
                } else {
                    try save(r)
                }
            case .committed:
                if !finalityPending, try await rollup.isFinal(r.index) {
                    r.status = .final
                    if r.index == lowestOpen { lowestOpen += 1 }
                    try save(r, firstOpen: lowestOpen)
                    p.finalized.append(r.index)
                    logger.info("batch \(r.index): final")
                } else {
                    finalityPending = true
                }
            case .final, .reverted:
                continue
            }
        }
    }

    /// Compares our records with the contract: adopts L1's count when this store is new or
    /// another poster got ahead of it, and halts when L1 dropped a batch we saw committed.
    private func reconcile(_ p: inout Progress) async throws {
        let onL1 = try await rollup.batchCount()
        let (next, _, gen) = try cursor()
        // Decided here but refused by L1 at an index L1 already holds: another poster with the
        // same key committed it (the HA leader before this node). The contract takes only
        // index `batchCount`, so these can never land.
        let superseded = try records(from: try firstOpen()).filter { $0.status == .decided && $0.index < onL1 }
        if let lost = try records(from: onL1).first(where: { $0.status == .committed || $0.status == .final }) {
            try await reposting(from: lost.index, reason: "L1 no longer holds it (a guardian challenged it, or an L1 reorg)")
            p.reverted.append(lost.index)
        } else if onL1 > next, try store.db.entries("batches", limit: 1).isEmpty {
            let block = try await rollup.nextBlock()
            logger.info("poster: L1 already holds \(onL1) batches up to block \(block - 1); continuing from there")
            try setCursor(batch: onL1, block: block, generation: 0)
        } else if onL1 > next || !superseded.isEmpty {
            // A sequencer node in HA mode leading again after another node led: this store's
            // records stop where its earlier term did. Continue after L1's last batch.
            let block = try await rollup.nextBlock()
            var b = WriteBatch()
            for var r in superseded {
                r.status = .reverted
                b.put("batches", BridgeStore.be(r.index), r.encoded)
                p.reverted.append(r.index)
            }
            b.put("meta", Array("poster.nextBatch".utf8), BridgeStore.be(onL1))
            b.put("meta", Array("poster.nextBlock".utf8), BridgeStore.be(block))
            b.put("meta", Array("poster.generation".utf8), BridgeStore.be(gen + 1))
            try store.db.write(b, sync: true)
            logger.notice("poster: L1 holds \(onL1) batches up to block \(block - 1), posted by another poster; continuing from there")
        }
    }

    /// Marks `index` and every later record reverted and moves the cursor back to what L1 holds.
    /// When L1 no longer holds a batch this poster saw committed, it also halts there.
    private func reposting(from index: UInt64, reason: String) async throws {
        let onL1 = try await rollup.batchCount()
        let from = min(index, onL1)
        let lost = try records(from: onL1).first(where: { $0.status == .committed || $0.status == .final })
        let block = try await rollup.nextBlock()
        let (_, _, gen) = try cursor()
        var b = WriteBatch()
        for var r in try records(from: from) where r.status != .reverted {
            r.status = .reverted
            b.put("batches", BridgeStore.be(r.index), r.encoded)
        }
        b.put("meta", Array("poster.nextBatch".utf8), BridgeStore.be(from))
        b.put("meta", Array("poster.nextBlock".utf8), BridgeStore.be(block))
        b.put("meta", Array("poster.generation".utf8), BridgeStore.be(gen + 1))
        b.put("meta", Array("poster.firstOpen".utf8), BridgeStore.be(min(try firstOpen(), from)))
        if lost != nil { b.put("meta", PosterRecovery.challengedKey, BridgeStore.be(from)) }
        try store.db.write(b, sync: true)
        if let lost {
            logger.critical("""
                batch \(lost.index): L1 no longer holds it (a guardian challenged it, or an L1 reorg): POSTER HALTED, challenged at \
                batch \(from); nothing is posted until the operator runs `emeth sequencer rollback --to-batch \(from)` or \
                `emeth bridge resume`
                """)
        } else {
            logger.info("batch \(index): \(reason); re-posting from batch \(from), block \(block)")
        }
    }

    /// Cuts the next batch if the policy says so, persisting it (and the cursor) at once.
    private func decide() async throws -> BatchRecord? {
        let (index, first, gen) = try cursor()
        let head = headNumber()
        guard head >= first, let oldest = try chain.block(first) else { return nil }
        let born = oldest.header.timestamp * 1000, clock = now()
        let old = clock > born && clock - born >= policy.maxAgeMs
        // Cheap test first: the stored form (the batch's transactions uncompressed, plus
        // senders, hashes, outcomes and tickets) is larger than the compressed batch, so while
        // it is under min_bytes the batch is too, and encoding it (with its signature check)
        // every round would be wasted work.
        let last = min(head, first + policy.maxBlocks - 1)
        if !old && last - first + 1 < policy.maxBlocks {
            var stored = 0
            for n in first...last { stored += try chain.storedBlockSize(n) ?? 0 }
            if stored < policy.minDataBytes { return nil }
        }
        // Off the cooperative pool and at the lowest priority (admission and sealing share these
        // cores), unless the batch is overdue: then at normal priority, so no load starves posting.
        let c = try await PosterThread.batchCutting(overdue: old).run { [assembler, chain, maxBlocks = policy.maxBlocks] in
            try assembler.largest(index: index, from: first, to: head, maxBlocks: maxBlocks, store: chain)
        }
        // Full: cut by the data limit, or as many blocks as a batch may hold.
        let full = c.lastBlock < head || c.lastBlock - c.firstBlock + 1 >= policy.maxBlocks
        guard full || old || c.data.count >= policy.minDataBytes else { return nil }
        faults.hit("poster.beforeDecide")
        let r = BatchRecord(index: index, firstBlock: c.firstBlock, lastBlock: c.lastBlock, txId: "batch/\(index)/\(gen)",
                            calldata: c.calldata, dataBytes: c.data.count, decidedAtMs: now())
        try save(r, cursor: (index + 1, c.lastBlock + 1, gen))
        faults.hit("poster.afterDecide")
        logger.info("batch \(index): decided blocks \(c.firstBlock)–\(c.lastBlock), \(c.data.count) bytes")
        return r
    }
}
