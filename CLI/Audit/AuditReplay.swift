import ArgumentParser
import Bridge
import Core
import Foundation
import Prover
import Sequencer

/// `emeth audit replay`: re-executes the chain from genesis and checks every commitment.
/// Prints the first divergence (batch, block, tx, field, expected vs found) and exits 1, or
/// exits 0 when everything agrees; 2 when the replay could not run.
struct AuditReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay the chain from L1 or an archive and report the first divergence (exit 0 agree, 1 divergence, 2 could not run).")

    @Option(name: .customLong("l1"), help: "L1 JSON-RPC endpoint: read batches and inbox from L1 directly.")
    var l1: String?

    @Option(help: "deployment.json of the rollup (with --l1).")
    var deployment: String?

    @Option(help: "An archive written by `emeth audit export` (instead of --l1).")
    var archive: String?

    @Option(help: "Genesis file of the chain (its chainId, rollup, signer, roles and fee rates).")
    var genesis: String

    @Option(name: .customLong("from-batch"), help: "First batch of the report range. Earlier batches are still replayed (the state is rebuilt from genesis) and checked.")
    var fromBatch: UInt64?

    @Option(name: .customLong("to-batch"), help: "Stop after this batch.")
    var toBatch: UInt64?

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    @Option(name: .customLong("force-inclusion-delay"), help: "Seconds an inbox message may wait on L1 before a commit that leaves it out is a sequencer fault (default: the contract's forceInclusionDelay(), else the check is skipped).")
    var forceInclusionDelay: UInt64?

    @Option(name: .customLong("timestamp-skew"), help: "Seconds an L2 block may be dated after the L1 block that commits it (default 120).")
    var timestampSkew: UInt64?

    @Flag(help: "On a divergence, send challenge(batch) for the first bad batch if it is not final (needs --l1 and a guardian key).")
    var challenge = false

    @OptionGroup var key: KeyOptions

    @Option(name: .customLong("from-snapshot"), help: "Start from a snapshot (`emeth audit snapshot`) of a final batch instead of genesis: it is checked against L1 (root, header, totals, finality) and only the later batches are replayed (needs --l1).")
    var fromSnapshot: String?

    @Option(name: .customLong("work-dir"), help: "Where the temporary replay store goes (default: the system temporary directory).")
    var workDir: String?

    func validate() throws {
        guard (l1 == nil) != (archive == nil) else { throw ValidationError("give exactly one of --l1 URL or --archive DIR") }
        if l1 != nil && deployment == nil { throw ValidationError("--l1 needs --deployment FILE") }
        if challenge && l1 == nil { throw ValidationError("--challenge needs --l1 (a challenge is sent to L1)") }
        if fromSnapshot != nil && l1 == nil { throw ValidationError("--from-snapshot needs --l1 (the snapshot is checked against L1: its batch's commitment and finality)") }
    }

    func run() async throws {
        var diverged = false
        try await AuditExit.guarding {
            let g = try loadGenesis(genesis)
            var challenger: Challenger?
            let report: AuditReport
            let progress = AuditProgress()
            if let l1 {
                let (d, rollup, source) = try await AuditL1.open(l1: l1, deployment: deployment!, genesis: g)
                if challenge { challenger = Challenger(rollup: rollup, sender: L1Sender(eth: rollup.eth, key: try key.load(), chainId: d.chainId)) }
                let snapshot = try fromSnapshot.map { try AuditL1.loadSnapshot($0) }
                if let snapshot {
                    try await SnapshotCheck.requireFinal(snapshot.batchIndex, rollup: rollup)
                    logLine("snapshot at batch \(snapshot.batchIndex) (block \(snapshot.header.number)): \(snapshot.records.count) records; replaying the batches after it")
                }
                report = try await Audit.replay(source, genesis: g, toBatch: toBatch, workDirectory: workDir,
                                                forceInclusionDelay: forceInclusionDelay, timestampSkew: timestampSkew, snapshot: snapshot,
                                                progress: progress.update)
            } else {
                report = try await Audit.replay(ArchiveSource(try BatchArchive.existing(archive!)), genesis: g, toBatch: toBatch, workDirectory: workDir, progress: progress.update)
            }
            progress.finish()
            if let fromBatch, let last = report.lastBatch, last < fromBatch, report.ok {
                throw CLIError("the history ends at batch \(last), before --from-batch \(fromBatch)")
            }
            print(report.summary)
            print(String(format: "%.1f s", report.seconds))
            if let json { try Data((report.json.prettySerialized + "\n").utf8).write(to: URL(fileURLWithPath: json)) }
            // Faults (Signer, sequencer) fail the audit but are no reason to challenge a batch.
            if !report.faults.isEmpty { diverged = true }
            if let d = report.divergence {
                diverged = true
                if let challenger {
                    let outcome = try await challenger.challenge(d.batch)
                    print(outcome.description)
                }
            }
        }
        if diverged { throw AuditExit.divergence }
    }
}
