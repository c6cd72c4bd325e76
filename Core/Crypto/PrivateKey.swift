import CSecp256k1

/// A secp256k1 private key: 32 bytes, non-zero and below the curve order (checked by
/// libsecp256k1). Its description and mirror never reveal the key, so it cannot leak
/// through logs or `dump`.
public struct PrivateKey: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let bytes: Bytes

    public init(bytes: Bytes) throws(Secp256k1.Error) {
        guard bytes.count == 32, secp256k1_ec_seckey_verify(Secp256k1.context, bytes) == 1 else {
            throw .invalidPrivateKey
        }
        self.bytes = bytes
    }

    /// 64 hex digits, `0x` optional.
    public init(hex: String) throws(Secp256k1.Error) {
        guard let b = try? Hex.decode(hex) else { throw .invalidPrivateKey }
        try self.init(bytes: b)
    }

    /// A new key from the system's cryptographic random source (getrandom on Linux).
    public static func random() -> PrivateKey {
        var rng = SystemRandomNumberGenerator()
        while true {
            var b = Bytes()
            b.reserveCapacity(32)
            for _ in 0..<4 {
                let w: UInt64 = rng.next()
                for j in 0..<8 { b.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * j))) }
            }
            // Fails with probability ~2⁻¹²⁸ (zero or ≥ n): draw again.
            if let k = try? PrivateKey(bytes: b) { return k }
        }
    }

    public var publicKey: PublicKey {
        var pub = secp256k1_pubkey()
        // Cannot fail: the key was verified on construction.
        _ = secp256k1_ec_pubkey_create(Secp256k1.context, &pub, bytes)
        return PublicKey(point: &pub)
    }

    public var address: Address { publicKey.address }

    public var description: String { "PrivateKey(\(address))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
