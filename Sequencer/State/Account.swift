import Core

/// An L2 account (docs/PROTOCOL.md §3). `credit` only ever grows: it is the cumulative amount made
/// claimable on L1, so a ticket or proof for a newer credit supersedes older ones and the L1
/// contract pays `credit − claimed`.
public struct Account: Hashable, Sendable {
    public var balance: UInt256
    public var nonce: UInt64
    public var credit: UInt256

    public init(balance: UInt256 = .zero, nonce: UInt64 = 0, credit: UInt256 = .zero) {
        self.balance = balance; self.nonce = nonce; self.credit = credit
    }

    public static let empty = Account()

    /// An account that was never touched is absent from the state tree rather than zero.
    public var isEmpty: Bool { balance.isZero && nonce == 0 && credit.isZero }
}
