import Core

/// One shard of the state-tree node cache (`RocksDBNodeStore`), behind its own lock: the
/// nodes below the levels `NodeLevels` holds by place, and every leaf (leaves move, so they
/// are found by hash). Two generations (`young`, `old`): when `young` is full, `old` is
/// dropped and `young` becomes `old`, so a node survives while it is touched at least once a
/// generation — the paths recent blocks walked. Everything here is durable.
struct NodeShard: Sendable {
    private let state: LockedValue<Generations>

    init(generation: Int) {
        state = LockedValue(Generations(generation: generation))
    }

    func lookup(_ h: SMTHash) -> SMTNode? { state.withLock { $0.lookup(h) } }

    /// A node read from disk.
    func cache(_ h: SMTHash, _ n: SMTNode) {
        state.withLock { $0.insertYoung(h, n) }
    }

    /// A durable batch's nodes of this shard (`indices` into `nodes`) enter; the nodes it
    /// superseded (`gone` into `superseded`) leave — first, since a node can be superseded and
    /// made again in one block (a value changed and changed back), and made again it belongs
    /// to the new tree.
    func promote(_ nodes: [SMTNewNode], _ indices: [Int32], superseded: [SMTSupersededNode], _ gone: [Int32]) {
        state.withLock { t in
            for i in gone { t.remove(superseded[Int(i)].hash) }
            for i in indices {
                let n = nodes[Int(i)]
                t.insertYoung(n.hash, n.node)
            }
        }
    }

    func cachedHashes() -> [SMTHash] { state.withLock { $0.young.hashes + $0.old.hashes } }

    var cachedCount: Int { state.withLock { $0.young.count + $0.old.count } }

    /// The tables, only ever touched under the shard's lock.
    struct Generations {
        var young: NodeTable
        var old: NodeTable
        let generation: Int

        init(generation: Int) {
            self.generation = generation
            young = NodeTable(capacity: min(generation, 1 << 16))
            old = NodeTable()
        }

        mutating func lookup(_ h: SMTHash) -> SMTNode? {
            if let n = young.find(h) { return n }
            if let n = old.find(h) {
                insertYoung(h, n)
                return n
            }
            return nil
        }

        func remove(_ h: SMTHash) {
            if !young.remove(h) { old.remove(h) }
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
