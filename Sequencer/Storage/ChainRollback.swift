import Core
import Foundation

/// `emeth sequencer rollback`: truncates a stopped sequencer's chain to block `target`, as if
/// the later blocks had never been sealed — state records, state tree (its root is block
/// `target`'s: tree nodes are never deleted), tickets, totals, inbox cursor and head — and
/// keeps the transactions of the dropped blocks so the next `sequencer run` puts them back into
/// the mempool (`readmit`). Inbox messages of the dropped blocks need no keeping: the inbox
/// cursor goes back with the head and the watcher reads them from L1 again.
///
/// The state at `target` is rebuilt by re-executing blocks 1…`target` from the store (the
/// store keeps no undo log) into a scratch store; every re-executed header must hash to the
/// stored one. Everything the truncation changes is one synced write; the store is then
/// reopened, which recomputes the state root from the records. Running it again with the same
/// target changes nothing.
public enum ChainRollback {
    static let pendingKey = Array("rollback.pending".utf8)
    /// The inbox cursor the dropped blocks had reached: re-admission waits until the inbox is
    /// back there, so a transaction is never re-executed before the deposit it relied on.
    static let cursorKey = Array("rollback.inboxCursor".utf8)
    static let markerPrefix = Array("rolledBack/".utf8)

    public enum Error: Swift.Error, CustomStringConvertible {
        case aboveHead(target: UInt64, head: UInt64)
        case replayMismatch(block: UInt64)

        public var description: String {
            switch self {
            case .aboveHead(let t, let h): return "cannot roll back to block \(t): the chain's head is block \(h)"
            case .replayMismatch(let b): return "re-executing stored block \(b) gives another header: the store is inconsistent; nothing was changed"
            }
        }
    }

    public struct Outcome: Sendable, Equatable {
        public let oldHead: UInt64
        public let newHead: UInt64
        /// Transactions of the dropped blocks, kept for re-admission.
        public let droppedTransactions: Int
        public let inboxCursor: UInt64
    }

    /// Rolls the chain at `path` back to block `target`. Fails without changing anything when
    /// the store cannot be opened (another process holds it) or `target` is above the head.
    public static func truncate(path: String, genesis: Genesis, to target: UInt64, workDirectory: String? = nil) throws -> Outcome {
        let store = try ChainStore(path: path, genesis: genesis)
        defer { store.db.close() }
        let head = store.head.number
        guard target <= head else { throw Error.aboveHead(target: target, head: head) }
        guard target < head else {
            return Outcome(oldHead: head, newHead: head, droppedTransactions: 0, inboxCursor: store.inboxCursor)
        }

        // 1. The state at `target`, by re-executing the stored blocks into a scratch store.
        let scratchDir = (workDirectory ?? FileManager.default.temporaryDirectory.path) + "/emeth-rollback-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratchDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratchDir) }
        let scratch = try ChainStore(path: scratchDir + "/chain", genesis: genesis)
        defer { scratch.db.close() }
        let producer = BlockProducer(stf: StateTransition(genesis: genesis))  // executes; nothing is signed again
        var tickets: [Address: Ticket] = [:]
        if target > 0 {
            for n in 1...target {
                guard let b = try store.block(n) else { throw ChainStore.Error.corrupt("block \(n) missing") }
                var state = scratch.begin()
                var tree = scratch.tree
                let out = try producer.execute(parent: scratch.head.header, timestamp: b.header.timestamp, inbox: b.inbox,
                                               transactions: b.transactions, state: &state, tree: &tree)
                guard out.header.hash == b.header.hash else { throw Error.replayMismatch(block: n) }
                try scratch.commitState(out.header, state: state)
                for t in b.tickets { tickets[t.account] = t }
            }
        }
        guard let kept = try store.block(target), let totals = try store.totals(at: target) else {
            throw ChainStore.Error.corrupt("block \(target) or its totals missing")
        }

        // 2. One write: state records, tickets, dropped blocks and their indexes, head.
        var batch = WriteBatch()
        try store.db.forEach("state") { k, _ in batch.delete("state", k); return true }
        try scratch.db.forEach("state") { k, v in batch.put("state", k, v); return true }
        try store.db.forEach("tickets") { k, _ in batch.delete("tickets", k); return true }
        for t in tickets.values { batch.put("tickets", t.account.bytes, RLP.encode(BlockCodec.encode(t))) }
        var dropped: [L2Transaction] = []
        for n in (target + 1)...head {
            guard let b = try store.block(n) else { throw ChainStore.Error.corrupt("block \(n) missing") }
            dropped += b.transactions
            for tx in b.transactions { batch.delete("txs", tx.hash.bytes) }
            batch.delete("hashes", b.hash.bytes)
            batch.delete("blocks", n.bigEndian8)
            batch.delete("totals", n.bigEndian8)
        }
        batch.put("meta", ChainStore.headKey, target.bigEndian8)
        batch.put("meta", ChainStore.totalsKey, StateEncoding.encode(totals))
        batch.put("meta", ChainStore.cursorKey, kept.header.inboxCursor.bigEndian8)
        // Dropped transactions wait for re-admission, after any earlier rollback's that still wait.
        var waiting = try pending(store.db).filter { try store.db.get("txs", $0.hash.bytes) == nil }
        let newHashes = Set(dropped.map(\.hash))
        waiting = waiting.filter { !newHashes.contains($0.hash) } + dropped
        batch.put("meta", pendingKey, RLP.encode(.list(waiting.map(encode))))
        let reached = max(store.inboxCursor, try store.db.get("meta", cursorKey).map { UInt64(bigEndian8: $0) } ?? 0)
        batch.put("meta", cursorKey, reached.bigEndian8)
        for tx in dropped { batch.put("meta", markerPrefix + tx.hash.bytes, []) }
        try store.db.write(batch, sync: true)
        store.db.close()
        // 3. Reopening checks the state records against block `target`'s state root.
        let reopened = try ChainStore(path: path, genesis: genesis)
        reopened.db.close()
        return Outcome(oldHead: head, newHead: target, droppedTransactions: dropped.count, inboxCursor: kept.header.inboxCursor)
    }

    /// What became of a transaction a rollback dropped, for its receipt.
    public enum Status: Sendable, Equatable {
        /// Waiting to be (or already back in the mempool to be) sequenced again.
        case waiting
        /// Refused when re-admitted: no longer valid.
        case refused(String)
    }

    /// The rollback status of `hash`, or nil if no rollback dropped it.
    public static func status(of hash: Hash32, in db: RocksDB) throws -> Status? {
        guard let v = try db.get("meta", markerPrefix + hash.bytes) else { return nil }
        return v.isEmpty ? .waiting : .refused(String(decoding: v, as: UTF8.self))
    }

    /// The dropped transactions that wait for re-admission, in their original order.
    public static func pending(_ db: RocksDB) throws -> [L2Transaction] {
        guard let v = try db.get("meta", pendingKey) else { return [] }
        return try RLP.decode(v).listValue("rolled-back transactions").map(decode)
    }

    public struct Readmission: Sendable, Equatable {
        public var accepted: [Hash32] = []
        public var refused: [(Hash32, String)] = []
        public static func == (a: Readmission, b: Readmission) -> Bool {
            a.accepted == b.accepted && a.refused.map(\.0) == b.refused.map(\.0) && a.refused.map(\.1) == b.refused.map(\.1)
        }
    }

    /// Puts the transactions a rollback dropped back into `engine`'s mempool, re-validated
    /// (signature against this chain's domain, then the mempool's nonce rules). Refused ones get
    /// their reason recorded for the receipt. Already sequenced or refused ones are skipped, so
    /// calling it on every start is safe (the list is kept until the next rollback: the mempool
    /// itself is not durable).
    public static func readmit(_ engine: SequencerEngine, nowMs: UInt64) throws -> Readmission {
        try readmit(engine, nowMs: nowMs, waitForInbox: false)!
    }

    /// The inbox cursor re-admission waits for (0 when nothing waits).
    public static func awaitedInboxCursor(_ db: RocksDB) throws -> UInt64 {
        try db.get("meta", cursorKey).map { UInt64(bigEndian8: $0) } ?? 0
    }

    /// `readmit`, but nil (nothing done) while the inbox — applied plus queued — has not yet
    /// reached where the dropped blocks had it: their deposits come back first, through the
    /// inbox watcher, and the transactions are re-admitted in the same lock section as the
    /// last of them, so they seal after them.
    public static func readmit(_ engine: SequencerEngine, nowMs: UInt64, waitForInbox: Bool) throws -> Readmission? {
        let db = engine.store.db
        if waitForInbox, engine.store.inboxCursor + UInt64(engine.pendingInboxCount) < (try awaitedInboxCursor(db)) { return nil }
        var out = Readmission()
        var refusals = WriteBatch()
        for tx in try pending(db) {
            guard try engine.store.location(of: tx.hash) == nil, try status(of: tx.hash, in: db) == .waiting,
                  !engine.mempool.contains(tx.hash) else { continue }
            do {
                let checked = try engine.admission.authenticate(tx.envelope)
                try engine.mempoolAdd(checked, nowMs: nowMs)
                out.accepted.append(tx.hash)
            } catch {
                let reason = "\(error)"
                out.refused.append((tx.hash, reason))
                refusals.put("meta", markerPrefix + tx.hash.bytes, Array(reason.utf8))
            }
        }
        if !out.refused.isEmpty { try db.write(refusals, sync: true) }
        if !out.accepted.isEmpty { engine.notePending(nowMs: nowMs) }
        return out
    }

    /// A dropped transaction as the store keeps it (`BlockCodec`'s `[tx, sender, hash]`).
    static func encode(_ tx: L2Transaction) -> RLPItem { .list(BlockCodec.encode(tx)) }

    static func decode(_ item: RLPItem) throws -> L2Transaction {
        let t = try item.listValue("rolled-back transaction")
        guard t.count == 3 else { throw ChainStore.Error.corrupt("rolled-back transaction with \(t.count) fields") }
        return try BlockCodec.decodeTransaction(t)
    }
}
