import Core

/// The outcome of one transaction in its block.
public struct TxReceipt: Hashable, Sendable {
    public let hash: Hash32
    public let index: UInt32
    public let failure: FailureCode?

    public var success: Bool { failure == nil }
}

/// A Signer ticket (docs/PROTOCOL.md §5–6): EIP-712 `Ticket(account, credit, blockNumber)` signed by the
/// Signer, redeemable on L1 at once. Cumulative: L1 pays `credit − claimed`.
public struct Ticket: Hashable, Sendable {
    public let account: Address
    public let credit: UInt256
    public let blockNumber: UInt64
    public let signature: Bytes

    /// Public so a client reads a ticket back (`emeth_getTicket`) as the type the Signer issues.
    public init(account: Address, credit: UInt256, blockNumber: UInt64, signature: Bytes) {
        self.account = account; self.credit = credit; self.blockNumber = blockNumber; self.signature = signature
    }
}

/// A block as sealed: header, the Signer's signature over its hash, what it applied, and the
/// tickets issued for it.
public struct SealedBlock: Hashable, Sendable {
    public let header: BlockHeader
    public let signature: Bytes
    public let inbox: [InboxMessage]
    public let inboxFailures: [FailureCode?]
    public let transactions: [L2Transaction]
    public let receipts: [TxReceipt]
    public let tickets: [Ticket]

    public var hash: Hash32 { header.hash }
    public var number: UInt64 { header.number }
}

/// A block executed and rooted but not signed: what `BlockProducer.execute` returns. The
/// sequencer's `Signer.seal` turns it into a `SealedBlock`; a replay compares its header with
/// the posted one.
public struct ExecutedBlock: Sendable {
    public let header: BlockHeader
    public let inbox: [InboxMessage]
    public let inboxFailures: [FailureCode?]
    /// The transactions that entered the block, in order, with their receipts.
    public let transactions: [L2Transaction]
    public let receipts: [TxReceipt]
    /// Every account whose credit changed, with its new credit: the block's settlement leaves,
    /// and the tickets the Signer signs.
    public let creditChanges: [(account: Address, credit: UInt256)]
    /// Transactions refused as invalid for this state (a wrong nonce); not in the block. The
    /// sequencer drops them, a replay treats any as a divergence.
    public let dropped: [(L2Transaction, StateTransition.Invalid)]

    public var number: UInt64 { header.number }
}
