import CKeccak
import Core
import Dispatch
import Foundation
import Sequencer

/// Sealing cost of the state tree per dirty key, against the raw cost of the hashes it does.
///
/// A tree of `records` keys on RocksDB, then blocks of `dirty` changed keys (80% updates of
/// random existing keys, 20% inserts), each block's nodes written in one synced batch as the
/// sequencer does. Per dirty key it times the update (reads, hashing, new nodes: the root is
/// known), the batch building and the synced write separately, and between blocks it times
/// raw keccak-256 of 65 bytes (the preimage of every tree node) in the same run, so the ratio
/// "update ÷ (hashes per key × raw hash)" does not drift with the machine's load.
enum StateTreeBench {
    struct Result {
        var records: Int
        var dirty: Int
        var blocks: Int
        /// µs per dirty key: the update (root and new nodes), building the batch, the synced
        /// write, and moving the written nodes into the cache once durable.
        var update: Double
        var batch: Double
        var write: Double
        var cache: Double
        var hashesPerKey: Double
        /// ns per raw 65-byte keccak (median of the samples taken between blocks).
        var keccakNs: Double
        var cachedNodes: Int
        /// ns per node read on a warm path (a proof of each dirty key after its block, one
        /// node per level): what a cache probe costs next to the keccak.
        var probeNs: Double
        /// The process's peak resident memory, MB.
        var peakRSSMB: Int

        var rawHashCost: Double { hashesPerKey * keccakNs / 1_000 }
        /// RocksDB reads per dirty key (cache misses).
        var diskReads: Double

        /// The goal's ratio: everything but the synced write (update, batch, cache) ÷ raw hash cost.
        var ratio: Double { (update + batch + cache) / rawHashCost }
        var ratioWithWrite: Double { (update + batch + cache + write) / rawHashCost }

        var report: String {
            String(format: """
                state tree, %@ records, %@ dirty keys/block, %d blocks on RocksDB (%@ nodes cached):
                  per dirty key: update %.2f µs + batch %.2f µs + cache %.2f µs (+ synced write %.2f µs); %.2f hashes, %.2f RocksDB reads
                  raw keccak-256 of 65 bytes, same run: %.0f ns → raw hash cost %.2f µs per dirty key
                  cache probe on a warm path: %.0f ns per node read; peak RSS %d MB
                  tree update ÷ raw hash cost: %.2f  (with the synced write: %.2f)
                """, Self.count(records), Self.count(dirty), blocks, Self.count(cachedNodes),
                   update, batch, cache, write, hashesPerKey, diskReads, keccakNs, rawHashCost, probeNs, peakRSSMB, ratio, ratioWithWrite)
        }

        static func count(_ n: Int) -> String {
            n >= 1_000_000 && n % 1_000_000 == 0 ? "\(n / 1_000_000)M" : n >= 1_000 && n % 1_000 == 0 ? "\(n / 1_000)k" : "\(n)"
        }
    }

    static func key(_ i: Int) -> SMTHash { try! SMTHash(Keccak.hash256(Array("key-\(i)".utf8))) }
    static func value(_ i: Int, _ v: Int) -> SMTHash { try! SMTHash(Keccak.hash256(Array("value-\(i)-\(v)".utf8))) }

    static func run(records: Int = 100_000, blocks: Int = 20, dirty: Int = 1_000, warmup: Int = 3,
                    cacheNodes: Int = RocksDBNodeStore.defaultCacheNodes) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-smt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try RocksDB(path: dir, columnFamilies: [.smt])
        let store = RocksDBNodeStore(db: db, cacheNodes: cacheNodes)
        var tree = SparseMerkleTree(store: store)
        // The initial tree, in chunks of neighbouring keys (each chunk then writes only its own
        // subtree and one path above it), unsynced: setup, not measured.
        let initial = (0..<records).map { SMTChange(key: key($0), valueHash: value($0, 0)) }.sorted { $0.key < $1.key }
        let chunk = 250_000
        for start in stride(from: 0, to: records, by: chunk) {
            try tree.update(Array(initial[start..<min(records, start + chunk)]))
            var batch = WriteBatch()
            store.commit(into: &batch)
            try db.write(batch, sync: false)
            store.didWrite()
        }
        var next = records
        func changes(block b: Int) -> [SMTChange] {
            (0..<dirty).map { j in
                if j % 5 == 0 { next += 1; return SMTChange(key: key(next - 1), valueHash: value(next - 1, b)) }
                let i = (b &* 7_919 &+ j &* 104_729 &+ (b * j) % 65_521) % records
                return SMTChange(key: key(i), valueHash: value(i, b))
            }
        }
        var update: UInt64 = 0, batching: UInt64 = 0, writing: UInt64 = 0, caching: UInt64 = 0, nodes = 0, reads = 0
        var keccak: [Double] = []
        var probeTime: UInt64 = 0, probed = 0
        for b in 1...(warmup + blocks) {
            let c = changes(block: b)
            let readsBefore = store.diskReads
            let t0 = DispatchTime.now().uptimeNanoseconds
            try tree.update(c)
            let t1 = DispatchTime.now().uptimeNanoseconds
            var batch = WriteBatch()
            let written = store.commit(into: &batch)
            let t2 = DispatchTime.now().uptimeNanoseconds
            try db.write(batch, sync: true)
            let t3 = DispatchTime.now().uptimeNanoseconds
            store.didWrite()
            let t4 = DispatchTime.now().uptimeNanoseconds
            if b > warmup {
                update += t1 - t0; batching += t2 - t1; writing += t3 - t2; caching += t4 - t3; nodes += written
                reads += store.diskReads - readsBefore
                keccak.append(rawKeccakNs())
                // The same paths again, now all cached: each `get` reads one node per level.
                let p0 = DispatchTime.now().uptimeNanoseconds
                for ch in c { probed += try tree.proof(ch.key).siblings.count + 1 }
                probeTime += DispatchTime.now().uptimeNanoseconds - p0
            }
        }
        let keys = Double(blocks * dirty)
        keccak.sort()
        // Every new node costs one keccak, so nodes written per key is hashes per key.
        return Result(records: records, dirty: dirty, blocks: blocks,
                      update: Double(update) / 1e3 / keys, batch: Double(batching) / 1e3 / keys, write: Double(writing) / 1e3 / keys,
                      cache: Double(caching) / 1e3 / keys, hashesPerKey: Double(nodes) / keys, keccakNs: keccak[keccak.count / 2],
                      cachedNodes: store.cachedCount, probeNs: Double(probeTime) / Double(max(1, probed)),
                      peakRSSMB: peakRSSMB(), diskReads: Double(reads) / keys)
    }

    /// VmHWM of /proc/self/status (0 where there is none).
    static func peakRSSMB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return 0 }
        return kb / 1_024
    }

    /// ns per keccak-256 of a 65-byte input, straight into the C function (no Swift wrapper).
    static func rawKeccakNs(count: Int = 20_000) -> Double {
        var input = [UInt8](repeating: 0x5c, count: 65)
        var out = [UInt8](repeating: 0, count: 32)
        let t0 = DispatchTime.now().uptimeNanoseconds
        input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                for _ in 0..<count {
                    emeth_keccak256(i.baseAddress!, 65, o.baseAddress!)
                    i[1] = o[0]  // chain the inputs: nothing to hoist or skip
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(count)
    }
}
