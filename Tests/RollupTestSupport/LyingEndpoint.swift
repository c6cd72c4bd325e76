import Bridge
import Core
import Foundation

extension BridgeFixture {
    /// Every real rollup log is answered together with a copy from `impostor` and a `removed`
    /// copy; the copies of `BatchCommitted` claim batch `fakeBatch`, of `InboxMessage` index `fakeIndex`.
    public func lyingRollup(impostor: Address, fakeIndex: UInt64, fakeBatch: UInt64 = 0) -> RollupContract {
        let inboxTopic = RollupContract.inboxMessageEvent.topic0.hex, commitTopic = RollupContract.batchCommittedEvent.topic0.hex
        @Sendable func word(_ n: UInt64) -> JSONValue { .string("0x" + String(repeating: "0", count: 48) + String(format: "%016llx", n)) }
        let rpc = JSONRPCClient(url: devnet.url, timeout: 30, maxAttempts: 3) { method, _, result in
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
        return RollupContract(address: deployment.rollup, eth: EthClient(rpc: rpc))
    }
}
