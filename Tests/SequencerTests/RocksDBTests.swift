import Core
import Foundation
import Testing
@testable import Sequencer

/// A fresh directory under the system temp dir, removed afterwards.
func withRocksDBTestDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-rocksdb-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

func withRocksDBTestDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-rocksdb-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(dir)
}

@Suite struct RocksDBTests {
    static let state: ColumnFamily = "state", blocks: ColumnFamily = "blocks"
    static let families: [ColumnFamily] = [state, blocks, .smt]

    static func be(_ n: UInt64) -> Bytes { withUnsafeBytes(of: n.bigEndian) { Bytes($0) } }

    @Test func putGetDeletePerColumnFamily() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            #expect(db.columnFamilies == [.default, Self.state, Self.blocks, .smt])
            try db.put(Self.state, [1, 2], [0xaa])
            try db.put(Self.blocks, [1, 2], [0xbb, 0xcc])
            try db.put(Self.blocks, [9], [])
            #expect(try db.get(Self.state, [1, 2]) == [0xaa])
            #expect(try db.get(Self.blocks, [1, 2]) == [0xbb, 0xcc])
            #expect(try db.get(Self.blocks, [9]) == [])  // an empty value is not an absent one
            #expect(try db.get(Self.state, [9]) == nil)
            #expect(try db.get(.default, [1, 2]) == nil)
            try db.delete(Self.state, [1, 2])
            #expect(try db.get(Self.state, [1, 2]) == nil)
            #expect(try db.get(Self.blocks, [1, 2]) == [0xbb, 0xcc])
            try db.put(Self.state, [1, 2], [0xdd], sync: true)
            #expect(try db.get(Self.state, [1, 2]) == [0xdd])
            #expect(throws: RocksDBError.unknownColumnFamily("nope")) { try db.get("nope", [1]) }
            #expect("\(RocksDBError.unknownColumnFamily("nope"))" == #"RocksDB: unknown column family "nope" (not opened)"#)
            #expect(try db.property(Self.blocks, "rocksdb.estimate-num-keys") == "2")
        }
    }

    @Test func batchesApplyWhollyAndInOrder() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            try db.put(Self.state, [7], [7])
            var batch = WriteBatch()
            batch.put(Self.state, [1], [1])
            batch.put(Self.blocks, [1], [2])
            batch.delete(Self.state, [7])
            batch.put(Self.state, [3], [3])
            batch.put(Self.state, [3], [4])  // later operations win
            #expect(batch.count == 5 && batch.byteCount == 9)
            #expect(try db.get(Self.state, [1]) == nil)  // nothing before write
            try db.write(batch, sync: true)
            #expect(try db.get(Self.state, [1]) == [1] && db.get(Self.blocks, [1]) == [2])
            #expect(try db.get(Self.state, [7]) == nil && db.get(Self.state, [3]) == [4])

            // A batch naming an unknown family fails before anything is applied.
            var bad = WriteBatch()
            bad.put(Self.state, [42], [42])
            bad.put("missing", [1], [1])
            #expect(throws: RocksDBError.unknownColumnFamily("missing")) { try db.write(bad, sync: false) }
            #expect(try db.get(Self.state, [42]) == nil)
        }
    }

    /// A run of fixed-size records (how a block's tree nodes go into its batch) is as many
    /// puts, in order with the batch's other operations.
    @Test func aRunOfFixedSizeRecordsIsThatManyPuts() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            var batch = WriteBatch()
            batch.put(Self.state, [9, 9], [0])
            batch.putRun(Self.state, keys: [1, 1, 2, 2, 9, 9], values: [10, 11, 12, 20, 21, 22, 90, 91, 92], keySize: 2, valueSize: 3)
            batch.putRun(Self.state, keys: [], values: [], keySize: 2, valueSize: 3)  // nothing
            batch.delete(Self.state, [2, 2])
            #expect(batch.count == 5 && batch.byteCount == 2 + 1 + 6 + 9 + 2)
            try db.write(batch, sync: true)
            #expect(try db.get(Self.state, [1, 1]) == [10, 11, 12])
            #expect(try db.get(Self.state, [2, 2]) == nil)  // deleted after the run
            #expect(try db.get(Self.state, [9, 9]) == [90, 91, 92])  // the run came after the put
        }
    }

    /// While batches of (state key, blocks key) pairs are written, a reader that sees a batch's
    /// second key must also see its first: a batch never becomes visible in part.
    @Test func concurrentReadersNeverSeeHalfABatch() async throws {
        try await withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            let n: UInt64 = 2_000
            let writer = Task.detached {
                for i in 0..<n {
                    var b = WriteBatch()
                    b.put(Self.state, Self.be(i), [1])
                    b.put(Self.blocks, Self.be(i), [2])
                    try db.write(b, sync: false)
                }
            }
            var torn = 0, seen = 0
            var i: UInt64 = 0
            while i < n {
                if try db.get(Self.blocks, Self.be(i)) != nil {
                    seen += 1
                    if try db.get(Self.state, Self.be(i)) == nil { torn += 1 }
                    i += 1
                } else {
                    await Task.yield()
                }
            }
            try await writer.value
            #expect(torn == 0 && seen == Int(n))
        }
    }

    @Test func reopenKeepsDataAndExistingFamilies() throws {
        try withRocksDBTestDirectory { path in
            do {
                let db = try RocksDB(path: path, columnFamilies: Self.families)
                var b = WriteBatch()
                for i in 0..<500 as Range<UInt64> { b.put(Self.blocks, Self.be(i), Self.be(i * i)) }
                try db.write(b, sync: true)
                try db.put(Self.state, [1], [1])  // not synced: still durable across a clean close
                try db.flush()
                db.close()
                db.close()
                #expect(db.isClosed)
                #expect(throws: RocksDBError.closed(path: path)) { try db.get(Self.state, [1]) }
            }
            // Families that exist on disk are opened even when not asked for.
            let db = try RocksDB(path: path, columnFamilies: [Self.state])
            #expect(Set(db.columnFamilies) == Set([.default] + Self.families))
            #expect(try db.get(Self.state, [1]) == [1])
            #expect(try db.get(Self.blocks, Self.be(499)) == Self.be(499 * 499))
            #expect(try db.entries(Self.blocks).count == 500)
        }
    }

    @Test func iterationFollowsBigEndianNumericOrder() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            var numbers: [UInt64] = [0, 1, 255, 256, 65_535, 65_536, 1 << 40, .max]
            var (rng, seed) = TestSeed.generator(0x0db_0130)
            for _ in 0..<200 { numbers.append(UInt64.random(in: 0...UInt64.max, using: &rng)) }
            numbers = Array(Set(numbers)).sorted()
            var b = WriteBatch()
            for n in numbers.shuffled(using: &rng) { b.put(Self.blocks, Self.be(n), []) }
            try db.write(b, sync: false)
            let sorted = numbers.sorted()
            let forward = try db.entries(Self.blocks).map(\.key)
            #expect(forward == sorted.map(Self.be), "seed \(seed)")
            #expect(try db.entries(Self.blocks, direction: .reverse).map(\.key) == sorted.reversed().map(Self.be))
            // From a key: forward = first ≥ start, reverse = last ≤ start.
            let mid = sorted[sorted.count / 2]
            #expect(try db.entries(Self.blocks, from: Self.be(mid), limit: 3).map(\.key) == sorted.filter { $0 >= mid }.prefix(3).map(Self.be))
            #expect(try db.entries(Self.blocks, from: Self.be(mid + 1), direction: .reverse, limit: 2).map(\.key)
                    == sorted.filter { $0 <= mid + 1 }.reversed().prefix(2).map(Self.be))
            #expect(try db.entries(Self.blocks, from: Self.be(300), limit: 0).isEmpty)
            // Early stop and errors from the body.
            var visited = 0
            try db.forEach(Self.blocks) { _, _ in visited += 1; return visited < 5 }
            #expect(visited == 5)
            struct Stop: Error {}
            #expect(throws: Stop.self) { try db.forEach(Self.blocks) { _, _ in throw Stop() } }
        }
    }

    /// The tree's family has a hashed memtable (`RocksDBOptions.hashedMemtable`): gets,
    /// scans in both directions and scans from a key must still see every key in byte order,
    /// across the memtable and flushed files, and a store must read the same whichever
    /// memtable it was written with.
    @Test func aHashedMemtableFamilyStillReadsAndScansInKeyOrder() throws {
        try withRocksDBTestDirectory { path in
            var (rng, seed) = TestSeed.generator(0x4a5_4ed)
            func key() -> Bytes { (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
            let first = (0..<1_500).map { _ in key() }, second = (0..<1_500).map { _ in key() }
            let all = Array(Set(first + second)).sorted { $0.lexicographicallyPrecedes($1) }
            func check(_ db: RocksDB, _ expected: [Bytes]) throws {
                #expect(try db.entries(.smt).map(\.key) == expected, "seed \(seed)")
                #expect(try db.entries(.smt, direction: .reverse).map(\.key) == expected.reversed())
                let mid = expected[expected.count / 2]
                #expect(try db.entries(.smt, from: mid, limit: 4).map(\.key) == Array(expected[(expected.count / 2)...].prefix(4)))
                for k in expected.prefix(50) { #expect(try db.get(.smt, k) == Array(k.reversed())) }
                #expect(try db.get(.smt, key()) == nil)
            }
            do {
                let db = try RocksDB(path: path, columnFamilies: Self.families)
                var b = WriteBatch()
                for k in first { b.put(.smt, k, Array(k.reversed())) }
                try db.write(b, sync: true)
                try db.flush()  // the first half in a file, the second in the memtable
                b = WriteBatch()
                for k in second { b.put(.smt, k, Array(k.reversed())) }
                try db.write(b, sync: true)
                try check(db, all)
                db.close()
            }
            var plain = RocksDBOptions()
            plain.hashedMemtable = []
            do {
                let db = try RocksDB(path: path, columnFamilies: Self.families, options: plain)
                try check(db, all)
                try db.delete(.smt, all[0], sync: true)
                db.close()
            }
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            try check(db, Array(all.dropFirst()))
        }
    }

    @Test func prefixScans() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            let keys: [Bytes] = [[0x01], [0x01, 0x00], [0x01, 0x05], [0x01, 0xff], [0x01, 0xff, 0xff], [0x02], [0x02, 0x01],
                                 [0xff, 0xff], [0xff, 0xff, 0x01], [0x00, 0x09]]
            var b = WriteBatch()
            for k in keys { b.put(Self.state, k, k) }
            try db.write(b, sync: false)
            let ones: [Bytes] = [[0x01], [0x01, 0x00], [0x01, 0x05], [0x01, 0xff], [0x01, 0xff, 0xff]]
            #expect(try db.entries(Self.state, prefix: [0x01]).map(\.key) == ones)
            // Reverse must start below the successor 0x02, which exists as a key.
            #expect(try db.entries(Self.state, prefix: [0x01], direction: .reverse).map(\.key) == ones.reversed())
            #expect(try db.entries(Self.state, prefix: [0x01, 0xff], direction: .reverse).map(\.key) == [[0x01, 0xff, 0xff], [0x01, 0xff]])
            // A prefix of only 0xff bytes has no successor.
            #expect(try db.entries(Self.state, prefix: [0xff, 0xff], direction: .reverse).map(\.key) == [[0xff, 0xff, 0x01], [0xff, 0xff]])
            #expect(try db.entries(Self.state, prefix: [0x03]).isEmpty)
            #expect(try db.entries(Self.state, prefix: [0x03], direction: .reverse).isEmpty)
            #expect(try db.entries(Self.state, prefix: [], limit: 2).map(\.key) == [[0x00, 0x09], [0x01]])
            #expect(try db.entries(Self.state, prefix: [0x02], direction: .reverse, limit: 1).map(\.value) == [[0x02, 0x01]])
            #expect(RocksDB.successor(of: [0x01, 0xff]) == [0x02] && RocksDB.successor(of: [0xff]) == nil)
        }
    }

    @Test func secondOpenInTheSameProcessIsRefusedAsLocked() throws {
        try withRocksDBTestDirectory { path in
            let db = try RocksDB(path: path, columnFamilies: Self.families)
            do {
                _ = try RocksDB(path: path, columnFamilies: Self.families)
                Issue.record("second open succeeded")
            } catch let error as RocksDBError {
                guard case .locked(let p, _) = error else { Issue.record("not a lock error: \(error)"); return }
                #expect(p == path)
                #expect("\(error)".hasPrefix("RocksDB: database is locked by another process: \(path) ("))
            }
            db.close()
            _ = try RocksDB(path: path, columnFamilies: Self.families)  // free again once closed
        }
    }

    /// Another process holding the LOCK file (as a running sequencer would) — here a Python
    /// process with the same fcntl lock RocksDB takes.
    @Test func databaseLockedByAnotherProcess() throws {
        try withRocksDBTestDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["python3", "-c", """
                import fcntl, os, sys
                fd = os.open(sys.argv[1] + "/LOCK", os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                print("locked", flush=True)
                sys.stdin.read()
                """, path]
            let input = Pipe(), output = Pipe()
            holder.standardInput = input
            holder.standardOutput = output
            try holder.run()
            defer { try? input.fileHandleForWriting.close(); holder.waitUntilExit() }
            let line = String(decoding: output.fileHandleForReading.availableDataOrLine(), as: UTF8.self)
            try #require(line.hasPrefix("locked"))
            #expect {
                _ = try RocksDB(path: path, columnFamilies: Self.families)
            } throws: { error in
                guard case .locked(let p, let message)? = error as? RocksDBError else { return false }
                return p == path && message.contains("LOCK")
                    && "\(error)".hasPrefix("RocksDB: database is locked by another process: \(path)")
            }
            try input.fileHandleForWriting.close()
            holder.waitUntilExit()
            _ = try RocksDB(path: path, columnFamilies: Self.families)
        }
    }

    @Test func openFailuresNameThePath() throws {
        try withRocksDBTestDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let file = path + "/plain-file"
            FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3]))
            #expect {
                _ = try RocksDB(path: file + "/db", columnFamilies: [])
            } throws: { error in
                guard case .openFailed(let p, _)? = error as? RocksDBError else { return false }
                return p == file + "/db" && "\(error)".hasPrefix("RocksDB: cannot open \(file)/db: ")
            }
        }
    }
}

fileprivate extension FileHandle {
    /// Reads until a newline or end of file (a child's first line of output).
    func availableDataOrLine() -> Data {
        var data = Data()
        while true {
            let chunk = readData(ofLength: 1)
            if chunk.isEmpty { return data }
            data.append(chunk)
            if chunk.first == UInt8(ascii: "\n") { return data }
        }
    }
}
