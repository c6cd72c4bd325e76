import Core

/// A claim proof (docs/PROTOCOL.md §5–7): `account`'s latest credit in blocks `firstBlock…lastBlock` is
/// a leaf of that range's settlement tree, whose root the bridge posts in `commitBatch`.
/// The leaf is OpenZeppelin's standard leaf `keccak256(keccak256(abi.encode(account, credit)))`
/// and `proof` the sibling path with sorted-pair hashing, so L1's `MerkleProof.verify(proof,
/// root, leaf)` accepts it unchanged and `emeth claim` can submit it.
///
/// One type for everyone who handles one: the API builds it (`emeth_getSettlementProof`), the
/// L2 client reads it back, the prover writes and reads its file form (docs/PROOFS.md).
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

    /// The proof of `account`'s latest credit in `blocks` (a batch's range) from the range's
    /// settlement tree — the one construction the poster commits on L1. Nil when the
    /// account's credit did not change in the range (its latest credit belongs to an earlier
    /// batch).
    public init?(settlement: BatchSettlement, account: Address, blocks: ClosedRange<UInt64>, batchIndex: UInt64?) {
        guard let p = settlement.proof(for: account) else { return nil }
        self.init(account: account, credit: p.credit, batchIndex: batchIndex, firstBlock: blocks.lowerBound,
                  lastBlock: blocks.upperBound, root: settlement.root, proof: p.proof)
    }

    /// The proofs of every account whose credit changed in the range, in first-seen order.
    /// Builds the tree once (a proof per account through `init(settlement:…)` would rebuild it
    /// each time).
    public static func all(settlement: BatchSettlement, blocks: ClosedRange<UInt64>, batchIndex: UInt64?) -> [SettlementProof] {
        let tree = settlement.tree
        let root = Hash32(unchecked: tree.root)
        return settlement.credits.enumerated().map { i, c in
            SettlementProof(account: c.account, credit: c.credit, batchIndex: batchIndex, firstBlock: blocks.lowerBound,
                            lastBlock: blocks.upperBound, root: root,
                            proof: tree.proof(forValueAt: i)!.map { Hash32(unchecked: $0) })
        }
    }

    /// `keccak256(keccak256(abi.encode(address account, uint256 credit)))`.
    public var leaf: Hash32 { Hash32(unchecked: StandardMerkleTree.settlementLeaf(account: account, credit: credit)) }

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
