import Core
import Foundation
@testable import Node
import Sequencer
import Testing
import TestSupport

/// `[store] tree_cache_nodes`: the state-tree cache bound an operator sets in emeth.toml (or
/// with `--tree-cache-nodes`), parsed and checked before a store opens.
@Suite struct NodeConfigStoreTests {
    @Test func theTemplateCarriesTheDefaultBound() throws {
        let c = try NodeConfig.parse(NodeConfig.template(signerKeystore: nil), file: "emeth.toml")
        #expect(c.treeCacheNodes == RocksDBNodeStore.defaultCacheNodes)
        #expect(c.treeCacheNodes == 4_194_304)
        try c.validate()
    }

    @Test func aBoundInTheFileIsRead() throws {
        let c = try NodeConfig.parse("[store]\ntree_cache_nodes = 40000000\n", file: "emeth.toml")
        #expect(c.treeCacheNodes == 40_000_000)
        try c.validate()
        let none = try NodeConfig.parse("[store]\ntree_cache_nodes = 0\n", file: "emeth.toml")
        #expect(none.treeCacheNodes == 0)
        try none.validate()
        // Absent: the default.
        #expect(try NodeConfig.parse("", file: "emeth.toml").treeCacheNodes == RocksDBNodeStore.defaultCacheNodes)
    }

    @Test func badBoundsAreRefusedByName() throws {
        #expect(throws: NodeError("emeth.toml: [store] tree_cache_nodes must be a non-negative integer")) {
            try NodeConfig.parse("[store]\ntree_cache_nodes = -1\n", file: "emeth.toml")
        }
        #expect(throws: NodeError("emeth.toml: [store] tree_cache_nodes must be a non-negative integer")) {
            try NodeConfig.parse("[store]\ntree_cache_nodes = \"4M\"\n", file: "emeth.toml")
        }
        #expect(throws: NodeError("emeth.toml: [store] tree_cache_nodes must be a non-negative integer")) {
            try NodeConfig.parse("[store]\ntree_cache_nodes = 1.5\n", file: "emeth.toml")
        }
        #expect(throws: NodeError("emeth.toml: unknown key tree_cache in [store]")) {
            try NodeConfig.parse("[store]\ntree_cache = 100\n", file: "emeth.toml")
        }
        let huge = try NodeConfig.parse("[store]\ntree_cache_nodes = 3000000000\n", file: "emeth.toml")
        #expect(throws: NodeError("[store] tree_cache_nodes must be between 0 (no cache) and 2147483648, got 3000000000")) {
            try huge.validate()
        }
        // A flag's value goes through the same check.
        var flagged = NodeConfig()
        flagged.treeCacheNodes = -5
        #expect(throws: NodeError("[store] tree_cache_nodes must be between 0 (no cache) and 2147483648, got -5")) {
            try flagged.validate()
        }
    }
}

/// A node opening a store whose state tree outgrew `[store] tree_cache_nodes` says so, with
/// the bound that would hold it; one within the bound opens silently.
@Suite struct TreeCacheWarningTests {
    typealias C = TestChain

    @Test func openingAStoreWhoseTreeOutgrewTheBoundWarns() throws {
        let dir = C.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try ChainStore(path: dir, genesis: C.genesis)
            let engine = SequencerEngine(store: store, signerKey: C.signerKey)
            for (i, k) in [C.requester, C.node, C.verifier, C.stranger].enumerated() {
                try engine.enqueue(InboxMessage(index: UInt64(i), kind: .deposit, account: k.address, amount: C.emt, l1Block: 1))
            }
            #expect(try engine.seal(timestamp: 2_000)?.inbox.count == 4)
            store.db.close()
        }
        var c = NodeConfig()
        c.dataDir = dir
        c.treeCacheNodes = 9
        let lines = LogLines()
        let store = try c.openChainStore(genesis: C.genesis, logger: lines.logger)
        #expect(store.estimatedRecords == 4)
        #expect(lines.all == ["the state tree has about 4 records (~10 nodes) and [store] tree_cache_nodes keeps 9:"
                              + " block execution will read the rest from disk, several reads per changed record;"
                              + " set tree_cache_nodes to at least 10 (~300 bytes each) to keep the whole tree in memory"])
        store.db.close()

        c.treeCacheNodes = 10
        let quiet = LogLines()
        try c.openChainStore(genesis: C.genesis, logger: quiet.logger).db.close()
        #expect(quiet.all.isEmpty)
    }
}
