/// A Solidity ABI type (docs.soliditylang.org, "Contract ABI Specification").
///
/// Parsed once from its text (`ABIType(parsing: "(address,uint256)[]")`) so encoding and
/// decoding walk a tree instead of re-reading strings. The enum can also be built directly;
/// `validate()` (run by every encode/decode entry point) rejects shapes Solidity has no
/// type for (`uint7`, `bytes33`, `T[0]`, `()`), so a hand-built type cannot make the codec
/// compute a nonsense layout.
public indirect enum ABIType: Hashable, Sendable, CustomStringConvertible {
    /// `uintN`, N = 8, 16, …, 256.
    case uint(Int)
    /// `intN`, N = 8, 16, …, 256.
    case int(Int)
    case address
    case bool
    /// `bytesN`, N = 1 … 32: left-aligned in one word.
    case fixedBytes(Int)
    /// Dynamic `bytes`.
    case bytes
    /// Dynamic `string` (UTF-8).
    case string
    /// `T[]`: dynamic length.
    case array(ABIType)
    /// `T[k]`: exactly k elements (k ≥ 1).
    case fixedArray(ABIType, Int)
    /// `(T1,T2,…)`: a struct, at least one member.
    case tuple([ABIType])

    /// The limits below keep layouts computable without overflow: a type nested deeper, or
    /// whose members' heads in one tuple or fixed array take more bytes, than any real
    /// contract uses is refused when parsed or validated.
    public static let maxDepth = 32
    public static let maxStaticSize = 1 << 24

    /// `uint256` and friends; `uint`/`int` aliases are spelled out (the selector hashes
    /// this form).
    public var canonical: String {
        var out = ""
        appendCanonical(to: &out)
        return out
    }

    public var description: String { canonical }

    func appendCanonical(to out: inout String) {
        switch self {
        case .uint(let n): out += "uint\(n)"
        case .int(let n): out += "int\(n)"
        case .address: out += "address"
        case .bool: out += "bool"
        case .fixedBytes(let n): out += "bytes\(n)"
        case .bytes: out += "bytes"
        case .string: out += "string"
        case .array(let t): t.appendCanonical(to: &out); out += "[]"
        case .fixedArray(let t, let n): t.appendCanonical(to: &out); out += "[\(n)]"
        case .tuple(let ts):
            out += "("
            for (i, t) in ts.enumerated() {
                if i > 0 { out += "," }
                t.appendCanonical(to: &out)
            }
            out += ")"
        }
    }

    /// Dynamic types are encoded out of line (an offset in the head, the data in the tail).
    public var isDynamic: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: return false
        case .bytes, .string, .array: return true
        case .fixedArray(let t, _): return t.isDynamic
        case .tuple(let ts): return ts.contains { $0.isDynamic }
        }
    }

    /// Bytes this type occupies in the head of its enclosing tuple: 32 for a dynamic type
    /// (its offset), otherwise its whole inline encoding. Saturates at `Int.max` for
    /// hand-built types too large to encode (`validate()` refuses those).
    public var headSize: Int {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes, .bytes, .string, .array: return 32
        case .fixedArray(let t, let n):
            if t.isDynamic { return 32 }
            let (p, o) = t.headSize.multipliedReportingOverflow(by: Swift.max(n, 0))
            return o ? Int.max : p
        case .tuple(let ts):
            if isDynamic { return 32 }
            return ABIType.sumOfHeads(ts)
        }
    }

    /// Sum of the members' head sizes, saturating at `Int.max`.
    static func sumOfHeads(_ ts: [ABIType]) -> Int {
        var total = 0
        for t in ts {
            let (s, o) = total.addingReportingOverflow(t.headSize)
            if o { return Int.max }
            total = s
        }
        return total
    }

    /// Value types: what an event topic can hold directly (everything else is indexed by hash).
    public var isValueType: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: return true
        default: return false
        }
    }

    /// Checks that Solidity has this type and that its layout fits our limits.
    public func validate() throws(ABIParseError) {
        try validate(depth: 0)
    }

    private func validate(depth: Int) throws(ABIParseError) {
        func fail(_ r: ABIParseError.Reason) -> ABIParseError { ABIParseError(text: canonical, offset: 0, reason: r) }
        guard depth <= ABIType.maxDepth else { throw fail(.nestingTooDeep) }
        switch self {
        case .uint(let n), .int(let n):
            guard n >= 8, n <= 256, n % 8 == 0 else { throw fail(.invalidIntegerSize(canonical)) }
        case .fixedBytes(let n):
            guard n >= 1, n <= 32 else { throw fail(.invalidBytesSize(canonical)) }
        case .address, .bool, .bytes, .string: break
        case .array(let t): try t.validate(depth: depth + 1)
        case .fixedArray(let t, let n):
            guard n >= 1 else { throw fail(.invalidArrayLength(String(n))) }
            try t.validate(depth: depth + 1)
        case .tuple(let ts):
            guard !ts.isEmpty else { throw fail(.emptyTuple) }
            for t in ts { try t.validate(depth: depth + 1) }
        }
        // Checked after the members so the size computation only sees valid lengths. The
        // heads of a tuple's or fixed array's members (their whole encoding when static)
        // must stay small: that bounds every allocation and offset computation in the codec.
        switch self {
        case .fixedArray(let t, let n):
            let (size, overflow) = t.headSize.multipliedReportingOverflow(by: n)
            if overflow || size > ABIType.maxStaticSize { throw fail(.tooLarge) }
        case .tuple(let ts):
            if ABIType.sumOfHeads(ts) > ABIType.maxStaticSize { throw fail(.tooLarge) }
        default: break
        }
    }

    /// Parses a canonical type string: `uint256`, `uint` (= `uint256`), `int8`, `bytes32`,
    /// `address[]`, `uint256[3][]`, `(uint256,bytes)[2]`, `(address,(uint8,string)[])`.
    /// No whitespace or member names; for human-readable signatures use `ABIFunction`.
    public init(parsing text: String) throws(ABIParseError) {
        var p = ABISignatureParser(text, human: false)
        let t = try p.parseType()
        try p.expectEnd()
        self = t
    }
}
