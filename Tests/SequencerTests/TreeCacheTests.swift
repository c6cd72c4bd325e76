import Core
import Foundation
import Testing
@testable import Sequencer

/// The state-tree node cache of `RocksDBNodeStore`: bounded, never reads RocksDB for what it
/// holds, gives a cold (reopened) store the same roots and proofs, and holds only nodes that
/// are durable — a crash can lose nothing the cache served.
@Suite struct TreeCacheTests {
    typealias Blocks = SMTStoreTests

    /// One block through the store as the sequencer does it: update, the batch, the synced
    /// write, then `didWrite`.
    static func seal(_ changes: [SMTChange], tree: inout SparseMerkleTree, store: RocksDBNodeStore, db: RocksDB) throws {
        try tree.update(changes)
        var batch = WriteBatch()
        store.commit(into: &batch)
        try db.write(batch, sync: true)
        store.didWrite()
    }

    /// Every node reachable from `root`, read through `store`.
    static func walk(_ store: SMTNodeStore, _ root: SMTHash) throws -> Int {
        var seen = Set<SMTHash>(), stack = [root]
        while let h = stack.popLast() {
            guard !h.isZero, seen.insert(h).inserted else { continue }
            if case .branch(let l, let r) = try #require(try store.node(h)) { stack += [l, r] }
        }
        return seen.count
    }

    @Test func boundedCacheEvictsAndStaysCorrect() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db, cacheNodes: 200)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            for (n, changes) in Blocks.blocksOfChanges(count: 60, seed: 11).enumerated() {
                try Self.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
                #expect(tree.root == reference.root, "block \(n)")
                #expect(store.cachedCount <= 200, "block \(n): \(store.cachedCount) cached")
                #expect(store.pendingCount == 0)
            }
            // 2^8 slots of 32 bytes ≤ 100 nodes of 96 bytes < 2^9: 127 branches by place; 73 nodes by hash
            #expect(store.levelsByPlace == 7)
            #expect(try Self.walk(store, tree.root) > 200)  // the tree outgrew the cache...
            #expect(store.diskReads > 0)                      // ...so evicted nodes were read back
        }
    }

    @Test func aWarmCacheNeverReadsRocksDBForTheCurrentTree() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            let history = Blocks.blocksOfChanges(count: 40, seed: 12)
            try Self.seal(history[0], tree: &tree, store: store, db: db)
            // Inserts, updates, deletes, leaves moving up: the cache follows the tree exactly
            // (a live node dropped as superseded would be read back here).
            for changes in history.dropFirst() {
                try Self.seal(changes, tree: &tree, store: store, db: db)
            }
            #expect(store.diskReads == 0)
            // It holds the current tree and nothing else: what each update superseded left.
            #expect(store.cachedCount == (try Self.walk(store, tree.root)))
        }
    }

    /// The upper levels are kept by place, one branch per place: reading an older root (its
    /// branches sit at the same places) must neither be served the current branch nor push it
    /// out, so the next update still reads nothing from RocksDB.
    @Test func readingAnOlderRootLeavesTheCurrentTreeCached() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            let history = Blocks.blocksOfChanges(count: 21, seed: 15)
            var roots: [SMTHash] = []
            for changes in history.prefix(20) {
                try Self.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
                roots.append(tree.root)
            }
            #expect(store.levelsByPlace == 21 && store.diskReads == 0)
            let old = roots[4]
            for c in history[4] {
                let proof = try tree.at(root: old).proof(c.key)
                #expect(proof == (try reference.at(root: old).proof(c.key)))
            }
            let readsOfTheOldRoot = store.diskReads
            #expect(readsOfTheOldRoot > 0)  // its superseded branches left the cache
            try Self.seal(history[20], tree: &tree, store: store, db: db)
            try reference.update(history[20])
            #expect(tree.root == reference.root)
            #expect(store.diskReads == readsOfTheOldRoot)
        }
    }

    @Test func aReopenedStoreWithAColdCacheGivesTheSameRootsAndProofs() throws {
        try withRocksDBTestDirectory { path in
            let history = Blocks.blocksOfChanges(count: 30, seed: 13)
            var roots: [SMTHash] = []
            let warmDB = try RocksDB(path: path + "/warm", columnFamilies: [.smt])
            let warm = RocksDBNodeStore(db: warmDB)
            var warmTree = SparseMerkleTree(store: warm)
            do {
                let db = try RocksDB(path: path + "/cold", columnFamilies: [.smt])
                let store = RocksDBNodeStore(db: db)
                var tree = SparseMerkleTree(store: store)
                for changes in history.prefix(20) {
                    try Self.seal(changes, tree: &tree, store: store, db: db)
                    try Self.seal(changes, tree: &warmTree, store: warm, db: warmDB)
                    roots.append(tree.root)
                }
            }
            // Reopened: nothing in memory, every node comes from RocksDB.
            let db = try RocksDB(path: path + "/cold", columnFamilies: [.smt])
            let cold = RocksDBNodeStore(db: db)
            #expect(cold.cachedCount == 0)
            for (n, root) in roots.enumerated() {
                for c in history[n] {
                    let proof = try SparseMerkleTree(store: cold, root: root).proof(c.key)
                    #expect(proof == (try SparseMerkleTree(store: warm, root: root).proof(c.key)), "block \(n)")
                    #expect(proof.verify(root: root, key: c.key, valueHash: try warmTree.at(root: root).get(c.key)))
                }
            }
            #expect(cold.diskReads > 0)
            // Going on from both: the same roots.
            var coldTree = SparseMerkleTree(store: cold, root: roots.last!)
            for changes in history.dropFirst(20) {
                try Self.seal(changes, tree: &coldTree, store: cold, db: db)
                try Self.seal(changes, tree: &warmTree, store: warm, db: warmDB)
                #expect(coldTree.root == warmTree.root)
            }
        }
    }

    /// Crash safety: some blocks are lost between their update and their synced write (the
    /// process dies, or the write fails): the tree goes back to the last durable root. At every
    /// step each cached node must be on disk, the lost blocks' nodes must not be served once
    /// dropped, and after a reopen the durable head's whole tree reads from disk.
    @Test func theCacheHoldsOnlyDurableNodes() throws {
        try withRocksDBTestDirectory { path in
            var rng = SeededGenerator(seed: TestSeed.value(14))
            let history = Blocks.blocksOfChanges(count: 40, seed: 14)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            var durableRoot = SMTHash.zero
            var lost = 0
            do {
                let db = try RocksDB(path: path, columnFamilies: [.smt])
                let store = RocksDBNodeStore(db: db, cacheNodes: 1 << 12)
                var tree = SparseMerkleTree(store: store)
                for changes in history {
                    try tree.update(changes)
                    var batch = WriteBatch()
                    store.commit(into: &batch)
                    if rng.next() % 4 == 0 {
                        // Lost before its write: nothing of it may be cached.
                        let lostRoot = tree.root
                        store.discardPending()
                        tree = SparseMerkleTree(store: store, root: durableRoot)
                        #expect(throws: SMTError.missingNode(hash: lostRoot, depth: 0)) {
                            try SparseMerkleTree(store: store, root: lostRoot).get(changes[0].key)
                        }
                        lost += 1
                    } else {
                        let before = Set(store.cachedHashes())
                        try db.write(batch, sync: true)
                        // Written, not yet acknowledged: still nothing new in the cache.
                        #expect(Set(store.cachedHashes()).isSubset(of: before))
                        store.didWrite()
                        try reference.update(changes)
                        durableRoot = tree.root
                        #expect(tree.root == reference.root)
                    }
                    for h in store.cachedHashes() {
                        #expect(try db.get(.smt, h.bytes) != nil, "cached node \(h) is not on disk")
                    }
                }
            }
            #expect(lost > 3)
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let cold = RocksDBNodeStore(db: db)
            #expect(try Self.walk(cold, durableRoot) > 0)
            let tree = SparseMerkleTree(store: cold, root: durableRoot)
            for changes in history { for c in changes { #expect(try tree.get(c.key) == reference.get(c.key)) } }
        }
    }
}
