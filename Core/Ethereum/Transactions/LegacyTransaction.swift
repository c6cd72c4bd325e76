/// A legacy (untyped) transaction, with EIP-155 replay protection when `chainId` is set
/// (pre-EIP-155 when nil: the signature is valid on every chain, so only tests and
/// historical data should use it).
public struct LegacyTransaction: Hashable, Sendable {
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    /// nil creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: Bytes
    public var chainId: UInt256?

    public init(nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?, value: UInt256 = .zero,
                data: Bytes = [], chainId: UInt256?) {
        self.nonce = nonce; self.gasPrice = gasPrice; self.gasLimit = gasLimit; self.to = to
        self.value = value; self.data = data; self.chainId = chainId
    }

    var fields: [RLPItem] {
        [.uint(nonce), .uint(gasPrice), .uint(gasLimit), .address(to), .uint(value), .bytes(data)]
    }

    /// EIP-155: keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]));
    /// without a chain id, of the six fields only.
    public var signingHash: Bytes {
        let extra: [RLPItem] = chainId.map { [.uint($0), .bytes([]), .bytes([])] } ?? []
        return Keccak.hash256(RLP.encode(.list(fields + extra)))
    }

    /// v = 27 + recid before EIP-155, 35 + 2·chainId + recid with it.
    static func v(recoveryId: UInt8, chainId: UInt256?) -> UInt256 {
        guard let chainId else { return UInt256(UInt64(27 + recoveryId)) }
        let (twice, o1) = chainId.multipliedReportingOverflow(by: 2)
        let (v, o2) = twice.addingReportingOverflow(UInt256(UInt64(35 + recoveryId)))
        precondition(!o1 && !o2, "EIP-155 chain id \(chainId) is too large to encode in v")
        return v
    }

    /// Signs with RFC 6979 (deterministic), as eth-account does.
    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = Transactions.sign(signingHash, key)
        let v = Self.v(recoveryId: sig.recoveryId, chainId: chainId)
        let raw = RLP.encode(.list(fields + [.uint(v), Transactions.scalar(sig.r), Transactions.scalar(sig.s)]))
        return SignedTransaction(raw: raw, kind: .legacy(self), signature: sig, from: key.address)
    }
}
