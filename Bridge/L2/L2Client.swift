import Core
import Foundation
import Sequencer

/// The sequencer's L2 JSON-RPC API (docs/API.md) as the node and requester commands use it.
/// The same `JSONRPCClient` as for L1: it is plain JSON-RPC 2.0 over HTTP. Results come back
/// as the types the server answers from (`Account`, `Ticket`, `SettlementProof`).
public struct L2Client: Sendable {
    public let rpc: JSONRPCClient

    public init(url: URL, timeout: TimeInterval = 30, maxAttempts: Int = 5) {
        rpc = JSONRPCClient(url: url, timeout: timeout, maxAttempts: maxAttempts)
    }

    /// A quantity from a result: 0x-hex or decimal, as a string or a JSON number.
    public static func uint(_ v: JSONValue?, _ what: String) throws -> UInt256 {
        guard let s = text(v) else {
            throw JSONRPCClientError.malformedResponse("\(what) missing")
        }
        do { return try UInt256(parsing: s) } catch { throw JSONRPCClientError.malformedResponse("\(what): \(s)") }
    }

    /// A quantity that fits 64 bits (a nonce, a block or batch number).
    public static func uint64(_ v: JSONValue?, _ what: String) throws -> UInt64 {
        guard let n = try uint(v, what).uint64 else { throw JSONRPCClientError.malformedResponse("\(what) does not fit 64 bits") }
        return n
    }

    /// 32 bytes of 0x-hex (a root, a proof element).
    public static func hash(_ v: JSONValue?, _ what: String) throws -> Hash32 {
        let b = try bytes(v, what)
        guard b.count == 32, let h = try? Hash32(bytes: b) else { throw JSONRPCClientError.malformedResponse("\(what) is not 32 bytes") }
        return h
    }

    public static func text(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?, .number(let s)?: return s
        default: return nil
        }
    }

    public static func bytes(_ v: JSONValue?, _ what: String) throws -> Bytes {
        guard let s = v?.stringValue, let b = try? Hex.decode(s) else { throw JSONRPCClientError.malformedResponse("\(what) missing or not hex") }
        return b
    }

    public func chainInfo() async throws -> JSONValue { try await rpc.call("emeth_chainInfo") }

    public func account(_ a: Address) async throws -> Account {
        let r = try await rpc.call("emeth_getAccount", [.string(a.checksummed)])
        return Account(balance: try Self.uint(r["balance"], "balance"), nonce: try Self.uint64(r["nonce"], "nonce"),
                       credit: try Self.uint(r["credit"], "credit"))
    }

    /// Sends a signed transaction in its wire form; returns the hash the sequencer assigned.
    public func send(_ env: L2Envelope) async throws -> Bytes {
        try Self.bytes(try await rpc.call("emeth_sendTransaction", [env.json]), "transaction hash")
    }

    /// Signs `call` with `key` at the account's next nonce and sends it.
    public func send(_ call: L2Call, key: PrivateKey, domain: EIP712.Domain) async throws -> (hash: Bytes, nonce: UInt64) {
        let nonce = try await account(key.address).nonce
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        let sig = try Secp256k1.sign(digest: digest, key: key)
        return (try await send(L2Envelope(call: call, nonce: nonce, signature: sig.rsv)), nonce)
    }

    public func receipt(_ hash: Bytes) async throws -> JSONValue? {
        let r = try await rpc.call("emeth_getTransactionReceipt", [.string(hash.hex)])
        return r.isNull ? nil : r
    }

    public func ticket(_ a: Address) async throws -> Ticket? {
        let r = try await rpc.call("emeth_getTicket", [.string(a.checksummed)])
        if r.isNull { return nil }
        return Ticket(account: try Address(r["account"]?.stringValue ?? ""), credit: try Self.uint(r["credit"], "credit"),
                      blockNumber: try Self.uint64(r["blockNumber"], "blockNumber"), signature: try Self.bytes(r["signature"], "signature"))
    }

    /// The proof of `a`'s latest credit (in batch `batch`, or in the batch of its latest
    /// ticket); nil when the server answers null.
    public func settlementProof(_ a: Address, batch: UInt64? = nil) async throws -> SettlementProof? {
        var params: [JSONValue] = [.string(a.checksummed)]
        if let batch { params.append(.string("0x" + String(batch, radix: 16))) }
        let r = try await rpc.call("emeth_getSettlementProof", params)
        if r.isNull { return nil }
        guard let proof = r["proof"]?.arrayValue else { throw JSONRPCClientError.malformedResponse("proof missing") }
        return SettlementProof(account: try Address(r["account"]?.stringValue ?? ""), credit: try Self.uint(r["credit"], "credit"),
                               batchIndex: try Self.uint64(r["batchIndex"], "batchIndex"),
                               firstBlock: try Self.uint64(r["firstBlock"], "firstBlock"), lastBlock: try Self.uint64(r["lastBlock"], "lastBlock"),
                               root: try Self.hash(r["root"], "root"), proof: try proof.map { try Self.hash($0, "proof element") })
    }

    /// Stored blocks from `from` on (`emeth_getBlockRange`, what a follower pulls): the storage
    /// format they are in, the server's head, and each block's bytes.
    public func blockRange(from: UInt64, count: UInt64? = nil) async throws -> (format: UInt64, head: UInt64, blocks: [Bytes]) {
        var params: [JSONValue] = [.string("0x" + String(from, radix: 16))]
        if let count { params.append(.string("0x" + String(count, radix: 16))) }
        let r = try await rpc.call("emeth_getBlockRange", params)
        guard let list = r["blocks"]?.arrayValue else { throw JSONRPCClientError.malformedResponse("blocks missing") }
        return (try Self.uint64(r["format"], "format"), try Self.uint64(r["head"], "head"),
                try list.enumerated().map { try Self.bytes($0.element, "block \(from + UInt64($0.offset))") })
    }
}
