import Core

/// Loading a whole tree that was built and checked elsewhere (a snapshot's tree, built in
/// memory to compare its root with L1) without building it a second time through the store.
extension RocksDBNodeStore {
    /// Puts `nodes` into `batch` in the store's on-disk format — key: the node's 32-byte hash,
    /// value: its 65-byte `SMTNode` encoding — in key order (RocksDB's memtable inserts a
    /// sorted run fastest), a node given twice once. Returns how many nodes were put.
    ///
    /// The nodes skip the pending and cache stages of `record`/`commit(into:)`: they are
    /// readable only once the caller has written `batch`, and they reach the cache as reads
    /// find them (the cache stays cold, never ahead of the disk). Meant for a store whose
    /// tree nothing else updates meanwhile (a freshly made replay store).
    @discardableResult
    public func bulkLoad(_ nodes: [SMTNewNode], into batch: inout WriteBatch) -> Int {
        guard !nodes.isEmpty else { return 0 }
        var unique = 0
        for run in SortedHalves(nodes).runs {
            batch.putRun(columnFamily, keys: run.keys, values: run.values, keySize: 32, valueSize: SMTNode.encodedSize)
            unique += run.keys.count / 32
        }
        return unique
    }
}
