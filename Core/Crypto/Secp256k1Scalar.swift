/// Range checks on 32-byte big-endian scalars read straight from a buffer, so validating a
/// signature costs four word loads and no allocation.
extension Secp256k1 {
    /// The curve order n, most significant word first.
    static let order: (UInt64, UInt64, UInt64, UInt64) =
        (0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_fffe, 0xbaae_dce6_af48_a03b, 0xbfd2_5e8c_d036_4141)
    /// ⌊n/2⌋, the largest low-s value.
    static let halfOrder: (UInt64, UInt64, UInt64, UInt64) =
        (0x7fff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff, 0x5d57_6e73_57a4_501d, 0xdfe9_2f46_681b_20a0)

    @inline(__always)
    static func words(_ p: UnsafeRawPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        (UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)),
         UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
         UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
         UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    @inline(__always)
    static func isZero(_ w: (UInt64, UInt64, UInt64, UInt64)) -> Bool { (w.0 | w.1 | w.2 | w.3) == 0 }

    /// Lexicographic a ≤ b on big-endian word tuples.
    @inline(__always)
    static func lessOrEqual(_ a: (UInt64, UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64, UInt64)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        if a.1 != b.1 { return a.1 < b.1 }
        if a.2 != b.2 { return a.2 < b.2 }
        return a.3 <= b.3
    }

    /// Checks a 64-byte r‖s: 1 ≤ r < n, 1 ≤ s ≤ n/2 (low-s, EIP-2).
    @inline(__always)
    static func scalarFailure(rs p: UnsafeRawPointer) -> Error? {
        let r = words(p), s = words(p + 32)
        guard !isZero(r), !lessOrEqual(order, r) else { return .invalidR }
        guard !isZero(s), !lessOrEqual(order, s) else { return .invalidS }
        guard lessOrEqual(s, halfOrder) else { return .highS }
        return nil
    }

    /// Checks that a 32-byte scalar lies in 1…n−1.
    static func inRange(_ scalar: Bytes) -> Bool {
        scalar.count == 32 && scalar.withUnsafeBytes { b in
            let w = words(b.baseAddress!)
            return !isZero(w) && !lessOrEqual(order, w)
        }
    }

    static func isLowS(_ s: Bytes) -> Bool {
        s.count == 32 && s.withUnsafeBytes { lessOrEqual(words($0.baseAddress!), halfOrder) }
    }
}
