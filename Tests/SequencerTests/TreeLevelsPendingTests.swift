import Core
import Foundation
import Testing
@testable import Sequencer

/// The upper levels written at update time (`NodeLevels.record`): a block's branches enter
/// their slots before its batch is written, logged under the block; `didWrite` drops the log,
/// `discardPending` replays it backwards. These check the two ends: a discarded block (two of
/// them in flight, the second built on the first, as the sequencer's pipeline does) leaves
/// the older version in the slots — readable with no RocksDB read — and nothing of a pending
/// block is ever reported as cached before its batch is durable.
@Suite struct TreeLevelsPendingTests {
    typealias Cache = TreeCacheTests

    /// Block x pending, block y updated on x's unwritten nodes, both discarded: the durable
    /// tree is back exactly (cached set, proofs with no RocksDB read), the lost roots are gone,
    /// and the next block from the durable root gives the reference root reading nothing.
    @Test func discardedPendingBlocksLeaveTheOlderVersionReadable() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            let history = SMTStoreTests.blocksOfChanges(count: 25, seed: 31)
            var roots: [SMTHash] = []
            for changes in history.prefix(20) {
                try Cache.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
                roots.append(tree.root)
            }
            let durable = tree.root
            let cached = Set(store.cachedHashes())
            let keys = history.prefix(22).flatMap { $0.map(\.key) }
            let durableProofs = try keys.map { try reference.proof($0) }

            // x: updated and committed (its batch in flight); its branches are in the slots now.
            try tree.update(history[20])
            var bx = WriteBatch()
            store.commit(into: &bx)
            #expect(store.levelsPending == 1)
            // y, built on x's unwritten nodes: read from the slots and the flight, not RocksDB.
            let readsBefore = store.diskReads
            try tree.update(history[21])
            var by = WriteBatch()
            store.commit(into: &by)
            #expect(store.diskReads == readsBefore)
            #expect(store.levelsPending == 2)
            var ahead = reference
            try ahead.update(history[20])
            try ahead.update(history[21])
            #expect(tree.root == ahead.root)
            let lost = tree.root
            // Nothing of x or y counts as cached while they are pending.
            #expect(Set(store.cachedHashes()) == cached)
            // An older root read meanwhile (from RocksDB, filling what it may) changes nothing
            // the undo cannot restore.
            for c in history[4] { #expect(try tree.at(root: roots[4]).proof(c.key) == (try reference.at(root: roots[4]).proof(c.key))) }

            store.discardPending()
            #expect(store.levelsPending == 0 && store.pendingCount == 0)
            // The durable cache is back (plus what the older root's reads cached), all on disk.
            let after = Set(store.cachedHashes())
            #expect(cached.isSubset(of: after))
            for h in after { #expect(try db.get(.smt, h.bytes) != nil, "cached node \(h) is not on disk") }
            #expect(throws: SMTError.missingNode(hash: lost, depth: 0)) { try SparseMerkleTree(store: store, root: lost).get(keys[0]) }
            // The durable tree is whole in memory again: its proofs read nothing from RocksDB.
            let readsAfterDiscard = store.diskReads
            tree = SparseMerkleTree(store: store, root: durable)
            for (k, p) in zip(keys, durableProofs) { #expect(try tree.proof(k) == p) }
            #expect(store.diskReads == readsAfterDiscard)
            for changes in history[22...] {
                try Cache.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
                #expect(tree.root == reference.root)
            }
            #expect(store.diskReads == readsAfterDiscard)
            for h in store.cachedHashes() { #expect(try db.get(.smt, h.bytes) != nil, "cached node \(h) is not on disk") }
        }
    }

    /// The pipeline's order — x updated and committed, y updated on it, x written and
    /// acknowledged, then y — with a check at every step that each node reported cached is on
    /// disk; then a reopened store gives the same roots and proofs as the warm one.
    @Test func pipelinedBlocksAreCachedOnlyOnceDurable() throws {
        try withRocksDBTestDirectory { path in
            let history = SMTStoreTests.blocksOfChanges(count: 30, seed: 32)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            var roots: [SMTHash] = []
            do {
                let db = try RocksDB(path: path, columnFamilies: [.smt])
                let store = RocksDBNodeStore(db: db, cacheNodes: 1 << 13)
                var tree = SparseMerkleTree(store: store)
                func everyCachedNodeIsOnDisk() throws {
                    for h in store.cachedHashes() { #expect(try db.get(.smt, h.bytes) != nil, "cached node \(h) is not on disk") }
                }
                try tree.update(history[0])
                var inFlight = WriteBatch()
                store.commit(into: &inFlight)
                for changes in history.dropFirst() {
                    try tree.update(changes)  // the next block, on the unwritten one
                    var next = WriteBatch()
                    store.commit(into: &next)
                    try everyCachedNodeIsOnDisk()
                    try db.write(inFlight, sync: true)
                    try everyCachedNodeIsOnDisk()
                    store.didWrite()
                    #expect(store.levelsPending == 1)
                    try everyCachedNodeIsOnDisk()
                    inFlight = next
                }
                try db.write(inFlight, sync: true)
                store.didWrite()
                #expect(store.levelsPending == 0 && store.pendingCount == 0)
                try everyCachedNodeIsOnDisk()
                for changes in history {
                    try reference.update(changes)
                    roots.append(reference.root)
                }
                #expect(tree.root == roots.last)
            }
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let cold = RocksDBNodeStore(db: db)
            for (n, root) in roots.enumerated() {
                for c in history[n] {
                    let proof = try SparseMerkleTree(store: cold, root: root).proof(c.key)
                    #expect(proof == (try reference.at(root: root).proof(c.key)), "block \(n)")
                }
            }
        }
    }
}
