import CKeccak

/// 32 bytes in the sparse Merkle tree: a key, a value hash or a node hash.
///
/// A fixed-size value (four words, no heap allocation) because a batch update of a large
/// tree handles tens of thousands of these per sealed block; `Bytes` would allocate for each.
/// The words hold the bytes big-endian (`w0` = bytes 0..<8), so lexicographic byte order,
/// numeric order and the key-path bit order (most significant bit of byte 0 first) agree.
public struct SMTHash: Hashable, Comparable, Sendable, CustomStringConvertible {
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    /// 32 zero bytes: the hash of an empty subtree and the root of the empty tree.
    public static let zero = SMTHash(w0: 0, w1: 0, w2: 0, w3: 0)

    @inlinable init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// From exactly 32 bytes.
    public init(_ bytes: Bytes) throws(SMTError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "32-byte value", count: bytes.count) }
        self = bytes.withUnsafeBytes { SMTHash(loading: $0.baseAddress!) }
    }

    /// From `0x`-prefixed (or bare) hex of exactly 32 bytes.
    public init(hex: String) throws(SMTError) {
        guard let bytes = try? Hex.decode(hex) else { throw .invalidHex(hex) }
        try self.init(bytes)
    }

    /// Reads 32 bytes at `p` (no alignment needed).
    @inlinable init(loading p: UnsafeRawPointer) {
        w0 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Writes the 32 bytes at `p` (no alignment needed).
    @inlinable func store(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Writes the 32 bytes at `p` (no alignment needed): for encoders that fill one buffer.
    @inlinable public func copyBytes(to p: UnsafeMutableRawPointer) { store(to: p) }

    public var bytes: Bytes {
        Bytes(unsafeUninitializedCapacity: 32) { buf, n in
            store(to: UnsafeMutableRawPointer(buf.baseAddress!))
            n = 32
        }
    }

    public var hex: String { Hex.encode(bytes, prefix: true) }
    public var description: String { hex }
    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// Bytes 0..<8 as a number: the first 64 path bits, and the most significant word of the
    /// byte order — what a sort by hash may compare first.
    @inlinable public var leadingWord: UInt64 { w0 }

    /// Bytes 8..<16 as a number: uniformly spread, since keys and node hashes are keccak
    /// outputs — what a hash table of nodes may index by instead of hashing the hash again.
    @inlinable public var spreadWord: UInt64 { w1 }

    /// Bit `i` of the key path (0 ≤ i < 256): bit 0 is the most significant bit of byte 0.
    /// 0 = left, 1 = right.
    @inlinable public func bit(_ i: Int) -> Int {
        let word: UInt64
        switch i >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return Int(truncatingIfNeeded: (word >> UInt64(63 - (i & 63))) & 1)
    }

    /// True when the first `count` path bits of `self` and `other` are equal.
    @inlinable public func sharesPrefix(with other: SMTHash, bits count: Int) -> Bool {
        @inline(__always) func same(_ a: UInt64, _ b: UInt64, _ bits: Int) -> Bool {
            bits >= 64 ? a == b : (a ^ b) >> UInt64(64 - bits) == 0
        }
        let n = min(count, 256)
        if n <= 0 { return true }
        if !same(w0, other.w0, n) { return false }
        if n <= 64 { return true }
        if !same(w1, other.w1, n - 64) { return false }
        if n <= 128 { return true }
        if !same(w2, other.w2, n - 128) { return false }
        if n <= 192 { return true }
        return same(w3, other.w3, n - 192)
    }

    /// Keys and node hashes are keccak outputs, already uniform: one word is enough to feed
    /// the (randomly seeded) hasher, and hashing is a large share of a node-store lookup.
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(w1) }

    @inlinable public static func < (a: SMTHash, b: SMTHash) -> Bool {
        if a.w0 != b.w0 { return a.w0 < b.w0 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        return a.w3 < b.w3
    }

    /// keccak256(tag ‖ a ‖ b): the hash of a tree node (0x00 leaf: key ‖ valueHash; 0x01
    /// internal: left ‖ right). Built on the stack, so hashing allocates nothing.
    @inlinable static func hashNode(tag: UInt8, _ a: SMTHash, _ b: SMTHash) -> SMTHash {
        withUnsafeTemporaryAllocation(byteCount: 97, alignment: 8) { buf in
            let p = buf.baseAddress!
            p.storeBytes(of: tag, as: UInt8.self)
            a.store(to: p + 1)
            b.store(to: p + 33)
            let out = (p + 65).assumingMemoryBound(to: UInt8.self)
            emeth_keccak256(p.assumingMemoryBound(to: UInt8.self), 65, out)
            return SMTHash(loading: p + 65)
        }
    }
}
