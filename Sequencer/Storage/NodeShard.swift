import Core
import Foundation

/// One shard of the state-tree node cache (`RocksDBNodeStore`), under its own lock. Two tiers:
/// `pinned` holds nodes of the upper levels of the current tree (exact: superseded ones
/// leave), and two generations (`young`, `old`) hold the rest; when `young` is full, `old` is
/// dropped and `young` becomes `old`, so a node survives while it is touched at least once a
/// generation — the paths recent blocks walked. Everything here is durable.
final class NodeShard: @unchecked Sendable {
    private let lock = NSLock()
    private let pinned: NodeTable
    private var young: NodeTable
    private var old: NodeTable
    private let generation: Int
    /// A bound on `pinned` that only a store used for several trees at once could reach:
    /// then it is cleared (and refilled from the next updates).
    private let pinnedLimit: Int

    init(generation: Int, pinnedLimit: Int) {
        self.generation = generation
        self.pinnedLimit = pinnedLimit
        pinned = NodeTable(capacity: min(pinnedLimit, 1 << 16))
        young = NodeTable(capacity: min(generation, 1 << 16))
        old = NodeTable()
    }

    /// `deep`: the node is known to lie below the pinned levels, so `pinned` is asked last
    /// (each table asked in vain is a few cache misses).
    func lookup(_ h: SMTHash, deep: Bool = false) -> SMTNode? {
        lock.lock(); defer { lock.unlock() }
        if deep {
            if let n = young.find(h) { return n }
        } else if let n = pinned.find(h) ?? young.find(h) {
            return n
        }
        if let n = old.find(h) {
            insertYoung(h, n)
            return n
        }
        return deep ? pinned.find(h) : nil
    }

    /// A node read from disk.
    func cache(_ h: SMTHash, _ n: SMTNode, pinned isPinned: Bool) {
        lock.lock(); defer { lock.unlock() }
        if isPinned { insertPinned(h, n) } else { insertYoung(h, n) }
    }

    /// A durable batch's nodes of this shard (`indices` into `nodes`) enter; the nodes it
    /// superseded leave — first, since a node can be superseded and made again in one block (a
    /// value changed and changed back), and made again it belongs to the new tree.
    func promote(_ nodes: [SMTNewNode], _ indices: [Int32], superseded: [SMTHash], _ gone: [Int32], pinnedDepth: Int) {
        lock.lock(); defer { lock.unlock() }
        for i in gone {
            let h = superseded[Int(i)]
            if !pinned.remove(h) && !young.remove(h) { old.remove(h) }
        }
        for i in indices {
            let n = nodes[Int(i)]
            if n.depth < pinnedDepth { insertPinned(n.hash, n.node) } else { insertYoung(n.hash, n.node) }
        }
    }

    func cachedHashes() -> [SMTHash] {
        lock.lock(); defer { lock.unlock() }
        return pinned.hashes + young.hashes + old.hashes
    }

    var cachedCount: Int {
        lock.lock(); defer { lock.unlock() }
        return pinned.count + young.count + old.count
    }

    // Called with `lock` held.
    private func insertPinned(_ h: SMTHash, _ n: SMTNode) {
        guard pinnedLimit > 0 else { return insertYoung(h, n) }
        if pinned.count >= pinnedLimit { pinned.removeAll() }
        pinned.insert(h, n)
    }

    // Called with `lock` held.
    private func insertYoung(_ h: SMTHash, _ n: SMTNode) {
        guard generation > 0 else { return }
        if young.count >= generation {
            old = young
            young = NodeTable(capacity: generation)
        }
        young.insert(h, n)
    }
}
