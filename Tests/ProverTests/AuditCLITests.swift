import Core
import Foundation
import Prover
import Sequencer
import Testing

/// Runs the built `emeth` (from the auditor's scratch build, else the default one) and
/// collects its exit status and output. Polls `isRunning`: `waitUntilExit` hangs inside
/// Swift Testing.
enum AuditCLI {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// The `emeth` built beside this test bundle (same build folder, same sources).
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emeth").path
    }

    static func run(_ args: [String], env: [String: String] = [:], timeout: TimeInterval = 300) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-cli-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path + ".out", contents: nil)
        FileManager.default.createFile(atPath: out.path + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out.path + ".out"); try? FileManager.default.removeItem(atPath: out.path + ".err") }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out.path + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: out.path + ".err"))
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); throw FixtureFailure("emeth \(args.joined(separator: " ")) timed out") }
        return Result(status: p.terminationStatus,
                      stdout: (try? String(contentsOfFile: out.path + ".out", encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: out.path + ".err", encoding: .utf8)) ?? "")
    }
}

/// The CLI over an archive: exit 0 and an OK report when it agrees, exit 1 and the divergence
/// in the JSON report when a batch file was altered, exit 2 when it cannot run.
@Suite(.serialized) struct AuditCLITests {
    var c: AuditLocalChain { AuditReplayTests.chain }

    @Test func replayOfAnArchiveExitsZeroOneOrTwo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-audit-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let archive = try BatchArchive(directory: dir + "/archive")
        _ = try ArchiveExporter(archive: archive).exportFromStore(c.store, blocksPerBatch: 2)
        try Data(c.genesis.json.serialized.utf8).write(to: URL(fileURLWithPath: dir + "/genesis.json"))

        let ok = try AuditCLI.run(["audit", "replay", "--archive", dir + "/archive", "--genesis", dir + "/genesis.json", "--json", dir + "/ok.json"])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("OK: batches 0…3, 8 blocks, 12 transactions, 5 inbox messages agree with L1;"))
        #expect(try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: dir + "/ok.json")))["ok"] == .bool(true))

        // Batch 2's file carries a different block-6 data: the archive no longer matches its hash.
        let b = try archive.read(2)
        var data = b.commitment.data
        data[data.count / 2] ^= 0x01
        let m = b.commitment
        try archive.write(ArchivedBatch(commitment: BatchCommitment(batchIndex: 2, firstBlock: m.firstBlock, lastBlock: m.lastBlock, lastBlockHash: m.lastBlockHash,
                                                                    stateRoot: m.stateRoot, settlementRoot: m.settlementRoot, totalCredit: m.totalCredit,
                                                                    totalBurned: m.totalBurned, inboxCursor: m.inboxCursor, data: data), dataHash: b.dataHash))
        let bad = try AuditCLI.run(["audit", "replay", "--archive", dir + "/archive", "--genesis", dir + "/genesis.json", "--json", dir + "/bad.json"])
        #expect(bad.status == 1)
        #expect(bad.stdout.hasPrefix("DIVERGENCE at batch 2: dataHash"))
        let j = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: dir + "/bad.json")))
        #expect(j["divergence"]?["batch"] == .number("2") && j["divergence"]?["field"] == .string("dataHash") && j["divergence"]?["block"] == .null)

        let missing = try AuditCLI.run(["audit", "replay", "--archive", dir + "/nowhere", "--genesis", dir + "/genesis.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not a batch archive"))
    }
}
