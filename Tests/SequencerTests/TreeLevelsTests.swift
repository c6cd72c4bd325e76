import Core
import Dispatch
import Foundation
import Testing
@testable import Sequencer

/// The upper levels of the node cache by place (`NodeLevels`: 32-byte hashes, a branch's
/// children in the two slots below it). A slot may be left from an older tree; these check
/// that such a slot is never served as the current node, that readers of older roots racing
/// with a block's promotion get exact answers, and that a discarded block changes nothing.
@Suite struct TreeLevelsTests {
    typealias Cache = TreeCacheTests

    /// A key with every bit 0 except the bits listed (path bit 0 = the top bit of byte 0).
    static func key(bits: [Int]) -> SMTHash {
        var bytes = Bytes(repeating: 0, count: 32)
        for b in bits { bytes[b / 8] |= 0x80 >> UInt8(b % 8) }
        return try! SMTHash(bytes)
    }

    static func value(_ i: Int) -> SMTHash { StateTreeKey.valueHash(ofRecord: Bytes("value \(i)".utf8)) }

    /// Two keys parting at bit 10 make a chain of branches with one empty side down to depth
    /// 10; deleting one moves the other leaf up to the root and leaves the chain's slots
    /// behind; a third key parting at bit 5 then puts that leaf at depth 6, where a chain
    /// branch was. Each step must give the reference roots and proofs without reading RocksDB.
    @Test func aLeafLandingWhereAnOldBranchWasIsReadAsTheLeaf() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            let k1 = Self.key(bits: [1, 3]), k2 = Self.key(bits: [1, 3, 10]), k3 = Self.key(bits: [1, 3, 5])
            let k4 = Self.key(bits: [0, 200])
            let blocks: [[SMTChange]] = [
                [.init(key: k1, valueHash: Self.value(1)), .init(key: k2, valueHash: Self.value(2))],
                [.init(key: k2, valueHash: nil)],
                [.init(key: k3, valueHash: Self.value(3))],
                [.init(key: k3, valueHash: nil), .init(key: k2, valueHash: Self.value(4)), .init(key: k4, valueHash: Self.value(5))],
                [.init(key: k1, valueHash: Self.value(6))],
                [.init(key: k1, valueHash: nil), .init(key: k2, valueHash: nil)],
                [.init(key: k1, valueHash: Self.value(7)), .init(key: k3, valueHash: Self.value(8))],
            ]
            for (n, changes) in blocks.enumerated() {
                try Cache.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
                #expect(tree.root == reference.root, "block \(n)")
                for k in [k1, k2, k3, k4] {
                    #expect(try tree.proof(k) == reference.proof(k), "block \(n)")
                    #expect(try tree.get(k) == reference.get(k), "block \(n)")
                }
                #expect(store.diskReads == 0, "block \(n)")
            }
            // The final tree: k4 alone on the right; on the left k1 and k3 part at bit 5.
            #expect(try tree.proof(k1).siblings.count == 6)
            #expect(store.cachedCount == (try Cache.walk(store, tree.root)))
        }
    }

    /// A block updated and committed but never written (the process died, or its write
    /// failed) changes nothing cached; the next block from the durable root reads nothing
    /// from RocksDB and gets the reference root.
    @Test func aDiscardedBlockLeavesTheCacheAsItWas() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            let history = SMTStoreTests.blocksOfChanges(count: 24, seed: 21)
            for changes in history.prefix(20) {
                try Cache.seal(changes, tree: &tree, store: store, db: db)
                try reference.update(changes)
            }
            let durable = tree.root
            let cached = Set(store.cachedHashes())
            for lost in history[20..<23] {
                try tree.update(lost)
                var batch = WriteBatch()
                store.commit(into: &batch)
                store.discardPending()
                tree = SparseMerkleTree(store: store, root: durable)
                #expect(Set(store.cachedHashes()) == cached)
            }
            try Cache.seal(history[23], tree: &tree, store: store, db: db)
            try reference.update(history[23])
            #expect(tree.root == reference.root)
            #expect(store.diskReads == 0)
        }
    }

    /// Proofs at older roots (read from RocksDB, filling slots only where that changes nothing
    /// the current tree relies on) and at the newest durable root, taken on one thread while
    /// another seals blocks and promotes their nodes: every proof equals the reference's.
    @Test func readersRacingWithPromotionGetExactProofs() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db, cacheNodes: 1 << 14)
            var tree = SparseMerkleTree(store: store)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            let history = SMTStoreTests.blocksOfChanges(count: 60, seed: 22)
            var roots: [SMTHash] = []
            // The reference's proofs of every block's keys at every root, computed up front.
            var expected: [[(SMTHash, SparseMerkleProof)]] = []
            for changes in history {
                try reference.update(changes)
                roots.append(reference.root)
                expected.append(try changes.map { ($0.key, try reference.proof($0.key)) })
            }
            for changes in history.prefix(20) { try Cache.seal(changes, tree: &tree, store: store, db: db) }
            let newest = LockedValue(19)
            let mismatches = LockedValue(0)
            let checked = LockedValue(0)
            let failure = LockedValue<String?>(nil)
            let sealing = tree
            let (allRoots, allExpected) = (roots, expected)
            DispatchQueue.concurrentPerform(iterations: 2) { role in
                do {
                    if role == 0 {
                        var t = sealing
                        for n in 20..<history.count {
                            try Cache.seal(history[n], tree: &t, store: store, db: db)
                            newest.withLock { $0 = n }
                        }
                    } else {
                        var round = 0
                        while true {
                            let head = newest.withLock { $0 }
                            for n in [round % 20, head] {
                                for (k, proof) in allExpected[n] {
                                    let got = try SparseMerkleTree(store: store, root: allRoots[n]).proof(k)
                                    if got != proof { mismatches.withLock { $0 += 1 } }
                                    checked.withLock { $0 += 1 }
                                }
                            }
                            round += 1
                            if head == history.count - 1 && round >= 20 { break }
                        }
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            #expect(failure.withLock { $0 } == nil)
            #expect(mismatches.withLock { $0 } == 0)
            #expect(checked.withLock { $0 } > 500)
        }
    }
}
