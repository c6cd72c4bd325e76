import Core
import Foundation
import Testing
@testable import Bridge
@testable import Sequencer

/// Two sequencer nodes in HA mode post batches with one L1 key, each from its own bridge store
/// (README "Running highly available"): whichever leads posts. A node leading again after the
/// other led finds its records stopping where its earlier term did; it continues after L1's
/// last batch, and a batch it decided that the other node committed first is given up, never
/// posted twice.
@Suite(.serialized) struct PosterHandoverDevnetTests {
    typealias F = BridgeFixture

    func poster(_ f: F, _ name: String) throws -> BatchPoster {
        let dir = f.dir + "/bridge-" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try BridgeStore(path: dir)
        var c = TxManagerConfig()
        c.confirmations = 1
        let txm = try TxManager(store: store, lockDirectory: dir, key: f.sequencer, chainId: 31337, eth: f.eth, config: c)
        return try f.poster(store, txm, maxBlocks: 2)
    }

    @Test func aPosterLeadingAgainContinuesAfterTheBatchesAnotherPosted() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        let a = try poster(f, "a"), b = try poster(f, "b")

        try await f.sealBlocks(2)
        try await f.postAll(a)  // a leads: batch 0 = blocks 1–2
        try await f.sealBlocks(2)
        try await f.postAll(b)  // a died; b (a new store) adopts L1's count: batch 1 = blocks 3–4
        try await f.sealBlocks(2)
        try await f.postAll(a)  // a leads again: batch 2 = blocks 5–6, not its stale batch 1
        #expect(try await f.rollup.batchCount() == 3)
        #expect(try await a.record(1) == nil)
        #expect(try await a.record(2)?.status == .committed)
        #expect(try await a.record(2)?.firstBlock == 5)

        // a decides batch 3 (blocks 7–8) but b commits it first: a's is refused by L1 and given up.
        try await f.sealBlocks(2)
        let decided = try await a.step()
        #expect(decided.decided == [3])
        try await f.postAll(b)
        #expect(try await b.record(3)?.status == .committed)
        try await f.sealBlocks(2)
        try await f.postAll(a)  // batch 4 = blocks 9–10
        #expect(try await a.record(3)?.status == .reverted)
        #expect(try await a.record(4)?.status == .committed)

        // On L1: each index once, the blocks contiguous.
        #expect(try await f.rollup.batchCount() == 5)
        for i in UInt64(0)..<5 {
            let batch = try await f.rollup.batch(i)
            #expect(batch.firstBlock == 2 * i + 1 && batch.lastBlock == 2 * i + 2)
        }
    }
}
