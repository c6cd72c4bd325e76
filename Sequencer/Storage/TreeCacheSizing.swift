/// Whether the state-tree cache bound (`[store] tree_cache_nodes`) still holds the whole tree.
///
/// The bound is fixed, not derived from the chain, so that a node's memory is what its operator
/// set and never grows on its own as the chain does. What a tree that outgrew it costs is
/// steep, though — each update then reads the nodes the cache left out from RocksDB, ~15–25 µs
/// each, several per changed record — so a node says so when it opens a store.
public enum TreeCacheSizing {
    /// Nodes a tree of `records` records takes, about: a leaf and ~1.5 branches per record.
    public static func nodes(forRecords records: Int) -> Int { (records * 5 + 1) / 2 }

    /// A warning for an operator when a tree of `records` records needs more than `cacheNodes`,
    /// or nil when it fits (or no cache was asked for: `0` is a choice, not an oversight).
    public static func advice(records: Int, cacheNodes: Int) -> String? {
        let needed = nodes(forRecords: records)
        guard cacheNodes > 0, needed > cacheNodes else { return nil }
        return "the state tree has about \(records) records (~\(needed) nodes) and [store] tree_cache_nodes keeps \(cacheNodes):"
            + " block execution will read the rest from disk, several reads per changed record;"
            + " set tree_cache_nodes to at least \(needed) (~300 bytes each) to keep the whole tree in memory"
    }
}

extension ChainStore {
    /// The state records, as RocksDB estimates them without a scan (exact for a store whose
    /// records were each written once since it was opened; close otherwise).
    public var estimatedRecords: Int {
        let estimate = try? db.property("state", "rocksdb.estimate-num-keys")
        return estimate.flatMap { $0 }.flatMap { Int($0) } ?? 0
    }
}
