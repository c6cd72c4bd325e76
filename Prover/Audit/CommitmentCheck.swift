import Core
import Sequencer

/// What a batch commitment states about the blocks it carries, compared with what the checker
/// recomputed: the replay (`Replayer`, from L1 data alone) and a follower (`StoredChainAudit`,
/// from the blocks it verified) compare the same fields, in the same order, with the same names.
public enum CommitmentCheck {
    /// The first commitment field that differs from the recomputed batch, or nil. `last` is the
    /// recomputed last block's header, `settlementRoot` the batch's settlement tree root over
    /// its blocks, `totals` the totals after its last block.
    public static func check(_ c: BatchCommitment, last: BlockHeader, settlementRoot: Hash32, totals: Totals) -> Divergence? {
        let checks: [(String, String, String)] = [
            ("commitment.lastBlockHash", last.hash.description, c.lastBlockHash.description),
            ("commitment.stateRoot", last.stateRoot.description, c.stateRoot.description),
            ("commitment.settlementRoot", settlementRoot.description, c.settlementRoot.description),
            ("commitment.totalCredit", totals.totalCredit.description, c.totalCredit.description),
            ("commitment.totalBurned", totals.totalBurned.description, c.totalBurned.description),
            ("commitment.inboxCursor", String(last.inboxCursor), String(c.inboxCursor)),
        ]
        for (field, expected, found) in checks where expected != found {
            return Divergence(batch: c.batchIndex, field: field, expected: expected, found: found,
                              detail: "the commitment does not match the replayed batch")
        }
        return nil
    }
}
