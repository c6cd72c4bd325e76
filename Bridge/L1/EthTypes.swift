import Core

/// A block selector as Ethereum's JSON-RPC spells it.
public enum BlockTag: Sendable, Equatable {
    case latest, pending, safe, finalized, earliest
    case number(UInt64)

    var json: JSONValue {
        switch self {
        case .latest: return .string("latest")
        case .pending: return .string("pending")
        case .safe: return .string("safe")
        case .finalized: return .string("finalized")
        case .earliest: return .string("earliest")
        case .number(let n): return .string("0x" + String(n, radix: 16))
        }
    }
}

public struct EthLog: Sendable, Equatable {
    public let address: Address
    public let topics: [Bytes]
    public let data: Bytes
    public let blockNumber: UInt64
    public let blockHash: Bytes
    public let transactionHash: Bytes
    public let logIndex: UInt64
    public let removed: Bool
}

public struct EthReceipt: Sendable, Equatable {
    public let transactionHash: Bytes
    public let blockNumber: UInt64
    public let blockHash: Bytes
    public let status: Bool
    public let gasUsed: UInt64
    public let effectiveGasPrice: UInt256
    public let contractAddress: Address?
    public let logs: [EthLog]
}

public struct EthBlock: Sendable, Equatable {
    public let number: UInt64
    public let hash: Bytes
    public let parentHash: Bytes
    public let timestamp: UInt64
    public let baseFeePerGas: UInt256?
    public let gasLimit: UInt64
}

public struct FeeHistory: Sendable, Equatable {
    public let oldestBlock: UInt64
    public let baseFeePerGas: [UInt256]
    public let gasUsedRatio: [Double]
    public let reward: [[UInt256]]
}

/// `eth_call` / `eth_estimateGas` parameters.
public struct CallRequest: Sendable {
    public var from: Address?
    public var to: Address?
    public var data: Bytes
    public var value: UInt256?
    public var gas: UInt64?

    public init(from: Address? = nil, to: Address?, data: Bytes, value: UInt256? = nil, gas: UInt64? = nil) {
        self.from = from; self.to = to; self.data = data; self.value = value; self.gas = gas
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["data": .string(data.hex), "input": .string(data.hex)]
        if let from { o["from"] = .string(from.checksummed) }
        if let to { o["to"] = .string(to.checksummed) }
        if let value { o["value"] = .string(value.hexQuantity) }
        if let gas { o["gas"] = .string("0x" + String(gas, radix: 16)) }
        return .object(o)
    }
}

/// Field extraction from JSON-RPC results, with errors that say which field was wrong.
enum Field {
    static func value(_ v: JSONValue?, _ name: String) throws(JSONRPCClientError) -> JSONValue {
        guard let v, !v.isNull else { throw .malformedResponse("missing field \(name)") }
        return v
    }

    static func quantity(_ v: JSONValue?, _ name: String) throws(JSONRPCClientError) -> UInt256 {
        let j = try value(v, name)
        switch j {
        case .string(let s):
            guard s.hasPrefix("0x"), let n = try? UInt256(hex: s) else { throw .malformedResponse("\(name) is not a hex quantity: \(s)") }
            return n
        case .number(let s):
            // Tolerate endpoints that answer plain JSON numbers.
            guard let n = try? UInt256(decimal: s) else { throw .malformedResponse("\(name) is not a quantity: \(s)") }
            return n
        default: throw .malformedResponse("\(name) is not a quantity: \(j.serialized)")
        }
    }

    static func uint64(_ v: JSONValue?, _ name: String) throws(JSONRPCClientError) -> UInt64 {
        let n = try quantity(v, name)
        guard let small = n.uint64 else { throw .malformedResponse("\(name) does not fit 64 bits: \(n)") }
        return small
    }

    static func data(_ v: JSONValue?, _ name: String) throws(JSONRPCClientError) -> Bytes {
        guard let s = try value(v, name).stringValue, let b = try? Hex.decode(s) else {
            throw .malformedResponse("\(name) is not hex data")
        }
        return b
    }

    static func address(_ v: JSONValue?, _ name: String) throws(JSONRPCClientError) -> Address {
        guard let s = try value(v, name).stringValue, let a = try? Address(s.lowercased()) else {
            throw .malformedResponse("\(name) is not an address")
        }
        return a
    }
}

extension EthLog {
    init(json j: JSONValue) throws(JSONRPCClientError) {
        address = try Field.address(j["address"], "log.address")
        guard let ts = j["topics"]?.arrayValue else { throw .malformedResponse("log.topics missing") }
        var topics: [Bytes] = []
        for t in ts { topics.append(try Field.data(t, "log.topics")) }
        self.topics = topics
        data = try Field.data(j["data"], "log.data")
        blockNumber = try Field.uint64(j["blockNumber"], "log.blockNumber")
        blockHash = try Field.data(j["blockHash"], "log.blockHash")
        transactionHash = try Field.data(j["transactionHash"], "log.transactionHash")
        logIndex = try Field.uint64(j["logIndex"], "log.logIndex")
        removed = j["removed"]?.boolValue ?? false
    }
}

extension EthReceipt {
    init(json j: JSONValue) throws(JSONRPCClientError) {
        transactionHash = try Field.data(j["transactionHash"], "receipt.transactionHash")
        blockNumber = try Field.uint64(j["blockNumber"], "receipt.blockNumber")
        blockHash = try Field.data(j["blockHash"], "receipt.blockHash")
        status = try Field.quantity(j["status"], "receipt.status") == 1
        gasUsed = try Field.uint64(j["gasUsed"], "receipt.gasUsed")
        effectiveGasPrice = (try? Field.quantity(j["effectiveGasPrice"], "receipt.effectiveGasPrice")) ?? .zero
        if let c = j["contractAddress"], !c.isNull { contractAddress = try Field.address(c, "receipt.contractAddress") } else { contractAddress = nil }
        var logs: [EthLog] = []
        for l in j["logs"]?.arrayValue ?? [] { logs.append(try EthLog(json: l)) }
        self.logs = logs
    }
}

extension EthBlock {
    init(json j: JSONValue) throws(JSONRPCClientError) {
        number = try Field.uint64(j["number"], "block.number")
        hash = try Field.data(j["hash"], "block.hash")
        parentHash = try Field.data(j["parentHash"], "block.parentHash")
        timestamp = try Field.uint64(j["timestamp"], "block.timestamp")
        if let b = j["baseFeePerGas"], !b.isNull { baseFeePerGas = try Field.quantity(b, "block.baseFeePerGas") } else { baseFeePerGas = nil }
        gasLimit = try Field.uint64(j["gasLimit"], "block.gasLimit")
    }
}
