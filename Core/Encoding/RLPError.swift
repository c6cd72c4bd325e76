/// Why an RLP input was refused. Structural cases carry the byte offset of the offending
/// item's prefix so a rejected transaction or batch can be diagnosed from a log line; the
/// accessor cases name the field the caller was reading.
public enum RLPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input (or the enclosing list) ends inside the item's prefix or length bytes;
    /// an empty input is `truncated(offset: 0)`.
    case truncated(offset: Int)
    /// The item's declared payload length runs past the end of the input or of its list.
    case lengthExceedsInput(offset: Int, declared: UInt64, available: Int)
    /// A complete item was decoded but bytes remain after it.
    case trailingBytes(offset: Int)
    /// A single byte below 0x80 encoded as `0x81 b`: it must be the byte itself.
    case nonCanonicalSingleByte(offset: Int)
    /// A payload shorter than 56 bytes encoded with a long-form (length-of-length) prefix.
    case nonCanonicalLength(offset: Int)
    /// A long-form length whose first byte is zero.
    case leadingZeroInLength(offset: Int)
    /// Lists nested deeper than the decoder's limit (protects the stack).
    case nestingTooDeep(offset: Int, limit: Int)

    case expectedBytes(String)
    case expectedList(String)
    /// An integer with a leading zero byte (RLP integers are minimal big-endian).
    case leadingZeros(String)
    case integerTooLarge(String, bits: Int)
    case invalidAddressLength(String, Int)

    public var description: String {
        switch self {
        case .truncated(let o): return "RLP: input ends inside the item at offset \(o)"
        case .lengthExceedsInput(let o, let d, let a):
            return "RLP: item at offset \(o) declares \(d) payload bytes but only \(a) remain"
        case .trailingBytes(let o): return "RLP: trailing bytes after the item, at offset \(o)"
        case .nonCanonicalSingleByte(let o): return "RLP: single byte below 0x80 encoded with a prefix at offset \(o)"
        case .nonCanonicalLength(let o): return "RLP: length below 56 encoded in long form at offset \(o)"
        case .leadingZeroInLength(let o): return "RLP: length with a leading zero byte at offset \(o)"
        case .nestingTooDeep(let o, let l): return "RLP: lists nested deeper than \(l) levels at offset \(o)"
        case .expectedBytes(let w): return "RLP: \(w) must be a byte string, found a list"
        case .expectedList(let w): return "RLP: \(w) must be a list, found a byte string"
        case .leadingZeros(let w): return "RLP: integer \(w) has leading zero bytes"
        case .integerTooLarge(let w, let bits): return "RLP: integer \(w) does not fit in \(bits) bits"
        case .invalidAddressLength(let w, let n): return "RLP: address \(w) must be 20 bytes, found \(n)"
        }
    }
}
