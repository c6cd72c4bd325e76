import Core

/// The settlement tree of a batch (docs/PROTOCOL.md §5–7): the latest credit of every account whose
/// credit changed anywhere in the batch's blocks. Its root is what `commitBatch` posts and what
/// `claim` proves against, so the poster, the prover and the auditor all build it here.
///
/// A block's tickets are exactly its accounts with changed credit (the Signer issues one per
/// such account), so the batch's values are the last ticket of each account in the range.
public struct BatchSettlement: Sendable {
    /// Account → latest credit within the batch, in first-seen order.
    public private(set) var credits: [(account: Address, credit: UInt256)] = []
    private var position: [Address: Int] = [:]

    public init() {}

    public init(blocks: some Sequence<SealedBlock>) {
        for b in blocks { add(b) }
    }

    /// Folds in the next block of the batch (blocks in ascending order).
    public mutating func add(_ block: SealedBlock) {
        add(credits: block.tickets.map { (account: $0.account, credit: $0.credit) })
    }

    /// Folds in the next block's credit changes (a replay's `ExecutedBlock.creditChanges`,
    /// which are exactly what the Signer's tickets for that block say).
    public mutating func add(credits changes: [(account: Address, credit: UInt256)]) {
        for (account, credit) in changes {
            if let i = position[account] {
                credits[i].credit = credit
            } else {
                position[account] = credits.count
                credits.append((account, credit))
            }
        }
    }

    public func credit(of account: Address) -> UInt256? { position[account].map { credits[$0].credit } }

    public var tree: StandardMerkleTree { StandardMerkleTree(settlements: credits) }

    /// The batch settlementRoot (zero for a batch in which no credit changed).
    public var root: Hash32 { Hash32(unchecked: tree.root) }

    /// The OpenZeppelin-style proof of `account`'s latest credit in this batch, or nil when its
    /// credit did not change in the batch.
    public func proof(for account: Address) -> (credit: UInt256, proof: [Hash32])? {
        guard let credit = credit(of: account), let p = tree.proof(account: account, credit: credit) else { return nil }
        return (credit, p.map { Hash32(unchecked: $0) })
    }
}
