import Core
import Foundation

/// Typed access to the standard `eth_*` methods the bridge uses. Nothing here is specific
/// to our devnet: any Ethereum-compatible endpoint answers these.
public struct EthClient: Sendable {
    public let rpc: JSONRPCClient

    public init(rpc: JSONRPCClient) { self.rpc = rpc }

    public init(url: URL) { self.rpc = JSONRPCClient(url: url) }

    public func chainId() async throws(JSONRPCClientError) -> UInt256 {
        try Field.quantity(try await rpc.call("eth_chainId"), "chainId")
    }

    /// Fails with a clear message when the endpoint serves another chain than configured:
    /// signing for the wrong chain is the one mistake a bridge must never make silently.
    public func requireChainId(_ expected: UInt256) async throws -> UInt256 {
        let actual = try await chainId()
        guard actual == expected else { throw BridgeConfigError.wrongChain(expected: expected, actual: actual, url: rpc.url.absoluteString) }
        return actual
    }

    public func blockNumber() async throws(JSONRPCClientError) -> UInt64 {
        try Field.uint64(try await rpc.call("eth_blockNumber"), "blockNumber")
    }

    public func balance(of a: Address, at block: BlockTag = .latest) async throws(JSONRPCClientError) -> UInt256 {
        try Field.quantity(try await rpc.call("eth_getBalance", [.string(a.checksummed), block.json]), "balance")
    }

    public func transactionCount(of a: Address, at block: BlockTag = .pending) async throws(JSONRPCClientError) -> UInt64 {
        try Field.uint64(try await rpc.call("eth_getTransactionCount", [.string(a.checksummed), block.json]), "nonce")
    }

    public func gasPrice() async throws(JSONRPCClientError) -> UInt256 {
        try Field.quantity(try await rpc.call("eth_gasPrice"), "gasPrice")
    }

    public func maxPriorityFeePerGas() async throws(JSONRPCClientError) -> UInt256 {
        try Field.quantity(try await rpc.call("eth_maxPriorityFeePerGas"), "maxPriorityFeePerGas")
    }

    public func feeHistory(blocks: Int, newest: BlockTag = .latest, percentiles: [Double] = []) async throws(JSONRPCClientError) -> FeeHistory {
        let r = try await rpc.call("eth_feeHistory", [.string("0x" + String(blocks, radix: 16)), newest.json,
                                                     .array(percentiles.map { .number(String($0)) })])
        var base: [UInt256] = []
        for b in r["baseFeePerGas"]?.arrayValue ?? [] { base.append(try Field.quantity(b, "baseFeePerGas")) }
        var rewards: [[UInt256]] = []
        for row in r["reward"]?.arrayValue ?? [] {
            var out: [UInt256] = []
            for v in row.arrayValue ?? [] { out.append(try Field.quantity(v, "reward")) }
            rewards.append(out)
        }
        let ratios = (r["gasUsedRatio"]?.arrayValue ?? []).compactMap { v -> Double? in
            if case .number(let n) = v { return Double(n) }
            return nil
        }
        return FeeHistory(oldestBlock: try Field.uint64(r["oldestBlock"], "oldestBlock"), baseFeePerGas: base,
                          gasUsedRatio: ratios, reward: rewards)
    }

    public func estimateGas(_ call: CallRequest) async throws(JSONRPCClientError) -> UInt64 {
        try Field.uint64(try await rpc.call("eth_estimateGas", [call.json]), "gas")
    }

    public func call(_ call: CallRequest, at block: BlockTag = .latest) async throws(JSONRPCClientError) -> Bytes {
        try Field.data(try await rpc.call("eth_call", [call.json, block.json]), "call result")
    }

    public func code(at a: Address, block: BlockTag = .latest) async throws(JSONRPCClientError) -> Bytes {
        try Field.data(try await rpc.call("eth_getCode", [.string(a.checksummed), block.json]), "code")
    }

    /// Sends signed bytes; returns the transaction hash the node reports.
    public func sendRawTransaction(_ raw: Bytes) async throws(JSONRPCClientError) -> Bytes {
        try Field.data(try await rpc.call("eth_sendRawTransaction", [.string(raw.hex)]), "transaction hash")
    }

    public func receipt(_ hash: Bytes) async throws(JSONRPCClientError) -> EthReceipt? {
        let r = try await rpc.call("eth_getTransactionReceipt", [.string(hash.hex)])
        return r.isNull ? nil : try EthReceipt(json: r)
    }

    /// Whether the node knows the transaction at all (mined or pending).
    public func transactionKnown(_ hash: Bytes) async throws(JSONRPCClientError) -> Bool {
        !(try await rpc.call("eth_getTransactionByHash", [.string(hash.hex)])).isNull
    }

    public func block(_ tag: BlockTag) async throws(JSONRPCClientError) -> EthBlock? {
        let r = try await rpc.call("eth_getBlockByNumber", [tag.json, .bool(false)])
        return r.isNull ? nil : try EthBlock(json: r)
    }

    public func logs(address: Address?, topics: [[Bytes]?] = [], from: BlockTag, to: BlockTag) async throws(JSONRPCClientError) -> [EthLog] {
        var filter: [String: JSONValue] = ["fromBlock": from.json, "toBlock": to.json]
        if let address { filter["address"] = .string(address.checksummed) }
        if !topics.isEmpty {
            filter["topics"] = .array(topics.map { t in t.map { .array($0.map { .string($0.hex) }) } ?? .null })
        }
        guard let list = try await rpc.call("eth_getLogs", [.object(filter)]).arrayValue else {
            throw .malformedResponse("eth_getLogs did not return an array")
        }
        var out: [EthLog] = []
        for l in list { out.append(try EthLog(json: l)) }
        return out
    }

    /// Polls for a receipt until it appears or `timeout` passes.
    public func waitForReceipt(_ hash: Bytes, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(100)) async throws -> EthReceipt {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let r = try await receipt(hash) { return r }
            try await Task.sleep(for: poll)
        }
        throw BridgeConfigError.timeout("no receipt for \(hash.hex) after \(timeout)")
    }
}

public enum BridgeConfigError: Error, CustomStringConvertible, Equatable {
    case wrongChain(expected: UInt256, actual: UInt256, url: String)
    case timeout(String)

    public var description: String {
        switch self {
        case .wrongChain(let e, let a, let u): return "L1 endpoint \(u) serves chain id \(a), but chain id \(e) is configured"
        case .timeout(let m): return "timed out: \(m)"
        }
    }
}
