import Core

/// One shard of the state-tree node cache (`RocksDBNodeStore`), behind its own lock. Two tiers:
/// `pinned` holds nodes of the upper levels of the current tree (exact: superseded ones
/// leave), and two generations (`young`, `old`) hold the rest; when `young` is full, `old` is
/// dropped and `young` becomes `old`, so a node survives while it is touched at least once a
/// generation — the paths recent blocks walked. Everything here is durable.
struct NodeShard: Sendable {
    private let state: LockedValue<Tiers>

    init(generation: Int, pinnedLimit: Int) {
        state = LockedValue(Tiers(generation: generation, pinnedLimit: pinnedLimit))
    }

    /// `deep`: the node is known to lie below the pinned levels, so `pinned` is asked last
    /// (each table asked in vain is a few cache misses).
    func lookup(_ h: SMTHash, deep: Bool = false) -> SMTNode? { state.withLock { $0.lookup(h, deep: deep) } }

    /// A node read from disk.
    func cache(_ h: SMTHash, _ n: SMTNode, pinned: Bool) {
        state.withLock { if pinned { $0.insertPinned(h, n) } else { $0.insertYoung(h, n) } }
    }

    /// A durable batch's nodes of this shard (`indices` into `nodes`) enter; the nodes it
    /// superseded leave — first, since a node can be superseded and made again in one block (a
    /// value changed and changed back), and made again it belongs to the new tree.
    func promote(_ nodes: [SMTNewNode], _ indices: [Int32], superseded: [SMTHash], _ gone: [Int32], pinnedDepth: Int) {
        state.withLock { t in
            for i in gone { t.remove(superseded[Int(i)]) }
            for i in indices {
                let n = nodes[Int(i)]
                if n.depth < pinnedDepth { t.insertPinned(n.hash, n.node) } else { t.insertYoung(n.hash, n.node) }
            }
        }
    }

    func cachedHashes() -> [SMTHash] { state.withLock { $0.pinned.hashes + $0.young.hashes + $0.old.hashes } }

    var cachedCount: Int { state.withLock { $0.pinned.count + $0.young.count + $0.old.count } }

    /// The tables, only ever touched under the shard's lock.
    struct Tiers {
        let pinned: NodeTable
        var young: NodeTable
        var old: NodeTable
        let generation: Int
        /// A bound on `pinned` that only a store used for several trees at once could reach:
        /// then it is cleared (and refilled from the next updates).
        let pinnedLimit: Int

        init(generation: Int, pinnedLimit: Int) {
            self.generation = generation
            self.pinnedLimit = pinnedLimit
            pinned = NodeTable(capacity: min(pinnedLimit, 1 << 16))
            young = NodeTable(capacity: min(generation, 1 << 16))
            old = NodeTable()
        }

        mutating func lookup(_ h: SMTHash, deep: Bool) -> SMTNode? {
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

        func remove(_ h: SMTHash) {
            if !pinned.remove(h) && !young.remove(h) { old.remove(h) }
        }

        mutating func insertPinned(_ h: SMTHash, _ n: SMTNode) {
            guard pinnedLimit > 0 else { return insertYoung(h, n) }
            if pinned.count >= pinnedLimit { pinned.removeAll() }
            pinned.insert(h, n)
        }

        mutating func insertYoung(_ h: SMTHash, _ n: SMTNode) {
            guard generation > 0 else { return }
            if young.count >= generation {
                old = young
                young = NodeTable(capacity: generation)
            }
            young.insert(h, n)
        }
    }
}
