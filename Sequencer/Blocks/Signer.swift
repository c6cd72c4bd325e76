import Core

/// The Signer (docs/PROTOCOL.md §5–6): signs each executed block's hash and, for every account
/// whose credit changed, an EIP-712 `Ticket` a node can take to L1 at once. Only the sequencer
/// holds one; execution (`BlockProducer`) needs no key.
public struct Signer: Sendable {
    let key: PrivateKey
    public let domain: EIP712.Domain

    public init(key: PrivateKey, chainId: UInt256, rollup: Address) {
        self.key = key
        self.domain = L2TypedData.domain(chainId: chainId, rollup: rollup)
    }

    public var address: Address { key.address }

    /// Signs `block`: its header hash and a ticket per credit change.
    public func seal(_ block: ExecutedBlock) -> SealedBlock {
        let n = block.header.number
        return SealedBlock(header: block.header, signature: signBlock(block.header.hash), inbox: block.inbox,
                           inboxFailures: block.inboxFailures, transactions: block.transactions, receipts: block.receipts,
                           tickets: block.creditChanges.map { ticket(account: $0.account, credit: $0.credit, blockNumber: n) })
    }

    /// The block hash signed as a raw 32-byte digest (`r ‖ s ‖ v`, v ∈ {27, 28}).
    public func signBlock(_ hash: Hash32) -> Bytes {
        try! Secp256k1.sign(digest: hash.bytes, key: key).rsv
    }

    public func ticket(account: Address, credit: UInt256, blockNumber: UInt64) -> Ticket {
        let digest = EIP712.Ticket.digest(domain: domain, account: account, credit: credit, blockNumber: blockNumber)
        return Ticket(account: account, credit: credit, blockNumber: blockNumber,
                      signature: try! Secp256k1.sign(digest: digest, key: key).rsv)
    }
}
