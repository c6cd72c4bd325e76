import Core
import Foundation
import Testing
@testable import Sequencer

@Suite struct SMTStoreTests {
    static let blocks: ColumnFamily = "blocks"

    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func hash(_ rng: inout Rng) -> SMTHash {
        try! SMTHash((0..<4).flatMap { _ in withUnsafeBytes(of: rng.next()) { Bytes($0) } })
    }

    /// Random blocks of changes: inserts of new keys, updates and deletes of existing ones.
    static func blocksOfChanges(count: Int, seed: UInt64) -> [[SMTChange]] {
        var rng = Rng(state: TestSeed.value(seed))
        var live: [SMTHash] = []
        return (0..<count).map { _ in
            var changes: [SMTChange] = []
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                let roll = Int.random(in: 0..<10, using: &rng)
                if roll < 5 || live.isEmpty {
                    let k = hash(&rng)
                    live.append(k)
                    changes.append(SMTChange(key: k, valueHash: hash(&rng)))
                } else if roll < 8 {
                    changes.append(SMTChange(key: live.randomElement(using: &rng)!, valueHash: hash(&rng)))
                } else {
                    let k = live.remove(at: Int.random(in: 0..<live.count, using: &rng))
                    changes.append(SMTChange(key: k, valueHash: nil))
                }
            }
            return changes
        }
    }

    @Test func sameRootsAsInMemoryAndSurvivesReopen() throws {
        try withRocksDBTestDirectory { path in
            let history = Self.blocksOfChanges(count: 40, seed: 99)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            var roots: [SMTHash] = []
            do {
                let db = try RocksDB(path: path, columnFamilies: [Self.blocks, .smt])
                let store = RocksDBNodeStore(db: db, cacheNodes: 64)  // small: exercise eviction
                var tree = SparseMerkleTree(store: store)
                for (n, changes) in history.enumerated() {
                    try reference.update(changes)
                    try tree.update(changes)
                    #expect(tree.root == reference.root, "block \(n)")
                    roots.append(tree.root)
                    // The block and its tree nodes in one synced batch.
                    var batch = WriteBatch()
                    batch.put(Self.blocks, withUnsafeBytes(of: UInt64(n).bigEndian) { Bytes($0) }, tree.root.bytes)
                    let written = store.commit(into: &batch)
                    // In the batch, not yet durable: still counted as pending until didWrite.
                    #expect(written > 0 && store.pendingCount == written)
                    try db.write(batch, sync: true)
                    store.didWrite()
                    #expect(store.pendingCount == 0)
                }
            }
            // Everything was released: reopen and read every historic version.
            let db = try RocksDB(path: path, columnFamilies: [Self.blocks, .smt])
            let store = RocksDBNodeStore(db: db)
            let stored = try db.entries(Self.blocks).map { try SMTHash($0.value) }
            #expect(stored == roots)
            for (n, root) in roots.enumerated() {
                let past = SparseMerkleTree(store: store, root: root)
                let expected = reference.at(root: root)
                for c in history[n] {
                    #expect(try past.get(c.key) == expected.get(c.key))
                    let proof = try past.proof(c.key)
                    #expect(proof == (try expected.proof(c.key)))
                    // (A key can change twice in one block: the proof shows its final value.)
                    #expect(proof.verify(root: root, key: c.key, valueHash: try expected.get(c.key)))
                }
            }
            // Continue after the reopen: still in step with memory.
            var tree = SparseMerkleTree(store: store, root: roots.last!)
            for changes in Self.blocksOfChanges(count: 5, seed: 7) {
                try reference.update(changes)
                try tree.update(changes)
                #expect(tree.root == reference.root)
            }
        }
    }

    @Test func pendingNodesAreReadableUntilCommittedOrDiscarded() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            let changes = Self.blocksOfChanges(count: 1, seed: 3)[0]
            try tree.update(changes)
            // Readable from memory though nothing is on disk yet.
            #expect(store.pendingCount > 0)
            #expect(try db.entries(.smt).isEmpty)
            var reference = SparseMerkleTree(store: InMemorySMTNodeStore())
            try reference.update(changes)
            #expect(tree.root == reference.root)
            for c in changes { #expect(try tree.get(c.key) == reference.get(c.key)) }
            store.discardPending()
            #expect(store.pendingCount == 0)
            // A fresh store (empty cache) over the same database cannot find the discarded root.
            let fresh = SparseMerkleTree(store: RocksDBNodeStore(db: db), root: tree.root)
            #expect(throws: SMTError.missingNode(hash: tree.root, depth: 0)) { try fresh.get(changes[0].key) }
        }
    }

    @Test func storedNodesAreTheirEncodingsUnderTheirHashes() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: [.smt])
            let store = RocksDBNodeStore(db: db)
            var tree = SparseMerkleTree(store: store)
            try tree.update(Self.blocksOfChanges(count: 1, seed: 5)[0])
            var batch = WriteBatch()
            let n = store.commit(into: &batch)
            try db.write(batch, sync: false)
            let entries = try db.entries(.smt)
            #expect(entries.count == n)
            for e in entries {
                #expect(e.value.count == 65 && (e.value[0] == 0x00 || e.value[0] == 0x01))
                #expect(Keccak.hash256(e.value) == e.key)
            }
            // A corrupt stored node is reported, not trusted.
            let bad = try SMTHash(entries[0].key)
            try db.put(.smt, bad.bytes, [0x07] + Bytes(repeating: 0, count: 64))
            #expect(throws: SMTError.corruptNode(hash: bad, reason: "unknown tag 0x7")) {
                try RocksDBNodeStore(db: db).node(bad)
            }
            db.close()
            #expect(throws: SMTError.store("RocksDB: database \(path) is closed")) { try RocksDBNodeStore(db: db).node(bad) }
        }
    }
}
