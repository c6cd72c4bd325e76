import Bridge
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The auditor's L1 reading checks what the endpoint says: `InboxMessage` and `BatchCommitted`
/// logs of another address, or marked `removed`, are not part of the history.
@Suite(.serialized) struct AuditLyingEndpointTests {
    typealias F = BridgeFixture

    @Test func forgedAndRemovedLogsAreNotHistory() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(7) * F.emt)
        try await f.sealBlocks(2)
        let store = try BridgeStore(path: f.bridgeDir)
        try await f.postAll(try f.poster(store, try f.txManager(store), maxBlocks: 2))
        let liar = f.lyingRollup(impostor: f.deployment.token, fakeIndex: 3, fakeBatch: 1)
        let history = L1History(rollup: liar, fromBlock: f.deployment.block)
        let raw = try await liar.eth.logs(address: f.deployment.rollup, topics: [[RollupContract.batchCommittedEvent.topic0]],
                                          from: .number(f.deployment.block), to: .latest)
        #expect(raw.count == 3)
        #expect(try await history.inbox().map(\.index) == [0, 1, 2])
        #expect(try await history.liveBatches().map(\.batchIndex) == [0])
        let report = try await Audit.replay(try await L1Source.open(history), genesis: f.genesis)
        #expect(report.ok && report.batches == 1 && report.blocks == 2 && report.inboxMessages == 3)
    }
}
