import Core
import Sequencer

/// A block header with the Signer's signature over its hash: what binds a state or
/// transaction proof's root to a block a verifier can trust. The verifier recomputes
/// `blockHash = keccak256(abi.encode(header))` (docs/PROTOCOL.md §5) — so a forged root
/// changes the hash — and can compare it with a hash it already trusts (an L1 batch's
/// `lastBlockHash`, the API) or recover the signature and compare the Signer's address.
public struct SignedHeader: Hashable, Sendable {
    public var header: BlockHeader
    /// 65 bytes `r ‖ s ‖ v` over `header.hash`; empty for block 0 (genesis is not signed).
    public var signature: Bytes

    public init(header: BlockHeader, signature: Bytes) {
        self.header = header
        self.signature = signature
    }

    public init(_ block: SealedBlock) { self.init(header: block.header, signature: block.signature) }

    public var hash: Hash32 { header.hash }
    public var number: UInt64 { header.number }

    /// The address that signed the block hash, or a reason why none can be recovered.
    public func recoverSigner() -> Swift.Result<Address, ProofError> {
        guard !signature.isEmpty else {
            return .failure(.format("block \(header.number) carries no signature\(header.number == 0 ? " (genesis is not signed)" : "")"))
        }
        do { return .success(try Secp256k1.recoverAddress(digest: hash.bytes, rsv: signature)) } catch {
            return .failure(.format("block \(header.number)'s signature cannot be recovered: \(error)"))
        }
    }

    /// nil when the block was signed by `signer`, else why not.
    public func signerMismatch(expected signer: Address) -> String? {
        switch recoverSigner() {
        case .failure(let e):
            if case .format(let m) = e { return m }
            return e.description
        case .success(let a):
            return a == signer ? nil : "block \(header.number) was signed by \(a.checksummed), not by the expected signer \(signer.checksummed)"
        }
    }
}

// MARK: - JSON form

extension SignedHeader {
    static let fields: Set<String> = ["number", "parentHash", "timestamp", "txRoot", "stateRoot", "settlementRoot",
                                      "inboxCursor", "txCount", "hash", "signature"]

    /// `{"number", "parentHash", "timestamp", "txRoot", "stateRoot", "settlementRoot",
    /// "inboxCursor", "txCount", "hash", "signature"}`: the header fields in the order they are
    /// hashed, the block hash (derived: a verifier recomputes it) and the signature.
    public var json: JSONValue {
        let h = header
        return .object([
            "number": .uint(h.number), "parentHash": .word(h.parentHash), "timestamp": .uint(h.timestamp),
            "txRoot": .word(h.txRoot), "stateRoot": .word(h.stateRoot), "settlementRoot": .word(h.settlementRoot),
            "inboxCursor": .uint(h.inboxCursor), "txCount": .uint(h.txCount),
            "hash": .word(hash), "signature": .hex(signature),
        ])
    }

    /// Reads the JSON form. `hash` is not trusted: `claimedHash` returns it for the verifier
    /// to compare with the recomputed one.
    public init(json: JSONValue) throws(ProofError) {
        let f = try JSONFields(json, "block", allowed: Self.fields)
        header = BlockHeader(number: try f.uint64("number"), parentHash: try f.hash("parentHash"), timestamp: try f.uint64("timestamp"),
                             txRoot: try f.hash("txRoot"), stateRoot: try f.hash("stateRoot"),
                             settlementRoot: try f.hash("settlementRoot"), inboxCursor: try f.uint64("inboxCursor"),
                             txCount: try f.uint64("txCount"))
        signature = f.optional("signature") == nil ? [] : try f.bytes("signature")
        guard signature.isEmpty || signature.count == 65 else {
            throw .format("block.signature must be 65 bytes (r ‖ s ‖ v) or empty, found \(signature.count)")
        }
    }

    /// The `hash` a JSON block object claims, if any (32-byte hex), for the verifier.
    static func claimedHash(_ json: JSONValue) throws(ProofError) -> Hash32? {
        guard let v = json["hash"], !v.isNull else { return nil }
        let b = try JSONFields.bytes(v, "block.hash", count: 32)
        return try! Hash32(bytes: b)
    }
}
