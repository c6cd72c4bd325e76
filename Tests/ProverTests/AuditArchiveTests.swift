import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The archive format: an export from a chain store replays to the same head, a second export
/// skips what is there, a damaged file is re-exported, and a replay of a damaged archive names
/// the batch whose data no longer hashes to its commitment.
@Suite(.serialized) struct AuditArchiveTests {
    var c: AuditLocalChain { AuditReplayTests.chain }

    func tempDir() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("emeth-archive-\(UUID().uuidString)").path }

    @Test func aStoreExportReplaysAndResumes() async throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let archive = try BatchArchive(directory: dir)
        let lines = LogLines()
        let first = try ArchiveExporter(archive: archive, logger: lines.logger).exportFromStore(c.store, blocksPerBatch: 3)
        #expect(first.written == [0, 1, 2] && first.skipped == [] && first.inboxMessages == 5)
        #expect(try archive.indices() == [0, 1, 2])
        #expect(try archive.read(2).commitment.firstBlock == 7 && archive.read(2).commitment.lastBlock == 8)
        #expect(lines.all.first == "batch 0: blocks 1…3, \(try archive.read(0).commitment.data.count) bytes")
        let index = try archive.readIndex()
        #expect(index.source == "db" && index.lastBatch == 2 && index.inboxMessages == 5)
        #expect(index.batches.map(\.file) == ["batch-00000000.json", "batch-00000001.json", "batch-00000002.json"])

        let report = try await Audit.replay(ArchiveSource(archive), genesis: c.genesis)
        #expect(report.ok && report.batches == 3 && report.blocks == 8 && report.transactions == 12)
        #expect(report.headHash == c.store.head.header.hash)

        // Resumable: nothing to do the second time.
        let again = try ArchiveExporter(archive: archive).exportFromStore(c.store, blocksPerBatch: 3)
        #expect(again.written == [] && again.skipped == [0, 1, 2])

        // A damaged file fails its replay at that batch's data hash…
        let good = try archive.read(1)
        var data = good.commitment.data
        data[5] ^= 0x40
        let g = good.commitment
        try archive.write(ArchivedBatch(commitment: BatchCommitment(batchIndex: 1, firstBlock: g.firstBlock, lastBlock: g.lastBlock, lastBlockHash: g.lastBlockHash,
                                                                    stateRoot: g.stateRoot, settlementRoot: g.settlementRoot, totalCredit: g.totalCredit,
                                                                    totalBurned: g.totalBurned, inboxCursor: g.inboxCursor, data: data),
                                        dataHash: good.dataHash))
        #expect(!archive.isIntact(1))
        let bad = try await Audit.replay(ArchiveSource(archive), genesis: c.genesis)
        let d = try #require(bad.divergence)
        #expect(d.batch == 1 && d.block == nil && d.tx == nil && d.field == "dataHash" && d.expected == good.dataHash.description)
        #expect(bad.batches == 1 && bad.headBlock == 3)
        // …and a resumed export replaces exactly it.
        let repaired = try ArchiveExporter(archive: archive).exportFromStore(c.store, blocksPerBatch: 3)
        #expect(repaired.written == [1] && repaired.skipped == [0, 2])
        #expect(try archive.read(1) == good)
    }

    @Test func theReportJSONNamesTheDivergence() throws {
        let d = Divergence(batch: 3, block: 17, tx: 2, field: "stateRoot", expected: "0xaa", found: "0xbb", detail: "why")
        var r = AuditReport()
        r.divergence = d
        let j = r.json
        #expect(j["ok"] == .bool(false))
        #expect(j["divergence"]?["batch"] == .number("3") && j["divergence"]?["block"] == .number("17") && j["divergence"]?["tx"] == .number("2"))
        #expect(j["divergence"]?["field"] == .string("stateRoot") && j["divergence"]?["expected"] == .string("0xaa") && j["divergence"]?["found"] == .string("0xbb"))
        #expect(d.description == "batch 3, block 17, tx 2: stateRoot differs: expected 0xaa, found 0xbb (why)")
    }

    @Test func archivedBatchesRoundTripThroughJSON() throws {
        for b in c.batches {
            #expect(try ArchivedBatch(json: try JSONValue.parse(b.json.serialized)) == b)
        }
        for m in c.inbox { #expect(try InboxJSON.decode(InboxJSON.encode(m)) == m) }
    }
}
