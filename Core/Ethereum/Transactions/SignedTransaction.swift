/// A signed Ethereum transaction as it travels: its raw bytes, what they decode to, the
/// signature and the sender. Instances exist only by signing or by `decode(raw:)`, which
/// recovers the sender, so every value carries a verified sender and a canonical `raw`.
public struct SignedTransaction: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case eip1559(EIP1559Transaction)
        case legacy(LegacyTransaction)
    }

    /// The network form: 0x02 ‖ rlp(…) for type 2, rlp(…) for legacy.
    public let raw: Bytes
    /// keccak256(raw), the transaction hash on L1.
    public let hash: Bytes
    public let kind: Kind
    public let signature: Signature
    /// The sender (recovered from the signature when decoded).
    public let from: Address

    init(raw: Bytes, kind: Kind, signature: Signature, from: Address) {
        self.raw = raw; self.hash = Keccak.hash256(raw); self.kind = kind
        self.signature = signature; self.from = from
    }

    /// The sender; the same as `from`, recovered once when the value was built.
    public func sender() -> Address { from }

    public var nonce: UInt64 {
        switch kind { case .eip1559(let t): return t.nonce; case .legacy(let t): return t.nonce }
    }

    /// nil only for a pre-EIP-155 legacy transaction.
    public var chainId: UInt256? {
        switch kind { case .eip1559(let t): return t.chainId; case .legacy(let t): return t.chainId }
    }

    public var to: Address? {
        switch kind { case .eip1559(let t): return t.to; case .legacy(let t): return t.to }
    }

    public var value: UInt256 {
        switch kind { case .eip1559(let t): return t.value; case .legacy(let t): return t.value }
    }

    public var gasLimit: UInt64 {
        switch kind { case .eip1559(let t): return t.gasLimit; case .legacy(let t): return t.gasLimit }
    }

    public var data: Bytes {
        switch kind { case .eip1559(let t): return t.data; case .legacy(let t): return t.data }
    }

    /// The digest that was signed.
    public var signingHash: Bytes {
        switch kind { case .eip1559(let t): return t.signingHash; case .legacy(let t): return t.signingHash }
    }
}
