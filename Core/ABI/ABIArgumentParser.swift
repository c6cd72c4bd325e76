/// Why a command-line argument could not be read as a value of its ABI type. Names the
/// argument (its position when known, its text and type) and the element at fault.
public struct ABIArgumentError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidType(ABIParseError)
        case argumentCount(expected: Int, actual: Int)
        case notAnInteger(String)
        case negativeUnsigned(String)
        case outOfRange(value: String, type: String)
        case invalidAddress(String)
        case notABool(String)
        case invalidHex(String)
        case wrongByteCount(expected: Int, actual: Int)
        case wrongElementCount(expected: Int, actual: Int)
        /// `expected` at this point, `found` instead (a quoted character or "end of text").
        case expected(String, found: String)
        case unterminatedString
        case invalidEscape(String)
        case trailingCharacters(String)

        public var description: String {
            switch self {
            case .invalidType(let e): return e.description
            case .argumentCount(let e, let a): return "expected \(e) arguments, got \(a)"
            case .notAnInteger(let s): return "\"\(s)\" is not a decimal or 0x-hex integer"
            case .negativeUnsigned(let s): return "\"\(s)\" is negative but the type is unsigned"
            case .outOfRange(let v, let t): return "\(v) is out of range for \(t)"
            case .invalidAddress(let m): return m
            case .notABool(let s): return "\"\(s)\" is not true or false"
            case .invalidHex(let m): return "invalid 0x-hex bytes: \(m)"
            case .wrongByteCount(let e, let a): return "expected exactly \(e) bytes, got \(a)"
            case .wrongElementCount(let e, let a): return "expected \(e) elements, got \(a)"
            case .expected(let e, let f): return "expected \(e), found \(f)"
            case .unterminatedString: return "unterminated quoted string"
            case .invalidEscape(let e): return "invalid escape \\\(e) in a quoted string"
            case .trailingCharacters(let s): return "unexpected text after the value: \"\(s)\""
            }
        }
    }

    /// 0-based position in a call's argument list, when parsed as part of one.
    public var argument: Int?
    public let text: String
    /// Canonical type of the whole argument.
    public let type: String
    /// The element at fault inside the argument (`[1]`, `.0`, `[2].1`); empty for the whole.
    public let path: String
    public let reason: Reason

    public init(argument: Int? = nil, text: String, type: String, path: String, reason: Reason) {
        self.argument = argument
        self.text = text
        self.type = type
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let which = argument.map { "argument #\($0 + 1) " } ?? ""
        let at = path.isEmpty ? "" : "at \(path): "
        return "cannot parse \(which)\"\(text)\" as \(type): \(at)\(reason)"
    }
}

extension ABI {
    /// Reads a value of `type` from command-line text, in the syntax of Foundry's
    /// `cast abi-encode`: integers in decimal or 0x-hex (signed ones may be negative
    /// decimals), addresses as 0x-hex (mixed case must have a valid EIP-55 checksum),
    /// `true`/`false`, 0x-hex for `bytes`/`bytesN` (exactly N bytes), strings as raw text at
    /// the top level, arrays `[a, b, c]` and tuples `(a, b)` with any nesting. Inside those,
    /// strings may be bare (trimmed; no `,` `]` `)`) or quoted `"…"` with `\"` `\\` `\n` `\r`
    /// `\t` escapes. `ABIValue.description` writes this same syntax.
    public static func parseArgument(_ text: String, as type: ABIType) throws(ABIArgumentError) -> ABIValue {
        func fail(_ path: String, _ r: ABIArgumentError.Reason) -> ABIArgumentError {
            ABIArgumentError(text: text, type: type.canonical, path: path, reason: r)
        }
        do { try type.validate() } catch { throw fail("", .invalidType(error)) }
        if case .string = type { return .string(text) }
        var s = ArgumentScanner(text)
        do throws(ArgumentScanner.Failure) {
            let v = try s.value(type, path: "")
            s.skipSpace()
            if s.i < s.b.count { throw ArgumentScanner.Failure(path: "", reason: .trailingCharacters(s.rest)) }
            return v
        } catch {
            throw fail(error.path, error.reason)
        }
    }

    /// Parses each argument text as the matching type (`cast abi-encode`'s argument list).
    public static func parseArguments(_ texts: [String], as types: [ABIType]) throws(ABIArgumentError) -> [ABIValue] {
        guard texts.count == types.count else {
            throw ABIArgumentError(text: texts.joined(separator: " "),
                                   type: "(" + types.map(\.canonical).joined(separator: ",") + ")", path: "",
                                   reason: .argumentCount(expected: types.count, actual: texts.count))
        }
        var out: [ABIValue] = []
        out.reserveCapacity(texts.count)
        for (k, (text, type)) in zip(texts, types).enumerated() {
            do { out.append(try parseArgument(text, as: type)) } catch {
                var e = error
                e.argument = k
                throw e
            }
        }
        return out
    }
}

/// Recursive descent over the UTF-8 of one argument. Splits only at ASCII delimiters, so
/// the pieces it cuts are valid UTF-8 again.
struct ArgumentScanner {
    struct Failure: Error {
        let path: String
        let reason: ABIArgumentError.Reason
    }

    let b: [UInt8]
    var i = 0

    init(_ text: String) { b = Array(text.utf8) }

    var rest: String { String(decoding: b[i...], as: UTF8.self) }

    var found: String {
        guard i < b.count else { return "end of text" }
        return "\"" + String(String(decoding: b[i...], as: UTF8.self).prefix(1)) + "\""
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d { i += 1 }
    }

    mutating func value(_ t: ABIType, path: String) throws(Failure) -> ABIValue {
        skipSpace()
        switch t {
        case .array(let elem):
            return .array(try list(open: "[", close: "]", path: path, count: nil) { _ in elem })
        case .fixedArray(let elem, let n):
            return .array(try list(open: "[", close: "]", path: path, count: n) { _ in elem })
        case .tuple(let ts):
            return .tuple(try list(open: "(", close: ")", path: path, count: ts.count) { ts[$0] })
        case .string:
            if i < b.count, b[i] == UInt8(ascii: "\"") { return .string(try quoted(path: path)) }
            return .string(token())
        default:
            let text: String
            if i < b.count, b[i] == UInt8(ascii: "\"") { text = try quoted(path: path) } else { text = token() }
            do { return try ABI.parseAtom(text, as: t) } catch { throw Failure(path: path, reason: error) }
        }
    }

    /// `open` elements separated by commas `close`; `count` (if known) is checked as
    /// elements arrive, so a long list for a short tuple fails at the first extra element.
    mutating func list(open: Character, close: Character, path: String, count: Int?,
                       _ typeAt: (Int) -> ABIType) throws(Failure) -> [ABIValue] {
        let isArray = open == "["
        guard i < b.count, b[i] == open.asciiValue else {
            throw Failure(path: path, reason: .expected("'\(open)'", found: found))
        }
        i += 1
        var out: [ABIValue] = []
        skipSpace()
        if i < b.count, b[i] == close.asciiValue {
            i += 1
        } else {
            while true {
                let k = out.count
                let sub = path + (isArray ? "[\(k)]" : ".\(k)")
                if let count, k >= count {
                    throw Failure(path: path, reason: .wrongElementCount(expected: count, actual: k + 1))
                }
                out.append(try value(typeAt(k), path: sub))
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: ",") { i += 1; continue }
                if i < b.count, b[i] == close.asciiValue { i += 1; break }
                throw Failure(path: path, reason: .expected("',' or '\(close)'", found: found))
            }
        }
        if let count, out.count != count {
            throw Failure(path: path, reason: .wrongElementCount(expected: count, actual: out.count))
        }
        return out
    }

    /// Bare text up to the next `,`, `]` or `)`, without surrounding whitespace.
    mutating func token() -> String {
        let start = i
        while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "]"), b[i] != UInt8(ascii: ")") { i += 1 }
        var end = i
        while end > start, b[end - 1] == 0x20 || b[end - 1] == 0x09 || b[end - 1] == 0x0a || b[end - 1] == 0x0d { end -= 1 }
        return String(decoding: b[start..<end], as: UTF8.self)
    }

    /// `"…"` with escapes; `i` is at the opening quote.
    mutating func quoted(path: String) throws(Failure) -> String {
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard i < b.count else { break }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"): out.append(e)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            default:
                i -= 1
                let shown = String(String(decoding: b[i...], as: UTF8.self).prefix(1))
                throw Failure(path: path, reason: .invalidEscape(shown))
            }
        }
        throw Failure(path: path, reason: .unterminatedString)
    }
}

extension ABI {
    /// One atomic value (not an array, tuple or string) from trimmed text.
    static func parseAtom(_ text: String, as t: ABIType) throws(ABIArgumentError.Reason) -> ABIValue {
        switch t {
        case .uint(let bits):
            if text.hasPrefix("-") { throw .negativeUnsigned(text) }
            guard let v = try? UInt256(parsing: text) else { throw .notAnInteger(text) }
            guard v.bitLength <= bits else { throw .outOfRange(value: text, type: t.canonical) }
            return .uint(v)
        case .int(let bits):
            let negative = text.hasPrefix("-")
            let body = negative || text.hasPrefix("+") ? String(text.dropFirst()) : text
            guard !body.hasPrefix("-"), !body.hasPrefix("+"), let magnitude = try? UInt256(parsing: body) else {
                throw .notAnInteger(text)
            }
            guard let v = ABIValue.signed(negative: negative, magnitude: magnitude), let w = v.intValue,
                  fitsSigned(w, bits: bits) else { throw .outOfRange(value: text, type: t.canonical) }
            return v
        case .address:
            do { return .address(try Address(text)) } catch { throw .invalidAddress(error.description) }
        case .bool:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw .notABool(text)
            }
        case .fixedBytes(let n):
            let b = try hexBytes(text)
            guard b.count == n else { throw .wrongByteCount(expected: n, actual: b.count) }
            return .fixedBytes(b)
        case .bytes:
            return .bytes(try hexBytes(text))
        case .string:
            return .string(text)
        case .array, .fixedArray, .tuple:
            // Composite types never reach here (the scanner handles them).
            throw .expected("a composite value", found: "\"\(text)\"")
        }
    }

    static func hexBytes(_ text: String) throws(ABIArgumentError.Reason) -> Bytes {
        do { return try Hex.decode(text, requirePrefix: true) } catch { throw .invalidHex(error.description) }
    }
}
