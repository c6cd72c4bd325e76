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

    /// Every real rollup log is answered together with a copy from `impostor` and a `removed`
    /// copy; the copies of `BatchCommitted` claim batch `fakeBatch`, of `InboxMessage` index `fakeIndex`.
    static func lyingRollup(_ f: F, impostor: Address, fakeIndex: UInt64, fakeBatch: UInt64) -> RollupContract {
        let inboxTopic = RollupContract.inboxMessageEvent.topic0.hex, commitTopic = RollupContract.batchCommittedEvent.topic0.hex
        @Sendable func word(_ n: UInt64) -> JSONValue { .string("0x" + String(repeating: "0", count: 48) + String(format: "%016llx", n)) }
        let rpc = JSONRPCClient(url: f.devnet.url, timeout: 30, maxAttempts: 3) { method, _, result in
            guard method == "eth_getLogs", let logs = result.arrayValue else { return result }
            var out = logs
            for l in logs {
                guard var o = l.objectValue, var topics = o["topics"]?.arrayValue, let t0 = topics.first?.stringValue,
                      t0 == inboxTopic || t0 == commitTopic else { continue }
                topics[1] = word(t0 == inboxTopic ? fakeIndex : fakeBatch)
                o["topics"] = .array(topics)
                var forged = o
                forged["address"] = .string(impostor.checksummed)
                var removed = o
                removed["removed"] = .bool(true)
                out.insert(.object(forged), at: 0)
                out.append(.object(removed))
            }
            return .array(out)
        }
        return RollupContract(address: f.deployment.rollup, eth: EthClient(rpc: rpc))
    }

    @Test func forgedAndRemovedLogsAreNotHistory() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(7) * F.emt)
        try await f.sealBlocks(2)
        let store = try BridgeStore(path: f.bridgeDir)
        try await f.postAll(try f.poster(store, try f.txManager(store), maxBlocks: 2))
        let liar = Self.lyingRollup(f, impostor: f.deployment.token, fakeIndex: 3, fakeBatch: 1)
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
