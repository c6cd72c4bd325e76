import Core
import Sequencer

/// Inclusion of an L2 transaction hash at position `index` of a block's txRoot (the ordered
/// Merkle tree of docs/PROTOCOL.md §5; the header's txCount fixes its shape). Proves the
/// transaction was sequenced in that block, at that position — not its outcome: receipts
/// are not committed by txRoot.
public struct TransactionProof: Hashable, Sendable {
    public var txHash: Hash32
    public var index: UInt64
    public var block: SignedHeader
    /// Siblings from the leaf upwards, skipping levels where the node is carried up unpaired.
    public var proof: [Hash32]

    public init(txHash: Hash32, index: UInt64, block: SignedHeader, proof: [Hash32]) {
        self.txHash = txHash; self.index = index; self.block = block; self.proof = proof
    }

    public var blockNumber: UInt64 { block.header.number }
    public var txRoot: Hash32 { block.header.txRoot }
    public var txCount: UInt64 { block.header.txCount }

    public func verify() -> Bool { failure() == nil }

    /// nil when valid, else why not.
    public func failure() -> String? {
        guard index < txCount else { return "index \(index) is outside the block's \(txCount) transactions" }
        guard txCount <= UInt64(Int.max) else { return "txCount \(txCount) is out of range" }
        guard OrderedMerkleTree.verify(leaf: txHash.bytes, index: Int(index), count: Int(txCount), proof: proof.map(\.bytes),
                                       root: txRoot.bytes) else {
            return "the proof does not lead from transaction \(txHash.bytes.hex) at index \(index) to txRoot \(txRoot.bytes.hex)"
        }
        return nil
    }

    /// The proof for a sequenced transaction, or nil when the store does not know the hash.
    public static func build(store: ChainStore, txHash: Hash32) throws -> TransactionProof? {
        guard let loc = try store.location(of: txHash) else { return nil }
        guard let b = try store.block(loc.block) else { throw ProofError.store("block \(loc.block) of transaction \(txHash) is missing") }
        let hashes = b.transactions.map(\.hash.bytes)
        guard Int(loc.index) < hashes.count, hashes[Int(loc.index)] == txHash.bytes,
              let p = OrderedMerkleTree.proof(hashes, index: Int(loc.index)) else {
            throw ProofError.store("the index says transaction \(txHash) is #\(loc.index) of block \(loc.block), but it is not")
        }
        return TransactionProof(txHash: txHash, index: UInt64(loc.index), block: SignedHeader(b), proof: p.map { try! Hash32(bytes: $0) })
    }
}

// MARK: - JSON form

extension TransactionProof {
    static let fields: Set<String> = ["type", "txHash", "index", "blockNumber", "txCount", "txRoot", "proof", "block"]
    static let derivedFields = ["blockNumber", "txCount", "txRoot"]

    /// `{"type": "transaction", "txHash", "index", "blockNumber", "txCount", "txRoot", "proof",
    /// "block": {header…, "hash", "signature"}}`; blockNumber, txCount and txRoot repeat the
    /// header's for readability.
    public var json: JSONValue {
        .object([
            "type": .string("transaction"), "txHash": .word(txHash), "index": .uint(index), "blockNumber": .uint(blockNumber),
            "txCount": .uint(txCount), "txRoot": .word(txRoot), "proof": .array(proof.map(JSONValue.word)), "block": block.json,
        ])
    }

    public init(json: JSONValue) throws(ProofError) {
        let f = try JSONFields(json, "", allowed: Self.fields)
        if let t = f.optional("type"), t != .string("transaction") { throw .format("\"type\" is \(t), expected \"transaction\"") }
        self.init(txHash: try f.hash("txHash"), index: try f.uint64("index"), block: try SignedHeader(json: try f.required("block")),
                  proof: try f.hashes("proof"))
    }
}
