import Core

/// A message from the L1 inbox (docs/PROTOCOL.md §5), applied in `index` order. A deposit
/// credits an L2 balance; a cancel acts like CancelJob sent by the L1 account; a forced
/// transaction carries a signed L2 transaction in its batch binary form, which the STF
/// authenticates and executes as if its sender had sent it to the sequencer. Forced
/// transactions are how a censored user gets in: the contract refuses any commit that
/// leaves an inbox message out for longer than `forceInclusionDelay`.
public struct InboxMessage: Hashable, Sendable {
    public enum Kind: UInt8, Sendable { case deposit = 1, cancel = 2, forcedTransaction = 3 }

    /// The most bytes a forced transaction may have (the contract's `MAX_FORCED_TX`).
    public static let maxForcedTransactionBytes = 16_384

    public let index: UInt64
    public let kind: Kind
    public let account: Address
    public let amount: UInt256
    public let jobId: JobID
    public let l1Block: UInt64
    /// The forced transaction's bytes (kind 3); empty for the other kinds.
    public let data: Bytes

    public init(index: UInt64, kind: Kind, account: Address, amount: UInt256 = .zero, jobId: JobID = .zero, l1Block: UInt64,
                data: Bytes = []) {
        self.index = index; self.kind = kind; self.account = account; self.amount = amount; self.jobId = jobId
        self.l1Block = l1Block; self.data = data
    }
}
