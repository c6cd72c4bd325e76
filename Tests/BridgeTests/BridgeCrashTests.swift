import Core
import Foundation
import Testing
@testable import Bridge
@testable import Sequencer

/// `kill -9` of `emeth bridge run` at twelve named points of posting (before and after every
/// durable write and every send), restarting each time: L1 must end up with every block in
/// exactly one batch, in order, and the sequencer key must have sent exactly one transaction
/// per batch — nothing posted twice, nothing skipped, no nonce wasted.
@Suite(.serialized) struct BridgeCrashTests {
    static var emeth: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emeth")
    }

    static let faults = [
        "poster.beforeDecide:1", "poster.afterDecide:1", "txm.beforePersist:1", "txm.afterPersist:1",
        "poster.beforeSubmit:2", "txm.afterSend:1", "poster.afterSubmit:1", "txm.beforeMined:1",
        "txm.beforeConfirmed:1", "poster.beforeCommitted:1", "poster.afterDecide:3", "txm.afterSend:2",
    ]

    /// Runs the bridge once; returns how it ended.
    static func run(_ f: BridgeFixture, fault: String?) throws -> (status: Int32, killed: Bool, log: String) {
        let p = Process()
        p.executableURL = emeth
        p.arguments = ["bridge", "run", "--chain-data", f.chainDir, "--genesis", f.dir + "/genesis.json", "--data", f.bridgeDir,
                       "--rpc", f.devnet.url.absoluteString, "--deployment", f.dir + "/deployment.json", "--confirmations", "1",
                       "--min-bytes", "0", "--max-blocks", "1", "--poll-ms", "20", "--exit-when-idle"]
        var env = ProcessInfo.processInfo.environment
        env["EMETH_PRIVATE_KEY"] = BridgeFixture.devKeys[1]
        env["EMETH_FAULT"] = fault
        p.environment = env
        let logURL = URL(fileURLWithPath: f.dir + "/bridge-\(fault ?? "clean").log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        p.standardOutput = log
        p.standardError = log
        try p.run()
        let deadline = Date().addingTimeInterval(90)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); while p.isRunning { usleep(10_000) } }
        try log.close()
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL, text)
    }

    /// What a failed run's log says about why: the lines before a crash report's thread dump
    /// (which would fill any fixed-size tail), else the tail.
    static func crashPart(_ log: String) -> String {
        guard let crash = log.range(of: "Program crashed") ?? log.range(of: "Fatal error") else { return String(log.suffix(2_000)) }
        let start = log.index(crash.lowerBound, offsetBy: -1_500, limitedBy: log.startIndex) ?? log.startIndex
        let end = log.index(crash.upperBound, offsetBy: 1_500, limitedBy: log.endIndex) ?? log.endIndex
        return String(log[start..<end])
    }

    @Test func killNineAtTwelvePointsNeitherDoublePostsNorSkips() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.emeth.path) else {
            Issue.record("\(Self.emeth.path) is missing: build the package first (swift build)")
            return
        }
        let f = try await BridgeFixture()
        try await f.depositAll(UInt256(100) * BridgeFixture.emt)
        let blocks = try await f.sealBlocks(12)
        f.closeEngine()

        for fault in Self.faults {
            let r = try Self.run(f, fault: fault)
            #expect(r.killed, "fault \(fault) was not reached (exit \(r.status)):\n\(r.log.suffix(1_500))")
            // One poster: a batch it sent before a kill is its own, never another poster's
            // (which would mark its own mined batch reverted).
            #expect(!r.log.contains("another poster"), "after \(fault):\n\(r.log.suffix(1_500))")
        }
        let clean = try Self.run(f, fault: nil)
        #expect(clean.status == 0 && !clean.killed, "clean run failed (exit \(clean.status)):\n\(Self.crashPart(clean.log))")
        #expect(!clean.log.contains("another poster"), "clean run:\n\(clean.log.suffix(2_000))")

        // Every block in exactly one batch, in order, with its header's hash and roots.
        #expect(try await f.rollup.batchCount() == 12)
        for (i, b) in blocks.enumerated() {
            let onL1 = try await f.rollup.batch(UInt64(i))
            #expect(onL1.firstBlock == b.number && onL1.lastBlock == b.number)
            #expect(onL1.settlementRoot == BatchSettlement(blocks: [b]).root)
        }
        let committed = try await f.eth.logs(address: f.deployment.rollup, topics: [[RollupContract.batchCommittedEvent.topic0]],
                                             from: .number(0), to: .latest)
        #expect(committed.count == 12)
        let reverted = try await f.eth.logs(address: f.deployment.rollup, topics: [[RollupContract.batchRevertedEvent.topic0]],
                                            from: .number(0), to: .latest)
        #expect(reverted.isEmpty)
        // One transaction per batch from the sequencer key: no duplicate, no reverted post.
        #expect(try await f.eth.transactionCount(of: f.sequencer.address) == 12)
    }
}
