import ArgumentParser
import Bridge
import Core
import Foundation
import Prover
import Sequencer

/// `emeth audit snapshot`: replays the chain from L1 up to a final batch, checking every batch
/// as `audit replay` does, and writes the state there to a file (docs/SNAPSHOT.md). A later
/// `audit replay --from-snapshot` starts from it instead of from genesis.
struct AuditSnapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Replay up to a final batch and write the state there to a snapshot file (exit 0 written, 1 divergence, 2 could not run).")

    @Option(name: .customLong("l1"), help: "L1 JSON-RPC endpoint to read batches, inbox and finality from.")
    var l1: String

    @Option(help: "deployment.json of the rollup.")
    var deployment: String

    @Option(help: "Genesis file of the chain.")
    var genesis: String

    @Option(help: "The final batch to snapshot (default: the newest final batch).")
    var batch: UInt64?

    @Option(name: .customLong("from-snapshot"), help: "Start from an older snapshot instead of genesis (checked against L1 like replay --from-snapshot).")
    var fromSnapshot: String?

    @Flag(help: "Write the record section uncompressed (for tools without zstd).")
    var uncompressed = false

    @Option(help: "The snapshot file to write.")
    var out: String

    @Option(name: .customLong("work-dir"), help: "Where the temporary replay store goes (default: the system temporary directory).")
    var workDir: String?

    func run() async throws {
        var diverged = false
        try await AuditExit.guarding {
            let g = try loadGenesis(genesis)
            let (_, rollup, source) = try await AuditL1.open(l1: l1, deployment: deployment, genesis: g)
            let older = try fromSnapshot.map { try AuditL1.loadSnapshot($0) }
            if let older { try await SnapshotCheck.requireFinal(older.batchIndex, rollup: rollup) }
            let target: UInt64
            if let batch { target = batch } else if let newest = try await rollup.lastFinalBatch() { target = newest } else {
                throw CLIError("no batch is final on L1 yet: nothing can be snapshotted")
            }
            try await SnapshotCheck.requireFinal(target, rollup: rollup)
            if let older, older.batchIndex > target {
                throw CLIError("the snapshot given with --from-snapshot is at batch \(older.batchIndex), after --batch \(target)")
            }
            let progress = AuditProgress()
            let replayer = try await Audit.replayKeeping(source, genesis: g, toBatch: target, workDirectory: workDir, snapshot: older,
                                                         progress: progress.update)
            defer { replayer.close() }
            progress.finish()
            let report = replayer.report
            guard report.ok else {
                print(report.summary)
                print("no snapshot written")
                diverged = true
                return
            }
            let snapshot = try StateSnapshot(replayer: replayer, batchIndex: target)
            let bytes = try snapshot.encoded(compression: uncompressed ? .none : .zstd)
            // Written whole, then renamed: a reader never sees half a snapshot under the name.
            let tmp = out + ".partial"
            try Data(bytes).write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, out) == 0 else { throw CLIError("cannot move \(tmp) to \(out): errno \(errno)") }
            print("snapshot \(out): batch \(target), block \(snapshot.header.number), state root \(snapshot.header.stateRoot), "
                  + "\(snapshot.records.count) records, \(bytes.count) bytes")
        }
        if diverged { throw AuditExit.divergence }
    }
}

/// What the L1 audit commands share: the deployment and genesis must name the same rollup,
/// the endpoint the deployment's chain.
enum AuditL1 {
    static func open(l1: String, deployment: String, genesis g: Genesis) async throws -> (Deployment, RollupContract, L1Source) {
        let d = try Deployment.load(deployment)
        guard d.rollup == g.rollup else { throw CLIError("the genesis is for rollup \(g.rollup.checksummed), the deployment for \(d.rollup.checksummed)") }
        let eth = EthClient(url: try auditURL(l1, flag: "--l1"))
        _ = try await eth.requireChainId(d.chainId)
        let rollup = RollupContract(address: d.rollup, eth: eth)
        let source = try await L1Source.open(L1History(rollup: rollup, fromBlock: d.block))
        logLine("L1 block \(source.l1Block): \(source.commits.count) live batches")
        return (d, rollup, source)
    }

    static func loadSnapshot(_ path: String) throws -> StateSnapshot {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the snapshot \(path)") }
        do { return try StateSnapshot(decoding: Array(data)) } catch { throw CLIError("refused: \(path): \(error)") }
    }
}
