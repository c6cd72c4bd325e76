import Core
import Sequencer

// `SettlementProof` itself lives in Sequencer (Batches/SettlementProof.swift), beside the
// `BatchSettlement` it is built from, so the API and the L2 client share the one type. Here:
// building one from a chain store, and its pinned file form.

// MARK: - Building

extension SettlementProof {
    /// The proof of `account`'s latest credit in `blocks` (a batch's range), built with
    /// `BatchSettlement` — the one construction the poster commits on L1. Nil when the
    /// account's credit did not change in the range (its latest credit belongs to an earlier
    /// batch). Throws when a block of the range is not in the store.
    public static func build(store: ChainStore, account: Address, blocks: ClosedRange<UInt64>,
                             batchIndex: UInt64?) throws -> SettlementProof? {
        SettlementProof(settlement: try settlement(store: store, blocks: blocks), account: account, blocks: blocks, batchIndex: batchIndex)
    }

    /// The range's settlement tree, read from the store block by block.
    public static func settlement(store: ChainStore, blocks: ClosedRange<UInt64>) throws -> BatchSettlement {
        let head = store.head.number
        guard blocks.upperBound <= head else { throw ProofError.blockNotFound(blocks.upperBound, head: head) }
        var settlement = BatchSettlement()
        for n in blocks {
            guard let b = try store.block(n) else { throw ProofError.store("block \(n) is missing below the head \(head)") }
            settlement.add(b)
        }
        return settlement
    }
}

// MARK: - JSON form

extension SettlementProof {
    static let fields: Set<String> = ["type", "account", "credit", "batchIndex", "firstBlock", "lastBlock", "root", "leaf", "proof"]

    /// The pinned file form (docs/PROOFS.md): `{"type": "settlement", "account", "credit"
    /// (decimal string), "batchIndex" (number or null), "firstBlock", "lastBlock", "root",
    /// "leaf", "proof" (0x-hex array)}`. `leaf` is derived from account and credit; it is there
    /// so an OpenZeppelin-style verifier can call `verify(proof, root, leaf)` directly.
    public var json: JSONValue {
        .object([
            "type": .string("settlement"), "account": .string(account.checksummed), "credit": .decimal(credit),
            "batchIndex": batchIndex.map(JSONValue.uint) ?? .null, "firstBlock": .uint(firstBlock), "lastBlock": .uint(lastBlock),
            "root": .word(root), "leaf": .word(leaf), "proof": .array(proof.map(JSONValue.word)),
        ])
    }

    /// Reads the JSON form. `leaf` is not trusted (it is derived); `ProofFile.verify` reports
    /// a file whose `leaf` disagrees with its account and credit.
    public init(json: JSONValue) throws(ProofError) {
        let f = try JSONFields(json, "", allowed: Self.fields)
        if let t = f.optional("type"), t != .string("settlement") { throw .format("\"type\" is \(t), expected \"settlement\"") }
        if f.optional("leaf") != nil { _ = try f.hash("leaf") }
        self.init(account: try f.address("account"), credit: try f.uint256("credit"), batchIndex: try f.optionalUInt64("batchIndex"),
                  firstBlock: try f.uint64("firstBlock"), lastBlock: try f.uint64("lastBlock"), root: try f.hash("root"),
                  proof: try f.hashes("proof"))
    }
}
