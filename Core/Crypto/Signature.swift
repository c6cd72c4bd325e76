/// An ECDSA signature with its recovery id (the y-parity of the nonce point R).
///
/// Construction checks the structure (32-byte r and s in 1…n−1, parity 0 or 1) but allows a
/// high s, so that a malleated signature can be represented and then refused by name where
/// it matters: `Secp256k1.recover`/`verify` accept only low-s (EIP-2).
public struct Signature: Hashable, Sendable {
    /// 32 bytes, big-endian.
    public let r: Bytes
    /// 32 bytes, big-endian.
    public let s: Bytes
    /// 0 or 1.
    public let recoveryId: UInt8

    init(unchecked r: Bytes, _ s: Bytes, recoveryId: UInt8) {
        self.r = r; self.s = s; self.recoveryId = recoveryId
    }

    /// r and s as 32 big-endian bytes each and the y-parity 0/1 (a typed transaction's
    /// `yParity`, or `v − 27`).
    public init(r: Bytes, s: Bytes, yParity: UInt8) throws(Secp256k1.Error) {
        guard Secp256k1.inRange(r) else { throw .invalidR }
        guard Secp256k1.inRange(s) else { throw .invalidS }
        guard yParity <= 1 else { throw .invalidYParity(yParity) }
        self.init(unchecked: r, s, recoveryId: yParity)
    }

    /// r and s as integers (a transaction's RLP fields) and the y-parity 0/1.
    public init(r: UInt256, s: UInt256, yParity: UInt8) throws(Secp256k1.Error) {
        try self.init(r: r.bigEndianBytes, s: s.bigEndianBytes, yParity: yParity)
    }

    /// Parses 65 bytes `r‖s‖v` with v ∈ {27, 28} (EIP-712 and personal-sign signatures).
    public init(rsv: Bytes) throws(Secp256k1.Error) {
        guard rsv.count == 65 else { throw .invalidSignatureLength(rsv.count) }
        let v = rsv[64]
        guard v == 27 || v == 28 else { throw .invalidV(v) }
        try self.init(r: Array(rsv[0..<32]), s: Array(rsv[32..<64]), yParity: v - 27)
    }

    /// 65 bytes `r‖s‖v` with v = 27 + recovery id.
    public var rsv: Bytes { r + s + [27 + recoveryId] }

    /// The y-parity, as typed transactions name it.
    public var yParity: UInt8 { recoveryId }

    /// s ≤ n/2: the only form Ethereum (EIP-2) and this rollup accept.
    public var isLowS: Bool { Secp256k1.isLowS(s) }
}
