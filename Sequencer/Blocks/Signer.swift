import Core

/// The Signer (docs/PROTOCOL.md §5–6): signs each sealed block's hash and, for every account whose credit
/// changed, an EIP-712 `Ticket` a node can take to L1 at once.
public struct Signer: Sendable {
    let key: PrivateKey
    public let domain: EIP712.Domain

    public init(key: PrivateKey, chainId: UInt256, rollup: Address) {
        self.key = key
        self.domain = L2TypedData.domain(chainId: chainId, rollup: rollup)
    }

    public var address: Address { key.address }

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
