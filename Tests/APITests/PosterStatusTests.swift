import API
import Core
import Sequencer
import Testing
@testable import Bridge
@testable import Node

/// What receipts and /metrics learn from the batch poster: only batches L1 holds count, block
/// lookups find the right batch, and a round that re-reads only the open batches keeps the
/// final ones it does not re-read.
@Suite struct PosterStatusTests {
    static func record(_ index: UInt64, _ blocks: ClosedRange<UInt64>, _ status: BatchRecord.Status, gas: UInt64) -> BatchRecord {
        var r = BatchRecord(index: index, firstBlock: blocks.lowerBound, lastBlock: blocks.upperBound, txId: "batch/\(index)/0",
                            calldata: [], dataBytes: 0, decidedAtMs: 0)
        r.status = status
        r.l1TxHash = Keccak.hash256([UInt8(index)])
        r.gasUsed = gas
        return r
    }

    @Test func receiptsSeeOnlyCommittedBatchesAndPartialRoundsKeepTheFinalOnes() throws {
        let s = PosterStatus()
        s.update([Self.record(0, 1...2, .final, gas: 100), Self.record(1, 3...5, .committed, gas: 200),
                  Self.record(2, 6...6, .posted, gas: 0), Self.record(3, 7...8, .decided, gas: 0)], from: 0, backlogBytes: 42)
        #expect(s.batch(containing: 1)?.index == 0 && s.batch(containing: 2)?.final == true)
        #expect(s.batch(containing: 4)?.index == 1 && s.batch(containing: 4)?.final == false)
        #expect(s.batch(containing: 6) == nil)   // posted, not yet on L1
        #expect(s.batch(containing: 7) == nil)   // only decided
        #expect(s.batch(containing: 9) == nil)
        #expect(s.batch(index: 1)?.lastBlock == 5 && s.batch(index: 2) == nil && s.batch(index: 7) == nil)
        #expect(s.latestFinal?.index == 0)
        #expect(s.l1GasSpent == 300 && s.backlogBytes == 42)

        // The next round re-reads from the first open batch (1): batch 0 is kept as it was.
        s.update([Self.record(1, 3...5, .final, gas: 200), Self.record(2, 6...6, .committed, gas: 150)], from: 1, backlogBytes: 0)
        #expect(s.batch(containing: 1)?.index == 0)
        #expect(s.batch(containing: 6)?.index == 2)
        #expect(s.latestFinal?.index == 1)
        #expect(s.l1GasSpent == 450)
    }

    /// What the `batches` subscriptions hear: a batch once L1 holds it and once it is final,
    /// each once; a starting node's first load is history and reports nothing.
    @Test func reportsBatchesAsL1CommitsThemAndMakesThemFinal() {
        let s = PosterStatus()
        let heard = LockedValue<[[BatchStatus]]>([])
        s.observeChanges { changed in heard.withLock { $0.append(changed) } }
        s.update([Self.record(0, 1...2, .final, gas: 1), Self.record(1, 3...4, .committed, gas: 1)], from: 0, backlogBytes: 0, report: false)
        #expect(heard.value.isEmpty)
        s.update([Self.record(1, 3...4, .committed, gas: 1), Self.record(2, 5...5, .posted, gas: 0)], from: 1, backlogBytes: 0)
        #expect(heard.value.isEmpty)   // batch 1 was committed already; batch 2 is only posted
        s.update([Self.record(1, 3...4, .final, gas: 1), Self.record(2, 5...5, .committed, gas: 1)], from: 1, backlogBytes: 0)
        let h1 = try? Hash32(bytes: Keccak.hash256([1])), h2 = try? Hash32(bytes: Keccak.hash256([2]))
        #expect(heard.value == [[BatchStatus(index: 1, firstBlock: 3, lastBlock: 4, l1TxHash: h1, final: true),
                                 BatchStatus(index: 2, firstBlock: 5, lastBlock: 5, l1TxHash: h2, final: false)]])
        s.update([Self.record(2, 5...5, .committed, gas: 1)], from: 2, backlogBytes: 0)
        #expect(heard.value.count == 1)   // nothing new
        #expect(s.recentBatches(limit: 2).map(\.index) == [2, 1] && s.recentBatches(limit: 10).map(\.index) == [2, 1, 0])
    }

    /// A follower's audited batches report the same way: its first audit round is history.
    @Test func aFollowersAuditedBatchesReportWhatBecameCommittedOrFinal() {
        let view = L1BatchView()
        let heard = LockedValue<[[UInt64]]>([])
        view.observeChanges { changed in heard.withLock { $0.append(changed.map(\.index)) } }
        let tx = try? Hash32(bytes: Keccak.hash256([9]))
        func b(_ i: UInt64, final: Bool) -> BatchStatus { BatchStatus(index: i, firstBlock: i * 2 + 1, lastBlock: i * 2 + 2, l1TxHash: tx, final: final) }
        view.set([b(0, final: true), b(1, final: false)])
        #expect(heard.value.isEmpty)
        view.set([b(0, final: true), b(1, final: false), b(2, final: false)])
        view.set([b(0, final: true), b(1, final: true), b(2, final: false)])
        view.set([b(0, final: true), b(1, final: true), b(2, final: false)])
        #expect(heard.value == [[2], [1]])
        #expect(view.recentBatches(limit: 2).map(\.index) == [2, 1])
    }
}
