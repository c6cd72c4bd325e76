import Core
import Sequencer

/// The poster's halted state and the two ways out of it, run offline on the bridge store
/// (the poster stopped; RocksDB's own lock refuses a store another process holds open).
///
/// Halted: `poster.challengedAt` = N in the store's `meta`: L1 no longer holds batch N, which
/// this poster had seen committed; records from N on are marked reverted and the cursor points
/// at batch N and L1's `nextBlock`.
///
/// - `rollback(toBatch: N)` (with the chain rolled back to the block before batch N first):
///   deletes the records from N on, points the cursor at batch N and the block after the kept
///   head, and clears the halt. New blocks sealed from there are posted as batch N, N+1, ….
/// - `resume()`: clears the halt only; the poster re-posts the unchanged blocks from batch N
///   (for when the operator's own replay says they were right and the challenge was wrong).
public enum PosterRecovery {
    static let challengedKey = Array("poster.challengedAt".utf8)

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case notHalted
        case aboveHead(batch: UInt64, next: UInt64)
        case notChallenged(batch: UInt64, challengedAt: UInt64)
        case live(batch: UInt64, status: String)

        public var description: String {
            switch self {
            case .notHalted: return "the poster is not halted (no challenged batch recorded): nothing to resume"
            case .aboveHead(let b, let n): return "batch \(b) is above the poster's head: the next batch it would decide is \(n)"
            case .notChallenged(let b, let c):
                return "the poster halted at batch \(c): roll back to batch \(c) (batches below it are still on L1; later ones start at \(c))"
                    + (b == c ? "" : ", not \(b)")
            case .live(let b, let s):
                return "batch \(b) is \(s): L1 may hold it, so its blocks cannot be rolled back (only batches L1 no longer holds can be)"
            }
        }
    }

    /// The challenged batch while halted, else nil.
    public static func challengedAt(_ store: BridgeStore) throws -> UInt64? {
        try store.db.get("meta", challengedKey).map(BridgeStore.uint64)
    }

    static func cursor(_ store: BridgeStore) throws -> (batch: UInt64, block: UInt64, generation: UInt64, firstOpen: UInt64) {
        (try store.metaUInt64("poster.nextBatch") ?? 0, try store.metaUInt64("poster.nextBlock") ?? 1,
         try store.metaUInt64("poster.generation") ?? 0, try store.metaUInt64("poster.firstOpen") ?? 0)
    }

    /// Clears the halt; the poster then re-posts from the challenged batch, blocks unchanged.
    /// Returns the batch it resumes at.
    @discardableResult
    public static func resume(_ store: BridgeStore) throws -> UInt64 {
        guard let n = try challengedAt(store) else { throw Error.notHalted }
        try store.db.delete("meta", challengedKey, sync: true)
        return n
    }

    /// The last L2 block to keep so that batch `n` starts right after it, checked against the
    /// poster's records; writes nothing. When halted, `n` must be the challenged batch; else
    /// every record from `n` on must be reverted (none may still be on, or on its way to, L1).
    public static func lastKeptBlock(_ store: BridgeStore, rollingBackTo n: UInt64) throws -> UInt64 {
        let c = try cursor(store)
        if let halted = try challengedAt(store), halted != n { throw Error.notChallenged(batch: n, challengedAt: halted) }
        guard n <= c.batch else { throw Error.aboveHead(batch: n, next: c.batch) }
        let records = try store.db.entries("batches", from: BridgeStore.be(n)).map { try BatchRecord(encoded: $0.value) }
        if let live = records.first(where: { $0.status != .reverted }) { throw Error.live(batch: live.index, status: "\(live.status)") }
        if let r = records.first, r.index == n { return r.firstBlock - 1 }
        guard n == c.batch else { throw Error.aboveHead(batch: n, next: c.batch) }
        return c.block - 1
    }

    /// Forgets the records from batch `n` on and points the cursor at batch `n`, block
    /// `lastKept + 1` (a new generation, so no transaction id is reused); clears the halt.
    public static func rollback(_ store: BridgeStore, toBatch n: UInt64, lastKept: UInt64) throws {
        let c = try cursor(store)
        var b = WriteBatch()
        for e in try store.db.entries("batches", from: BridgeStore.be(n)) { b.delete("batches", e.key) }
        b.put("meta", Array("poster.nextBatch".utf8), BridgeStore.be(n))
        b.put("meta", Array("poster.nextBlock".utf8), BridgeStore.be(lastKept + 1))
        b.put("meta", Array("poster.generation".utf8), BridgeStore.be(c.generation + 1))
        b.put("meta", Array("poster.firstOpen".utf8), BridgeStore.be(min(c.firstOpen, n)))
        b.delete("meta", challengedKey)
        try store.db.write(b, sync: true)
    }
}
