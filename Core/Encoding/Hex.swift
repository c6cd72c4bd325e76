/// Raw bytes. Core works on `[UInt8]` rather than `Data` so that hashing, RLP and ABI code
/// index from zero and never copy through a bridging layer.
public typealias Bytes = [UInt8]

/// Errors from parsing hexadecimal text; each case names what was wrong so callers can
/// report it to a user verbatim.
public enum HexError: Error, Equatable, CustomStringConvertible {
    case missingPrefix
    case oddLength(Int)
    case invalidCharacter(Character, offset: Int)
    case wrongLength(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .missingPrefix: return "hex string must start with 0x"
        case .oddLength(let n): return "hex string has an odd number of digits (\(n))"
        case .invalidCharacter(let c, let o): return "invalid hex character '\(c)' at offset \(o)"
        case .wrongLength(let e, let a): return "expected \(e) bytes, got \(a)"
        }
    }
}

public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex with a `0x` prefix (Ethereum's data encoding).
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2 + 2)
        if prefix { out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "x")) }
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Strips an optional `0x`/`0X` prefix. With `requirePrefix`, its absence is an error.
    static func body(_ text: String, requirePrefix: Bool) throws(HexError) -> Substring.UTF8View {
        let utf8 = text.utf8
        if utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
           let x = utf8.dropFirst().first, x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            return Substring(text).utf8.dropFirst(2)
        }
        if requirePrefix { throw .missingPrefix }
        return Substring(text).utf8[...]
    }

    /// Decodes hex with or without `0x`; an empty string (or bare `0x`) is zero bytes.
    public static func decode(_ text: String, requirePrefix: Bool = false) throws(HexError) -> Bytes {
        let body = try Hex.body(text, requirePrefix: requirePrefix)
        let offset = text.utf8.count - body.count
        guard body.count % 2 == 0 else { throw .oddLength(body.count) }
        var out = Bytes()
        out.reserveCapacity(body.count / 2)
        var hi: UInt8 = 0
        for (i, c) in body.enumerated() {
            guard let v = nibble(c) else {
                let idx = text.utf8.index(text.utf8.startIndex, offsetBy: offset + i)
                throw .invalidCharacter(Character(String(text[idx])), offset: offset + i)
            }
            if i % 2 == 0 { hi = v } else { out.append(hi << 4 | v) }
        }
        return out
    }

    /// Decodes hex that must be exactly `count` bytes long.
    public static func decode(_ text: String, count: Int) throws(HexError) -> Bytes {
        let bytes = try decode(text)
        guard bytes.count == count else { throw .wrongLength(expected: count, actual: bytes.count) }
        return bytes
    }
}

extension Array where Element == UInt8 {
    /// `0x`-prefixed lower-case hex.
    public var hex: String { Hex.encode(self) }
}
