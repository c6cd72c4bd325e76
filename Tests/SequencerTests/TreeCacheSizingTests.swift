import Core
import Foundation
import Testing
@testable import Sequencer

/// The warning a node logs when its state tree outgrew `[store] tree_cache_nodes`.
@Suite struct TreeCacheSizingTests {
    @Test func anOperatorIsToldWhenTheTreeOutgrowsTheBound() {
        #expect(TreeCacheSizing.nodes(forRecords: 1_000_000) == 2_500_000)
        #expect(TreeCacheSizing.nodes(forRecords: 3) == 8)
        #expect(TreeCacheSizing.advice(records: 1_677_721, cacheNodes: 4_194_304) == nil)   // 4,194,303 nodes: it fits
        #expect(TreeCacheSizing.advice(records: 1_677_722, cacheNodes: 4_194_304)
                == "the state tree has about 1677722 records (~4194305 nodes) and [store] tree_cache_nodes keeps 4194304:"
                + " block execution will read the rest from disk, several reads per changed record;"
                + " set tree_cache_nodes to at least 4194305 (~300 bytes each) to keep the whole tree in memory")
        #expect(TreeCacheSizing.advice(records: 10_000_000, cacheNodes: 0) == nil)          // no cache: a choice
        #expect(TreeCacheSizing.advice(records: 0, cacheNodes: 1) == nil)
    }

    /// The record count comes from RocksDB's estimate, without a scan: after a flush it is the
    /// records a scan finds.
    @Test func theStoreEstimatesItsRecordsWithoutAScan() throws {
        let h = STFHarness()
        let dir = ChainStoreTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ChainStore(path: dir, genesis: ChainStoreTests.genesis(h))
        _ = try ChainStoreTests.fill(store, h)
        try store.db.flush()
        var scanned = 0
        try store.db.forEach("state") { _, _ in scanned += 1; return true }
        #expect(scanned == 4)                    // the accounts and the job the three blocks made
        #expect(store.estimatedRecords == scanned)
    }
}
