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
        var order = [Int32](nodes.indices.lazy.map { Int32($0) })
        order.sort { nodes[Int($0)].hash < nodes[Int($1)].hash }
        var unique = 0
        for i in order.indices where unique == 0 || nodes[Int(order[i])].hash != nodes[Int(order[unique - 1])].hash {
            order[unique] = order[i]
            unique += 1
        }
        let keys = Bytes(unsafeUninitializedCapacity: unique * 32) { buf, n in
            let p = UnsafeMutableRawPointer(buf.baseAddress!)
            for i in 0..<unique { nodes[Int(order[i])].hash.copyBytes(to: p + i * 32) }
            n = unique * 32
        }
        let values = Bytes(unsafeUninitializedCapacity: unique * SMTNode.encodedSize) { buf, n in
            let p = UnsafeMutableRawPointer(buf.baseAddress!)
            for i in 0..<unique { nodes[Int(order[i])].node.encode(to: p + i * SMTNode.encodedSize) }
            n = unique * SMTNode.encodedSize
        }
        batch.putRun(columnFamily, keys: keys, values: values, keySize: 32, valueSize: SMTNode.encodedSize)
        return unique
    }
}
