/// A 20-byte Ethereum account address. Printed with its EIP-55 checksum; parsing accepts
/// all-lower or all-upper hex, and mixed case only when the checksum is right (a mixed-case
/// typo is the error EIP-55 exists to catch).
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let bytes: Bytes

    /// The 20 bytes in one call rather than the array's element-by-element hashing: addresses
    /// key every state, scratch and mempool dictionary on the apply path.
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case hex(HexError)
        case wrongLength(Int)
        case badChecksum(String)

        public var description: String {
            switch self {
            case .hex(let e): return "invalid address: \(e)"
            case .wrongLength(let n): return "invalid address: expected 20 bytes, got \(n)"
            case .badChecksum(let s): return "invalid address: EIP-55 checksum mismatch in \(s)"
            }
        }
    }

    public static let zero = Address(unchecked: Bytes(repeating: 0, count: 20))

    /// Wraps 20 bytes; the caller guarantees the length (internal fast path).
    init(unchecked bytes: Bytes) { self.bytes = bytes }

    public init(bytes: Bytes) throws(ParseError) {
        guard bytes.count == 20 else { throw .wrongLength(bytes.count) }
        self.bytes = bytes
    }

    /// Parses `0x`-prefixed (or bare) hex, verifying the EIP-55 checksum of mixed-case input.
    public init(_ text: String) throws(ParseError) {
        let raw: Bytes
        do { raw = try Hex.decode(text) } catch { throw .hex(error) }
        guard raw.count == 20 else { throw .wrongLength(raw.count) }
        self.bytes = raw
        let body = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        let hasLower = body.contains { $0.isLowercase }
        let hasUpper = body.contains { $0.isUppercase }
        if hasLower && hasUpper && body != String(checksummed.dropFirst(2)) {
            throw .badChecksum(text)
        }
    }

    /// The address of a public key: the last 20 bytes of keccak256(x ‖ y).
    public init(publicKey64 xy: Bytes) {
        precondition(xy.count == 64, "uncompressed public key without prefix must be 64 bytes")
        self.bytes = Array(Keccak.hash256(xy)[12...])
    }

    /// EIP-55 mixed-case checksum encoding.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let hash = Keccak.hash256(lower)
        var out = Array("0x".utf8)
        for (i, c) in lower.enumerated() {
            let nib = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f
            if c >= UInt8(ascii: "a") && nib >= 8 { out.append(c - 32) } else { out.append(c) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }

    public static func < (a: Address, b: Address) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(checksummed)
    }
}
