import CKeccak
import CSecp256k1

/// secp256k1 through libsecp256k1: RFC 6979 deterministic signatures (always low-s), public
/// key recovery and verification.
///
/// One context serves every thread: it is created and randomised once (side-channel
/// blinding for signing), and from then on libsecp256k1 only reads it, so signing,
/// verifying and recovering from all cores at once needs no lock. Recovery is the hot path
/// of transaction admission, so it validates the scalars with word loads, keeps every
/// intermediate on the stack, and allocates only the returned address.
public enum Secp256k1 {
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed")
        }
        var rng = SystemRandomNumberGenerator()
        var seed = (rng.next() as UInt64, rng.next() as UInt64, rng.next() as UInt64, rng.next() as UInt64)
        let ok = withUnsafeBytes(of: &seed) { secp256k1_context_randomize(ctx, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        precondition(ok == 1, "secp256k1_context_randomize failed")
        return ctx
    }()

    // MARK: Signing

    /// Signs a 32-byte digest with libsecp256k1's default nonce (RFC 6979), which always
    /// yields a low-s signature, so the result matches every other RFC 6979 signer exactly.
    public static func sign(digest: Bytes, key: PrivateKey) throws(Error) -> Signature {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &sig, digest, key.bytes, nil, nil) == 1 else {
            throw .invalidPrivateKey
        }
        var recid: Int32 = 0
        var compact = Bytes(repeating: 0, count: 64)
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recid, &sig)
        // Ids 2 and 3 (r ≥ p − n, probability ~2⁻¹²⁷) have no Ethereum encoding.
        guard recid == 0 || recid == 1 else { throw .invalidYParity(UInt8(truncatingIfNeeded: recid)) }
        return Signature(unchecked: Array(compact[0..<32]), Array(compact[32..<64]), recoveryId: UInt8(recid))
    }

    // MARK: Recovery

    /// Recovers the signer's public key; refuses high-s, r or s out of range.
    public static func recover(digest: Bytes, signature: Signature) throws(Error) -> PublicKey {
        var pub = try recoverPoint(digest: digest, signature: signature)
        return PublicKey(point: &pub)
    }

    /// Recovers the signer's address; refuses high-s, r or s out of range.
    public static func recoverAddress(digest: Bytes, signature: Signature) throws(Error) -> Address {
        var pub = try recoverPoint(digest: digest, signature: signature)
        return address(of: &pub)
    }

    /// Recovers the signer's address from 65 bytes `r‖s‖v` (v ∈ {27, 28}, the EIP-712 /
    /// personal-sign form) without building a `Signature`.
    public static func recoverAddress(digest: Bytes, rsv: Bytes) throws(Error) -> Address {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        guard rsv.count == 65 else { throw .invalidSignatureLength(rsv.count) }
        let v = rsv[64]
        guard v == 27 || v == 28 else { throw .invalidV(v) }
        return try digest.withUnsafeBufferPointer { (d) throws(Error) -> Address in
            try rsv.withUnsafeBufferPointer { (s) throws(Error) -> Address in
                try recoverAddress(digest: d.baseAddress!, rs: s.baseAddress!, yParity: v - 27)
            }
        }
    }

    /// The thinnest entry point: 32 digest bytes and 64 bytes r‖s at the given addresses,
    /// y-parity 0 or 1. The caller guarantees the buffer sizes.
    public static func recoverAddress(digest: UnsafeRawPointer, rs: UnsafeRawPointer, yParity: UInt8) throws(Error) -> Address {
        var pub = secp256k1_pubkey()
        try recoverPoint(digest: digest, rs: rs, yParity: yParity, into: &pub)
        return address(of: &pub)
    }

    static func recoverPoint(digest: Bytes, signature: Signature) throws(Error) -> secp256k1_pubkey {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        var pub = secp256k1_pubkey()
        // r‖s side by side on the stack (a Signature keeps them as two arrays).
        var rs: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let failure: Error? = withUnsafeMutableBytes(of: &rs) { (buf) -> Error? in
            buf.copyBytes(from: signature.r.prefix(32))
            UnsafeMutableRawBufferPointer(rebasing: buf[32...]).copyBytes(from: signature.s.prefix(32))
            return digest.withUnsafeBufferPointer { (d) -> Error? in
                recoverPointFailure(digest: d.baseAddress!, rs: UnsafeRawPointer(buf.baseAddress!),
                                    yParity: signature.recoveryId, into: &pub)
            }
        }
        if let failure { throw failure }
        return pub
    }

    @inline(__always)
    static func recoverPoint(digest: UnsafeRawPointer, rs: UnsafeRawPointer, yParity: UInt8,
                             into pub: inout secp256k1_pubkey) throws(Error) {
        if let failure = recoverPointFailure(digest: digest, rs: rs, yParity: yParity, into: &pub) { throw failure }
    }

    /// The checks and the libsecp256k1 call; returns the failure (if any) rather than
    /// throwing so it can run inside the standard library's non-typed-throws closures.
    @inline(__always)
    static func recoverPointFailure(digest: UnsafeRawPointer, rs: UnsafeRawPointer, yParity: UInt8,
                                    into pub: inout secp256k1_pubkey) -> Error? {
        guard yParity <= 1 else { return .invalidYParity(yParity) }
        if let bad = scalarFailure(rs: rs) { return bad }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(
            context, &sig, rs.assumingMemoryBound(to: UInt8.self), Int32(yParity)) == 1 else { return .invalidR }
        guard secp256k1_ecdsa_recover(context, &pub, &sig, digest.assumingMemoryBound(to: UInt8.self)) == 1 else {
            return .recoveryFailed
        }
        return nil
    }

    /// keccak256(x‖y)[12…] computed in a stack buffer.
    @inline(__always)
    static func address(of pub: inout secp256k1_pubkey) -> Address {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65 + 32) { buf in
            let base = buf.baseAddress!
            var len = 65
            _ = secp256k1_ec_pubkey_serialize(context, base, &len, &pub, UInt32(SECP256K1_EC_UNCOMPRESSED))
            emeth_keccak256(base + 1, 64, base + 65)
            return Address(unchecked: Array(UnsafeBufferPointer(start: base + 77, count: 20)))
        }
    }

    // MARK: Verification

    /// Verifies a signature by `publicKey` over `digest`. High-s signatures are refused
    /// (libsecp256k1 requires normalised s, matching our recovery rule).
    public static func verify(digest: Bytes, signature: Signature, publicKey: PublicKey) -> Bool {
        guard digest.count == 32, signature.isLowS else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &sig, signature.r + signature.s) == 1 else { return false }
        var pub = secp256k1_pubkey()
        guard publicKey.parse(into: &pub) else { return false }
        return secp256k1_ecdsa_verify(context, &sig, digest, &pub) == 1
    }
}
