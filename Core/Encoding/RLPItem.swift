/// Recursive Length Prefix, Ethereum's serialisation for transactions. An item is a byte
/// string or a list of items; integers are minimal big-endian byte strings (zero is empty).
public indirect enum RLPItem: Hashable, Sendable {
    case bytes(Bytes)
    case list([RLPItem])

    // MARK: Building

    public static func uint(_ v: UInt256) -> RLPItem { .bytes(v.minimalBigEndianBytes) }

    public static func uint(_ v: UInt64) -> RLPItem {
        let n = (64 - v.leadingZeroBitCount + 7) / 8
        return .bytes(Bytes(unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = UInt8(truncatingIfNeeded: v >> UInt64(8 * (n - 1 - i))) }
            count = n
        })
    }

    /// An address, or the empty string for `nil` (a transaction's `to` when creating a contract).
    public static func address(_ a: Address?) -> RLPItem { .bytes(a?.bytes ?? []) }

    // MARK: Reading (errors without a field name)

    /// The byte string; throws if this is a list.
    public var bytes: Bytes { get throws(RLPError) { try bytesValue("item") } }
    /// The list's items; throws if this is a byte string.
    public var list: [RLPItem] { get throws(RLPError) { try listValue("item") } }
    /// A canonical integer of at most 256 bits (no leading zero byte).
    public var uint256: UInt256 { get throws(RLPError) { try uint256Value("item") } }
    /// A canonical integer of at most 64 bits (no leading zero byte).
    public var uint64: UInt64 { get throws(RLPError) { try uint64Value("item") } }
    /// Exactly 20 bytes.
    public var address: Address { get throws(RLPError) { try addressValue("item") } }

    // MARK: Reading (errors naming the field, for decoders of structured data)

    public func bytesValue(_ what: String) throws(RLPError) -> Bytes {
        guard case .bytes(let b) = self else { throw .expectedBytes(what) }
        return b
    }

    public func listValue(_ what: String) throws(RLPError) -> [RLPItem] {
        guard case .list(let l) = self else { throw .expectedList(what) }
        return l
    }

    /// Rejecting leading zeros keeps every integer's encoding unique, so re-encoding a
    /// decoded value reproduces the input byte for byte (and its hash).
    public func uint256Value(_ what: String) throws(RLPError) -> UInt256 {
        let b = try bytesValue(what)
        guard b.first != 0 else { throw .leadingZeros(what) }
        guard b.count <= 32 else { throw .integerTooLarge(what, bits: 256) }
        var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (i, byte) in b.reversed().enumerated() {
            let shifted = UInt64(byte) << UInt64((i % 8) * 8)
            switch i / 8 {
            case 0: limbs.0 |= shifted
            case 1: limbs.1 |= shifted
            case 2: limbs.2 |= shifted
            default: limbs.3 |= shifted
            }
        }
        return UInt256(w0: limbs.0, w1: limbs.1, w2: limbs.2, w3: limbs.3)
    }

    public func uint64Value(_ what: String) throws(RLPError) -> UInt64 {
        let b = try bytesValue(what)
        guard b.first != 0 else { throw .leadingZeros(what) }
        guard b.count <= 8 else { throw .integerTooLarge(what, bits: 64) }
        var v: UInt64 = 0
        for byte in b { v = v << 8 | UInt64(byte) }
        return v
    }

    public func addressValue(_ what: String) throws(RLPError) -> Address {
        let b = try bytesValue(what)
        guard b.count == 20 else { throw .invalidAddressLength(what, b.count) }
        return Address(unchecked: b)
    }
}
