import Core
import Dispatch
import Foundation
import Sequencer

/// Sealing cost of the state tree per dirty key: a 100k-key tree on RocksDB, blocks of 1,000
/// changed keys (80% updates, 20% inserts), each block's nodes written in one synced batch.
enum StateTreeBench {
    static func run(keys: Int = 100_000, blocks: Int = 20, dirty: Int = 1_000) throws -> (usPerKey: Double, hashesPerKey: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-smt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try RocksDB(path: dir, columnFamilies: [.smt])
        let store = RocksDBNodeStore(db: db)
        var tree = SparseMerkleTree(store: store)
        func key(_ i: Int) -> SMTHash { try! SMTHash(Keccak.hash256(Array("key-\(i)".utf8))) }
        func value(_ i: Int, _ v: Int) -> SMTHash { try! SMTHash(Keccak.hash256(Array("value-\(i)-\(v)".utf8))) }
        try tree.update((0..<keys).map { SMTChange(key: key($0), valueHash: value($0, 0)) })
        var batch = WriteBatch()
        _ = store.commit(into: &batch)
        try db.write(batch, sync: true)
        var next = keys, nodesWritten = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        for b in 1...blocks {
            var changes: [SMTChange] = []
            for j in 0..<dirty {
                if j % 5 == 0 { changes.append(SMTChange(key: key(next), valueHash: value(next, b))); next += 1 }
                else { let i = (b * 7_919 + j * 104_729) % keys; changes.append(SMTChange(key: key(i), valueHash: value(i, b))) }
            }
            try tree.update(changes)
            var batch = WriteBatch()
            nodesWritten += store.commit(into: &batch)
            try db.write(batch, sync: true)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3
        // Every new node costs one keccak, so nodes written per key is hashes per key.
        return (elapsed / Double(blocks * dirty), Double(nodesWritten) / Double(blocks * dirty))
    }
}
