import Core

/// A message from the L1 inbox (DESIGN §6), applied in `index` order. A deposit credits an
/// L2 balance; a cancel acts like CancelJob sent by the L1 account.
public struct InboxMessage: Hashable, Sendable {
    public enum Kind: UInt8, Sendable { case deposit = 1, cancel = 2 }

    public let index: UInt64
    public let kind: Kind
    public let account: Address
    public let amount: UInt256
    public let jobId: JobID
    public let l1Block: UInt64

    public init(index: UInt64, kind: Kind, account: Address, amount: UInt256 = .zero, jobId: JobID = .zero, l1Block: UInt64) {
        self.index = index; self.kind = kind; self.account = account; self.amount = amount; self.jobId = jobId; self.l1Block = l1Block
    }
}
