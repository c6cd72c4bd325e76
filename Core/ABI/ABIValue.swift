/// A value of some `ABIType`. The value does not carry its type: encoding pairs each value
/// with a type and checks they agree (range, lengths), decoding produces values of the
/// given types.
///
/// Signed integers (`.int`) hold the **256-bit two's-complement** word, exactly as it sits
/// in the encoding: -1 is `UInt256.max` whatever N is, and an `intN` value is valid when it
/// is the sign extension of its low N bits. This keeps decoding copy-free and makes signed
/// and unsigned values share one integer type; use `ABIValue.signed(_:)` to build one from
/// an `Int` and `signedDescription` (or `description`) to print it with its sign.
public indirect enum ABIValue: Hashable, Sendable, CustomStringConvertible {
    case uint(UInt256)
    /// Two's complement over 256 bits (see the type's documentation).
    case int(UInt256)
    case address(Address)
    case bool(Bool)
    /// `bytesN`: exactly N bytes.
    case fixedBytes(Bytes)
    case bytes(Bytes)
    case string(String)
    /// Elements of `T[]` or `T[k]`.
    case array([ABIValue])
    case tuple([ABIValue])

    /// A signed integer value from a machine integer.
    public static func signed(_ v: Int) -> ABIValue {
        v >= 0 ? .int(UInt256(UInt64(v))) : .int(~UInt256(UInt64(~v)))
    }

    /// A signed integer value from its sign and magnitude (nil if it does not fit int256).
    public static func signed(negative: Bool, magnitude: UInt256) -> ABIValue? {
        let limit = UInt256.one << 255
        if negative {
            guard magnitude <= limit else { return nil }
            return .int(UInt256.zero &- magnitude)
        }
        guard magnitude < limit else { return nil }
        return .int(magnitude)
    }

    // MARK: - Accessors (nil when the value is of another kind)

    public var uintValue: UInt256? { if case .uint(let v) = self { return v }; return nil }
    /// The two's-complement word of a signed value.
    public var intValue: UInt256? { if case .int(let v) = self { return v }; return nil }
    public var addressValue: Address? { if case .address(let v) = self { return v }; return nil }
    public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }
    /// The bytes of `.bytes` or `.fixedBytes`.
    public var bytesValue: Bytes? {
        switch self {
        case .bytes(let b), .fixedBytes(let b): return b
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    public var arrayValue: [ABIValue]? { if case .array(let v) = self { return v }; return nil }
    public var tupleValue: [ABIValue]? { if case .tuple(let v) = self { return v }; return nil }

    // MARK: - Text

    /// The value in the syntax `ABI.parseArgument` reads (Foundry's `cast` style): decimal
    /// integers (signed ones with their sign), checksummed addresses, `true`/`false`, 0x-hex
    /// bytes, `[a, b]` arrays, `(a, b)` tuples. A string is its raw text at the top level and
    /// quoted (`"…"` with `\"`, `\\`, `\n`, `\r`, `\t` escapes) inside arrays and tuples, so
    /// `ABI.parseArgument(v.description, as: t)` gives `v` back.
    public var description: String {
        if case .string(let s) = self { return s }
        var out = ""
        appendNested(to: &out)
        return out
    }

    func appendNested(to out: inout String) {
        switch self {
        case .uint(let v): out += v.description
        case .int(let v): out += ABIValue.signedDecimal(v)
        case .address(let a): out += a.checksummed
        case .bool(let b): out += b ? "true" : "false"
        case .fixedBytes(let b), .bytes(let b): out += Hex.encode(b)
        case .string(let s): ABIValue.appendQuoted(s, to: &out)
        case .array(let vs): ABIValue.appendList(vs, open: "[", close: "]", to: &out)
        case .tuple(let vs): ABIValue.appendList(vs, open: "(", close: ")", to: &out)
        }
    }

    static func appendList(_ vs: [ABIValue], open: String, close: String, to out: inout String) {
        out += open
        for (i, v) in vs.enumerated() {
            if i > 0 { out += ", " }
            v.appendNested(to: &out)
        }
        out += close
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += JSONValue.quote(s)
    }

    /// Signed decimal of a two's-complement word ("-1" for `UInt256.max`).
    public static func signedDecimal(_ v: UInt256) -> String {
        v.w3 >> 63 == 1 ? "-" + (UInt256.zero &- v).description : v.description
    }

    /// Signed decimal of a `.int` value; nil for other kinds.
    public var signedDescription: String? { intValue.map(ABIValue.signedDecimal) }
}
