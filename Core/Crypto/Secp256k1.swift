import CSecp256k1

/// secp256k1 through libsecp256k1: RFC 6979 deterministic signatures (always low-s), public
/// key recovery and verification. One context serves every thread: after creation and
/// randomisation libsecp256k1 contexts are read-only, so signing, verifying and recovering
/// from many threads at once needs no lock.
public enum Secp256k1 {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidPrivateKey
        case invalidPublicKey
        case invalidSignatureLength(Int)
        case invalidRecoveryValue(UInt8)
        case invalidSignature
        case highS
        case recoveryFailed
        case invalidDigestLength(Int)

        public var description: String {
            switch self {
            case .invalidPrivateKey: return "invalid private key (must be 32 bytes, non-zero, below the curve order)"
            case .invalidPublicKey: return "invalid public key"
            case .invalidSignatureLength(let n): return "signature must be 65 bytes r‖s‖v, got \(n)"
            case .invalidRecoveryValue(let v): return "invalid signature v value \(v) (expected 27 or 28)"
            case .invalidSignature: return "invalid signature (r or s out of range)"
            case .highS: return "signature s value is in the upper half of the curve order (malleable); only low-s is accepted"
            case .recoveryFailed: return "no public key recovers from this signature"
            case .invalidDigestLength(let n): return "message digest must be 32 bytes, got \(n)"
            }
        }
    }

    nonisolated(unsafe) static let context: OpaquePointer = {
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY))!
        var seed = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<32 { seed[i] = UInt8.random(in: 0...255, using: &rng) }
        _ = secp256k1_context_randomize(ctx, seed)
        return ctx
    }()

    /// n/2, the largest low-s value.
    static let halfOrder: Bytes = [
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
    ]

    /// Signs a 32-byte digest (RFC 6979 nonce; libsecp256k1 always emits low-s).
    public static func sign(digest: Bytes, key: PrivateKey) throws(Error) -> Signature {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &sig, digest, key.bytes, nil, nil) == 1 else {
            throw .invalidPrivateKey
        }
        var compact = Bytes(repeating: 0, count: 64)
        var recid: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recid, &sig)
        return Signature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryId: UInt8(recid))
    }

    /// Recovers the signer's public key, refusing high-s signatures.
    public static func recover(digest: Bytes, signature: Signature) throws(Error) -> PublicKey {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        guard signature.isLowS else { throw .highS }
        var pub = secp256k1_pubkey()
        try recoverRaw(digest: digest, compact: signature.r + signature.s, recid: Int32(signature.recoveryId), into: &pub)
        return PublicKey(serializing: pub)
    }

    /// The hot path of transaction admission: straight from digest and 65-byte r‖s‖v to the
    /// signer's address, with no intermediate allocations beyond the result.
    public static func recoverAddress(digest: Bytes, rsv: Bytes) throws(Error) -> Address {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        guard rsv.count == 65 else { throw .invalidSignatureLength(rsv.count) }
        let v = rsv[64]
        guard v == 27 || v == 28 else { throw .invalidRecoveryValue(v) }
        guard isLowS(rsv[32..<64]) else { throw .highS }
        guard rsv[0..<32].contains(where: { $0 != 0 }), rsv[32..<64].contains(where: { $0 != 0 }) else { throw .invalidSignature }
        var pub = secp256k1_pubkey()
        try rsv.withUnsafeBufferPointer { (p) throws(Error) in
            var sig = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, p.baseAddress!, Int32(v - 27)) == 1 else {
                throw .invalidSignature
            }
            guard secp256k1_ecdsa_recover(context, &pub, &sig, digest) == 1 else { throw .recoveryFailed }
        }
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        secp256k1_ec_pubkey_serialize(context, &out, &len, &pub, UInt32(SECP256K1_EC_UNCOMPRESSED))
        let hash = out.withUnsafeBytes { Keccak.hash256(UnsafeRawBufferPointer(rebasing: $0[1..<65])) }
        return Address(unchecked: Array(hash[12..<32]))
    }

    static func recoverRaw(digest: Bytes, compact: Bytes, recid: Int32, into pub: inout secp256k1_pubkey) throws(Error) {
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard recid >= 0, recid <= 3, compact.count == 64,
              secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, compact, recid) == 1 else {
            throw .invalidSignature
        }
        guard secp256k1_ecdsa_recover(context, &pub, &sig, digest) == 1 else { throw .recoveryFailed }
    }

    /// Verifies a signature against a public key (low-s only).
    public static func verify(digest: Bytes, signature: Signature, publicKey: PublicKey) -> Bool {
        guard digest.count == 32, signature.isLowS else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &sig, signature.r + signature.s) == 1 else { return false }
        var pub = secp256k1_pubkey()
        let full: Bytes = [0x04] + publicKey.xy
        guard secp256k1_ec_pubkey_parse(context, &pub, full, full.count) == 1 else { return false }
        return secp256k1_ecdsa_verify(context, &sig, digest, &pub) == 1
    }

    static func isLowS<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        for (a, b) in zip(s, halfOrder) {
            if a < b { return true }
            if a > b { return false }
        }
        return true
    }
}

/// A secp256k1 private key. Its description never prints the key.
public struct PrivateKey: Hashable, Sendable, CustomStringConvertible {
    public let bytes: Bytes

    public init(bytes: Bytes) throws(Secp256k1.Error) {
        guard bytes.count == 32, secp256k1_ec_seckey_verify(Secp256k1.context, bytes) == 1 else { throw .invalidPrivateKey }
        self.bytes = bytes
    }

    public init(hex: String) throws(Secp256k1.Error) {
        guard let b = try? Hex.decode(hex) else { throw .invalidPrivateKey }
        try self.init(bytes: b)
    }

    /// A new key from the system's cryptographic random source.
    public static func random() -> PrivateKey {
        var rng = SystemRandomNumberGenerator()
        while true {
            let b = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if let k = try? PrivateKey(bytes: b) { return k }
        }
    }

    public var publicKey: PublicKey {
        var pub = secp256k1_pubkey()
        _ = secp256k1_ec_pubkey_create(Secp256k1.context, &pub, bytes)
        return PublicKey(serializing: pub)
    }

    public var address: Address { publicKey.address }

    public var description: String { "PrivateKey(\(address))" }
}

/// A secp256k1 public key, kept as the 64-byte x‖y of its uncompressed form.
public struct PublicKey: Hashable, Sendable {
    public let xy: Bytes

    init(serializing pub: secp256k1_pubkey) {
        var p = pub
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        secp256k1_ec_pubkey_serialize(Secp256k1.context, &out, &len, &p, UInt32(SECP256K1_EC_UNCOMPRESSED))
        xy = Array(out[1...])
    }

    /// Parses a 33-byte compressed, 65-byte uncompressed, or 64-byte x‖y key.
    public init(bytes: Bytes) throws(Secp256k1.Error) {
        let input = bytes.count == 64 ? [0x04] + bytes : bytes
        var pub = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Secp256k1.context, &pub, input, input.count) == 1 else { throw .invalidPublicKey }
        self.init(serializing: pub)
    }

    public var compressed: Bytes {
        var pub = secp256k1_pubkey()
        let full: Bytes = [0x04] + xy
        _ = secp256k1_ec_pubkey_parse(Secp256k1.context, &pub, full, full.count)
        var out = [UInt8](repeating: 0, count: 33)
        var len = 33
        secp256k1_ec_pubkey_serialize(Secp256k1.context, &out, &len, &pub, UInt32(SECP256K1_EC_COMPRESSED))
        return out
    }

    public var address: Address { Address(publicKey64: xy) }
}

/// An ECDSA signature with its recovery id (the y-parity of R).
public struct Signature: Hashable, Sendable {
    public let r: Bytes
    public let s: Bytes
    public let recoveryId: UInt8

    public init(r: Bytes, s: Bytes, recoveryId: UInt8) {
        self.r = r; self.s = s; self.recoveryId = recoveryId
    }

    /// Parses 65 bytes `r ‖ s ‖ v` with v ∈ {27, 28}; a high-s value is refused.
    public init(rsv: Bytes) throws(Secp256k1.Error) {
        guard rsv.count == 65 else { throw .invalidSignatureLength(rsv.count) }
        let v = rsv[64]
        guard v == 27 || v == 28 else { throw .invalidRecoveryValue(v) }
        let s = Array(rsv[32..<64])
        guard Secp256k1.isLowS(s) else { throw .highS }
        self.init(r: Array(rsv[0..<32]), s: s, recoveryId: v - 27)
    }

    /// 65 bytes `r ‖ s ‖ v` with v = 27 + recovery id (Ethereum's personal/typed-data form).
    public var rsv: Bytes { r + s + [27 + recoveryId] }

    public var isLowS: Bool { Secp256k1.isLowS(s) }
}
