import Core
import Foundation

/// The state tree's nodes in RocksDB (family "smt": node hash → 65-byte node encoding).
///
/// New nodes are not written on `put`: they wait in memory until `commit(into:)` moves them
/// into the caller's `WriteBatch`, so a block's tree nodes become durable in the same atomic,
/// synced batch as the block itself — after a crash the stored root and its nodes can never
/// disagree. Until then `node(_:)` serves them from memory, so the tree can be read and
/// updated again (the next block) before the batch is written.
///
/// Reads go through a small two-generation cache (recently used nodes: the top of the tree
/// that every update walks). Nodes are immutable, so the cache never needs invalidation.
public final class RocksDBNodeStore: SMTNodeStore, @unchecked Sendable {
    public let db: RocksDB
    public let columnFamily: ColumnFamily

    private let lock = NSLock()
    private var pending: [SMTHash: SMTNode] = [:]
    private var young: [SMTHash: SMTNode] = [:]
    private var old: [SMTHash: SMTNode] = [:]
    private let generationSize: Int

    /// `cacheCapacity` bounds the cached nodes (about 100 bytes each).
    public init(db: RocksDB, columnFamily: ColumnFamily = .smt, cacheCapacity: Int = 1 << 17) {
        self.db = db
        self.columnFamily = columnFamily
        generationSize = max(1, cacheCapacity / 2)
    }

    public func node(_ hash: SMTHash) throws(SMTError) -> SMTNode? {
        if let n = lock.withLock({ pending[hash] ?? cached(hash) }) { return n }
        let stored: Bytes?
        do {
            stored = try db.get(columnFamily, hash.bytes)
        } catch {
            throw .store(error.description)
        }
        guard let stored else { return nil }
        let node = try SMTNode(encoded: stored, hash: hash)
        lock.withLock { remember(hash, node) }
        return node
    }

    public func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) {
        lock.withLock {
            pending.reserveCapacity(pending.count + nodes.count)
            for (h, n) in nodes { pending[h] = n }
        }
    }

    /// Moves every pending node into `batch` (and into the read cache). Returns how many.
    /// If that batch is then never written, the nodes are simply gone from disk: call it once
    /// per block, right before writing the block's batch.
    @discardableResult
    public func commit(into batch: inout WriteBatch) -> Int {
        let nodes = lock.withLock {
            let all = pending
            pending = [:]
            for (h, n) in all { remember(h, n) }
            return all
        }
        // In key order: RocksDB's memtable (a skip list) inserts a sorted run far faster than
        // random keys, since each insert starts from the previous one's position.
        batch.reserveCapacity(batch.count + nodes.count)
        for (h, n) in nodes.sorted(by: { $0.key < $1.key }) { batch.put(columnFamily, h.bytes, n.encoded) }
        return nodes.count
    }

    /// Drops nodes that were put but not committed (a block that was abandoned).
    public func discardPending() {
        lock.withLock { pending = [:] }
    }

    public var pendingCount: Int { lock.withLock { pending.count } }

    // Called with `lock` held.
    private func cached(_ hash: SMTHash) -> SMTNode? {
        if let n = young[hash] { return n }
        if let n = old[hash] {
            remember(hash, n)
            return n
        }
        return nil
    }

    // Called with `lock` held.
    private func remember(_ hash: SMTHash, _ node: SMTNode) {
        if young.count >= generationSize {
            old = young
            young = [:]
            young.reserveCapacity(generationSize)
        }
        young[hash] = node
    }
}
