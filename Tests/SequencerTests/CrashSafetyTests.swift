import Core
import Foundation
import Testing
@testable import Sequencer

/// kill -9 at random moments while a child process seals blocks: after every kill the store
/// must open (its state root check passing), hold every block the child acknowledged, and
/// agree byte for byte with a clean run of the same load.
@Suite(.serialized) struct CrashSafetyTests {
    static var emeth: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emeth")
    }

    /// Runs `emeth sequencer stress`; kills it after `killAfter` (nil: let it finish). Returns the ACK lines seen.
    static func stress(_ dir: String, blocks: Int, killAfter: Double?) throws -> [UInt64: String] {
        let p = Process()
        p.executableURL = emeth
        p.arguments = ["sequencer", "stress", "--data", dir, "--blocks", String(blocks), "--txs-per-block", "30", "--seed", "7"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(killAfter ?? 120)
        while p.isRunning && Date() < deadline { usleep(1_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        while p.isRunning { usleep(1_000) }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        var acks: [UInt64: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[0] == "ACK", let n = UInt64(parts[1]) { acks[n] = String(parts[2]) }
        }
        return acks
    }

    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("emeth-crash-\(UUID().uuidString)").path
    }

    @Test func killNineAtTwentyPointsLosesNothingAcknowledged() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.emeth.path) else {
            Issue.record("\(Self.emeth.path) is missing: build the package first (swift build)")
            return
        }
        let blocks = 400
        let cleanDir = Self.tempDir(), crashDir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: cleanDir); try? FileManager.default.removeItem(atPath: crashDir) }
        let reference = try Self.stress(cleanDir, blocks: blocks, killAfter: nil)
        #expect(reference.count == blocks)
        let genesis = Genesis(chainId: 31337, rollup: try Address("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
                              signer: try PrivateKey(bytes: Keccak.hash256(Array("emeth-signer-7".utf8))).address,
                              timestamp: 1_700_000_000, roles: Roles())

        var rng = SeededGenerator(seed: 20261124)
        var kills = 0, acknowledged = 0
        while kills < 20 {
            let delay = 0.03 + Double(rng.next() % 250) / 1_000   // 30–280 ms: start-up, mid-block, mid-fsync
            let acks = try Self.stress(crashDir, blocks: blocks, killAfter: delay)
            kills += 1
            acknowledged += acks.count
            let store = try ChainStore(path: crashDir, genesis: genesis)   // opens only if state root checks
            for (n, hash) in acks {
                #expect(try store.block(n)?.hash.description == hash, "kill \(kills): acknowledged block \(n) lost or changed")
                #expect(reference[n] == hash, "kill \(kills): block \(n) differs from the clean run")
            }
            #expect(store.head.number >= acks.keys.max() ?? 0)
            if store.head.number >= UInt64(blocks) { break }
        }
        // Finish and compare the whole chain with the clean run.
        _ = try Self.stress(crashDir, blocks: blocks, killAfter: nil)
        let store = try ChainStore(path: crashDir, genesis: genesis)
        #expect(store.head.number == UInt64(blocks))
        for n in 1...UInt64(blocks) { #expect(try store.block(n)?.hash.description == reference[n]) }
        #expect(kills == 20, "the load finished before 20 kill points were exercised")
        #expect(acknowledged > 0)
    }
}
