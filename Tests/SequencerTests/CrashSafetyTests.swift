import Core
import Foundation
import Testing
@testable import Sequencer

/// kill -9 at twenty named points while a child process seals blocks (`EMETH_FAULT=point:n`:
/// the process SIGKILLs itself on the n-th arrival, see `Faults`): before a block's synced
/// write, right after it (durable, not yet acknowledged), mid-block with transactions only in
/// the mempool, and right after an acknowledgement. After every kill the store must open (its
/// state root check passing), hold exactly the blocks the point implies — every acknowledged
/// one, plus the unacknowledged one whose write had returned — and agree byte for byte with a
/// clean run of the same load. No wall clock decides where a kill lands. The load runs in the
/// sealing pipeline's order (`Workload.run`): at each block k's write, block k+1 has already
/// executed on k's unwritten state, so every kill around a write lands while k is being made
/// durable after k+1 executed, and k+1 must never be in the store.
@Suite(.serialized) struct CrashSafetyTests {
    static var emeth: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emeth")
    }

    static let txsPerBlock = 30

    struct Run {
        var head: UInt64 = 0            // the store's head when the process started (its HEAD line)
        var acks: [UInt64: String] = [:]
        var killed = false
        var status: Int32 = 0
    }

    /// Runs `emeth sequencer stress`, with `fault` (nil: to the end). The process ends by itself:
    /// at the fault (SIGKILL) or when done; the 300 s limit only guards against a hang.
    static func stress(_ dir: String, blocks: Int, fault: String?) throws -> Run {
        let p = Process()
        p.executableURL = emeth
        p.arguments = ["sequencer", "stress", "--data", dir, "--blocks", String(blocks), "--txs-per-block", String(txsPerBlock), "--seed", "7"]
        var env = ProcessInfo.processInfo.environment
        env["EMETH_FAULT"] = fault
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)   // EOF: the process is gone
        let deadline = Date().addingTimeInterval(300)
        while p.isRunning && Date() < deadline { usleep(1_000) }
        if p.isRunning { kill(p.processIdentifier, SIGTERM); p.waitUntilExit(); Issue.record("stress hung (fault \(fault ?? "none"))") }
        var run = Run()
        run.killed = p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL
        run.status = p.terminationStatus
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[0] == "ACK", let n = UInt64(parts[1]) { run.acks[n] = String(parts[2]) }
            if parts.count == 3, parts[0] == "HEAD", let n = UInt64(parts[1]) { run.head = n }
        }
        return run
    }

    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("emeth-crash-\(UUID().uuidString)").path
    }

    /// Twenty kill points: the four kinds in turn, each at a seeded arrival count. A run gets at
    /// most three blocks further, so 80 blocks are never finished before the twentieth kill.
    static func plan() -> [(point: String, count: Int)] {
        var rng = SeededGenerator(seed: 20261124)
        let points = ["store.beforeWrite", "store.afterWrite", "stress.afterSubmit", "stress.afterAck"]
        return (0..<20).map { i in
            let point = points[i % points.count]
            let count = point == "stress.afterSubmit" ? 1 + Int(rng.next() % UInt64(2 * txsPerBlock)) : 1 + Int(rng.next() % 3)
            return (point, count)
        }
    }

    @Test func killNineAtTwentyNamedPointsLosesNothingAcknowledged() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.emeth.path) else {
            Issue.record("\(Self.emeth.path) is missing: build the package first (swift build)")
            return
        }
        let blocks = 80
        let cleanDir = Self.tempDir(), crashDir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: cleanDir); try? FileManager.default.removeItem(atPath: crashDir) }
        let reference = try Self.stress(cleanDir, blocks: blocks, fault: nil)
        #expect(reference.status == 0 && !reference.killed)
        #expect(reference.acks.count == blocks)
        let genesis = Genesis(chainId: 31337, rollup: try Address("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
                              signer: try PrivateKey(bytes: Keccak.hash256(Array("emeth-signer-7".utf8))).address,
                              timestamp: 1_700_000_000, roles: Roles())

        var kinds: [String: Int] = [:]
        var acknowledged = 0
        for (k, (point, count)) in Self.plan().enumerated() {
            let fault = "\(point):\(count)"
            let run = try Self.stress(crashDir, blocks: blocks, fault: fault)
            #expect(run.killed, "kill \(k + 1): \(fault) was not reached (exit \(run.status))")
            acknowledged += run.acks.count
            kinds[point, default: 0] += 1
            let store = try ChainStore(path: crashDir, genesis: genesis)   // opens only if the state root checks
            for (n, hash) in run.acks {
                #expect(try store.block(n)?.hash.description == hash, "kill \(k + 1) (\(fault)): acknowledged block \(n) lost or changed")
                #expect(reference.acks[n] == hash, "kill \(k + 1) (\(fault)): block \(n) differs from the clean run")
            }
            // Where the kill landed decides exactly what the store holds.
            let acked = UInt64(run.acks.count)
            switch point {
            case "store.afterWrite":
                #expect(acked == UInt64(count - 1), "kill \(k + 1) (\(fault))")
                #expect(store.head.number == run.head + acked + 1, "kill \(k + 1) (\(fault)): the synced, unacknowledged block is lost")
                #expect(try store.block(store.head.number)?.hash.description == reference.acks[store.head.number])
            case "store.beforeWrite":
                #expect(acked == UInt64(count - 1), "kill \(k + 1) (\(fault))")
                #expect(store.head.number == run.head + acked, "kill \(k + 1) (\(fault)): a block never written is in the store")
            case "stress.afterAck":
                #expect(acked == UInt64(count), "kill \(k + 1) (\(fault))")
                #expect(store.head.number == run.head + acked, "kill \(k + 1) (\(fault))")
            default:   // mid-block: the transactions were only in the mempool
                #expect(store.head.number == run.head + acked, "kill \(k + 1) (\(fault)): part of a block became durable")
            }
        }
        #expect(kinds.count == 4 && kinds.values.allSatisfy { $0 == 5 })
        #expect(acknowledged > 0)
        // Finish and compare the whole chain with the clean run.
        let rest = try Self.stress(crashDir, blocks: blocks, fault: nil)
        #expect(rest.status == 0 && !rest.killed)
        let store = try ChainStore(path: crashDir, genesis: genesis)
        #expect(store.head.number == UInt64(blocks))
        for n in 1...UInt64(blocks) { #expect(try store.block(n)?.hash.description == reference.acks[n]) }
    }
}
