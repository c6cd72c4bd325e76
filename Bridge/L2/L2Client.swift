import Core
import Foundation
import Sequencer

/// The sequencer's L2 JSON-RPC API (docs/API.md, docs/API.md) as the node and requester
/// commands use it. The same `JSONRPCClient` as for L1: it is plain JSON-RPC 2.0 over HTTP.
public struct L2Client: Sendable {
    public let rpc: JSONRPCClient

    public init(url: URL) { rpc = JSONRPCClient(url: url) }

    public struct Account: Sendable, Equatable {
        public let balance: UInt256
        public let nonce: UInt64
        public let credit: UInt256
    }

    public struct TicketInfo: Sendable, Equatable {
        public let account: Address
        public let credit: UInt256
        public let blockNumber: UInt64
        public let signature: Bytes
    }

    public struct SettlementProofInfo: Sendable, Equatable {
        public let account: Address
        public let credit: UInt256
        public let batchIndex: UInt64
        public let proof: [Bytes]
        public let root: Bytes

        public init(account: Address, credit: UInt256, batchIndex: UInt64, proof: [Bytes], root: Bytes) {
            self.account = account; self.credit = credit; self.batchIndex = batchIndex; self.proof = proof; self.root = root
        }
    }

    /// A quantity from a result: 0x-hex or decimal, as a string or a JSON number.
    public static func uint(_ v: JSONValue?, _ what: String) throws -> UInt256 {
        guard let s = text(v) else {
            throw RPCError.malformedResponse("\(what) missing")
        }
        do { return try UInt256(parsing: s) } catch { throw RPCError.malformedResponse("\(what): \(s)") }
    }

    public static func text(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?, .number(let s)?: return s
        default: return nil
        }
    }

    public static func bytes(_ v: JSONValue?, _ what: String) throws -> Bytes {
        guard let s = v?.stringValue, let b = try? Hex.decode(s) else { throw RPCError.malformedResponse("\(what) missing or not hex") }
        return b
    }

    public func chainInfo() async throws -> JSONValue { try await rpc.call("emeth_chainInfo") }

    public func account(_ a: Address) async throws -> Account {
        let r = try await rpc.call("emeth_getAccount", [.string(a.checksummed)])
        return Account(balance: try Self.uint(r["balance"], "balance"), nonce: try Self.uint(r["nonce"], "nonce").uint64 ?? 0,
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

    public func ticket(_ a: Address) async throws -> TicketInfo? {
        let r = try await rpc.call("emeth_getTicket", [.string(a.checksummed)])
        if r.isNull { return nil }
        return TicketInfo(account: try Address(r["account"]?.stringValue ?? ""), credit: try Self.uint(r["credit"], "credit"),
                          blockNumber: try Self.uint(r["blockNumber"], "blockNumber").uint64 ?? 0,
                          signature: try Self.bytes(r["signature"], "signature"))
    }

    public func settlementProof(_ a: Address, batch: UInt64? = nil) async throws -> SettlementProofInfo? {
        var params: [JSONValue] = [.string(a.checksummed)]
        if let batch { params.append(.string("0x" + String(batch, radix: 16))) }
        let r = try await rpc.call("emeth_getSettlementProof", params)
        if r.isNull { return nil }
        guard let proof = r["proof"]?.arrayValue else { throw RPCError.malformedResponse("proof missing") }
        return SettlementProofInfo(account: try Address(r["account"]?.stringValue ?? ""), credit: try Self.uint(r["credit"], "credit"),
                                   batchIndex: try Self.uint(r["batchIndex"], "batchIndex").uint64 ?? 0,
                                   proof: try proof.map { try Self.bytes($0, "proof element") }, root: try Self.bytes(r["root"], "root"))
    }
}
