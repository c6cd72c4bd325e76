import Core
import Foundation
import Testing
@testable import Sequencer

/// `RocksDBNodeStore.bulkLoad` and `ChainStore.restoreState(header:state:)`: a tree built once
/// in memory and written as it is must be, on disk and in every answer, the tree the store
/// builds through its own update path.
@Suite struct BulkLoadTests {
    /// `count` state records with random keys: accounts (96 bytes) and jobs (672 bytes).
    static func records(count: Int, seed: UInt64) -> [(key: Bytes, value: Bytes)] {
        var rng = SMTStoreTests.Rng(state: seed)
        return (0..<count).map { i in
            let key = SMTStoreTests.hash(&rng).bytes
            let value = (0..<(i % 5 == 0 ? 672 : 96)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return (key, value)
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    static let totals = {
        var t = Totals()
        t.totalDeposited = UInt256(1_000)
        t.totalCredit = UInt256(7)
        t.totalBurned = UInt256(3)
        t.totalBalances = UInt256(990)
        return t
    }()

    static func smtEntries(_ db: RocksDB) throws -> [RocksDB.Entry] { try db.entries(.smt) }

    @Test func aBulkLoadedTreeIsTheTreeTheStoreBuilds() throws {
        let records = Self.records(count: 3_000, seed: 41)
        let built = try BuiltState(records: records, totals: Self.totals)
        // The reference: the same leaves through the store's own path (record, commit, write,
        // didWrite), in another database.
        try withRocksDBTestDirectory { refPath in
            try withRocksDBTestDirectory { path in
                let refDB = try RocksDB(path: refPath, columnFamilies: [.smt])
                defer { refDB.close() }
                let ref = RocksDBNodeStore(db: refDB, cacheNodes: 4_096)
                var refTree = SparseMerkleTree(store: ref)
                try refTree.update(ChainStore.leaves(records: records, totals: Self.totals))
                var refBatch = WriteBatch()
                let refCount = ref.commit(into: &refBatch)
                try refDB.write(refBatch, sync: false)
                ref.didWrite()
                #expect(Hash32(unchecked: refTree.root.bytes) == built.root)

                let db = try RocksDB(path: path, columnFamilies: [.smt])
                defer { db.close() }
                let store = RocksDBNodeStore(db: db, cacheNodes: 4_096)
                var batch = WriteBatch()
                // Every node given twice is written once.
                #expect(store.bulkLoad(built.nodes + built.nodes, into: &batch) == refCount)
                #expect(batch.count == refCount && built.nodeCount == refCount)
                try db.write(batch, sync: false)
                // Nothing cached ahead of the disk: the cache fills from reads.
                #expect(store.cachedCount == 0 && store.pendingCount == 0)

                // On disk: the same keys and the same 65-byte encodings, byte for byte.
                let onDisk = try Self.smtEntries(db)
                #expect(onDisk.count == refCount)
                #expect(onDisk == (try Self.smtEntries(refDB)))
                #expect(onDisk.allSatisfy { $0.key.count == 32 && $0.value.count == SMTNode.encodedSize })

                // The same answers, read from RocksDB (the cache was cold).
                var tree = SparseMerkleTree(store: store, root: try SMTHash(built.root.bytes))
                var rng = SMTStoreTests.Rng(state: 5)
                let absent = (0..<20).map { _ in SMTStoreTests.hash(&rng) }
                for k in records.map({ try! SMTHash($0.key) }) + [StateEncoding.totalsKey] + absent {
                    #expect(try tree.proof(k) == refTree.proof(k))
                    #expect(try tree.get(k) == refTree.get(k))
                }
                #expect(store.diskReads > 0)

                // And the same roots as the tree is updated further, block by block.
                for (n, changes) in SMTStoreTests.blocksOfChanges(count: 20, seed: 7).enumerated() {
                    try refTree.update(changes)
                    try tree.update(changes)
                    #expect(tree.root == refTree.root, "block \(n)")
                    var b = WriteBatch()
                    store.commit(into: &b)
                    try db.write(b, sync: false)
                    store.didWrite()
                    var rb = WriteBatch()
                    ref.commit(into: &rb)
                    try refDB.write(rb, sync: false)
                    ref.didWrite()
                }
                #expect(try Self.smtEntries(db) == Self.smtEntries(refDB))
            }
        }
    }

    @Test func anEmptyLoadWritesNothing() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            defer { db.close() }
            var batch = WriteBatch()
            #expect(RocksDBNodeStore(db: db).bulkLoad([], into: &batch) == 0)
            #expect(batch.isEmpty)
        }
    }
}
