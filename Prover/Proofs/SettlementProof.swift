import Core
import Sequencer

/// A claim proof (docs/PROTOCOL.md §5–7): `account`'s latest credit in blocks `firstBlock…lastBlock` is
/// a leaf of that range's settlement tree, whose root the bridge posts in `commitBatch`.
/// The leaf is OpenZeppelin's standard leaf `keccak256(keccak256(abi.encode(account, credit)))`
/// and `proof` the sibling path with sorted-pair hashing, so L1's `MerkleProof.verify(proof,
/// root, leaf)` accepts it unchanged and `emeth claim --proof FILE` can submit it.
///
/// The root is what the proof is checked against here; that it is the root L1 committed for
/// `batchIndex` is checked by the L1 contract (or by comparing with the batch commitment).
public struct SettlementProof: Hashable, Sendable {
    public var account: Address
    /// The cumulative credit (L1 pays `credit − claimed[account]`).
    public var credit: UInt256
    /// The L1 batch whose settlementRoot `root` is, when known (nil for an ad-hoc range).
    public var batchIndex: UInt64?
    public var firstBlock: UInt64
    public var lastBlock: UInt64
    public var root: Hash32
    /// Siblings from the leaf up, as OpenZeppelin's `getProof` returns them.
    public var proof: [Hash32]

    public init(account: Address, credit: UInt256, batchIndex: UInt64?, firstBlock: UInt64, lastBlock: UInt64,
                root: Hash32, proof: [Hash32]) {
        self.account = account; self.credit = credit; self.batchIndex = batchIndex
        self.firstBlock = firstBlock; self.lastBlock = lastBlock; self.root = root; self.proof = proof
    }

    /// `keccak256(keccak256(abi.encode(address account, uint256 credit)))`.
    public var leaf: Hash32 { try! Hash32(bytes: StandardMerkleTree.settlementLeaf(account: account, credit: credit)) }

    /// True when the proof folds the leaf into `root` (OpenZeppelin's `MerkleProof.verify`).
    public func verify() -> Bool { failure() == nil }

    /// nil when valid, else why not.
    public func failure() -> String? {
        guard firstBlock <= lastBlock else { return "firstBlock \(firstBlock) is after lastBlock \(lastBlock)" }
        guard root != .zero else { return "the root is zero: no credit changed in the range, so nothing can be proven against it" }
        guard MerkleProof.verify(proof: proof.map(\.bytes), root: root.bytes, leaf: leaf.bytes) else {
            return "the proof does not lead from the leaf of (\(account.checksummed), \(credit)) to root \(root.bytes.hex)"
        }
        return nil
    }
}

// MARK: - Building

extension SettlementProof {
    /// The proof of `account`'s latest credit in `blocks` (a batch's range), built with
    /// `BatchSettlement` — the one construction the poster commits on L1. Nil when the
    /// account's credit did not change in the range (its latest credit belongs to an earlier
    /// batch). Throws when a block of the range is not in the store.
    public static func build(store: ChainStore, account: Address, blocks: ClosedRange<UInt64>,
                             batchIndex: UInt64?) throws -> SettlementProof? {
        build(settlement: try settlement(store: store, blocks: blocks), account: account, blocks: blocks, batchIndex: batchIndex)
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

    /// Same, from a settlement already folded (the API caches one per batch).
    public static func build(settlement: BatchSettlement, account: Address, blocks: ClosedRange<UInt64>,
                             batchIndex: UInt64?) -> SettlementProof? {
        guard let p = settlement.proof(for: account) else { return nil }
        return SettlementProof(account: account, credit: p.credit, batchIndex: batchIndex, firstBlock: blocks.lowerBound,
                               lastBlock: blocks.upperBound, root: settlement.root, proof: p.proof)
    }

    /// The proofs of every account whose credit changed in the range, in first-seen order.
    /// Builds the tree once (a proof per account through `build` would rebuild it each time).
    public static func all(settlement: BatchSettlement, blocks: ClosedRange<UInt64>, batchIndex: UInt64?) -> [SettlementProof] {
        let tree = settlement.tree
        let root = try! Hash32(bytes: tree.root)
        return settlement.credits.enumerated().map { i, c in
            SettlementProof(account: c.account, credit: c.credit, batchIndex: batchIndex, firstBlock: blocks.lowerBound,
                            lastBlock: blocks.upperBound, root: root,
                            proof: tree.proof(forValueAt: i)!.map { try! Hash32(bytes: $0) })
        }
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
