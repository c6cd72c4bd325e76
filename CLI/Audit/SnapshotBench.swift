import Core
import Foundation
import Prover
import Sequencer

/// `bench-replay --snapshot-at K`: what resuming from a snapshot saves. Takes the snapshot
/// after batch K from a replay (not timed: an auditor takes it once), then times what
/// `audit replay --from-snapshot` does — read and decode the file, check it against batch K's
/// commitment (records hashed into a tree from scratch), load it into a fresh store, replay the
/// batches after K — and compares the end with the full replay's. The archive has no L1, so the
/// finality check (one `isFinal` call) is not part of the figure.
enum SnapshotBench {
    static func run(_ source: ArchiveSource, genesis g: Genesis, at k: UInt64, fullSeconds: Double, full: AuditReport) async throws {
        let replayer = try await Audit.replayKeeping(source, genesis: g, toBatch: k)
        let snapshot = try StateSnapshot(replayer: replayer, batchIndex: k)
        replayer.close()
        let t0 = Date()
        let bytes = try snapshot.encoded()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-bench-\(UUID().uuidString).snap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let written = Date().timeIntervalSince(t0)

        let t1 = Date()
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read back \(path)") }
        let loaded = try StateSnapshot(decoding: Array(data))
        let decoded = Date().timeIntervalSince(t1)
        let t3 = Date()
        let resumed = try await Audit.replay(source, genesis: g, snapshot: loaded)   // checks, loads, replays
        let replayed = Date().timeIntervalSince(t3)
        let total = decoded + replayed
        // The check alone, once more, for the breakdown (not part of the total).
        let t2 = Date()
        try SnapshotCheck.check(loaded, genesis: g, batch: try await source.batch(k))
        let checked = Date().timeIntervalSince(t2)
        guard resumed.ok, resumed.stateRoot == full.stateRoot, resumed.headHash == full.headHash else {
            throw CLIError("the replay from the snapshot does not end where the full replay does: \(resumed.summary)")
        }
        print(String(format: "snapshot after batch %llu (block %llu): %d records, %d bytes, written in %.2f s",
                     k, snapshot.header.number, snapshot.records.count, bytes.count, written))
        print(String(format: "replay from it: read+decode %.2f s, then check+load+replay of %llu txs in %llu blocks %.2f s (of which the check against the commitment %.2f s); total %.2f s",
                     decoded, resumed.transactions, resumed.blocks, replayed, checked, total))
        print(String(format: "full replay %.2f s → from the snapshot %.2f s (%.1f×); both end at block %llu, state root %@",
                     fullSeconds, total, fullSeconds / total, full.headBlock, full.stateRoot?.description ?? "-"))
    }
}
