/// One input or output of a function, event or error: its type, its name (may be empty) and,
/// for event inputs, whether it is indexed (stored in a topic rather than in the data).
public struct ABIParameter: Hashable, Sendable {
    public let name: String
    public let type: ABIType
    public let indexed: Bool

    public init(_ type: ABIType, name: String = "", indexed: Bool = false) {
        self.type = type
        self.name = name
        self.indexed = indexed
    }
}

/// A parsed signature before it becomes a function, event or error.
struct ParsedSignature {
    var name: String
    var inputs: [ABIParameter]
    /// Present when the text had `returns (…)` or a second list `f(a)(b)`.
    var outputs: [ABIParameter]?
    var modifiers: [String]
}

/// Recursive-descent parser for type strings and signatures, over UTF-8 bytes.
///
/// Canonical mode (`human: false`) accepts exactly what selectors hash: no spaces, no names.
/// Human mode also accepts what people and tools write: spaces, parameter names, data
/// locations, `indexed`, `tuple(…)`, `function`/`event`/`error` keywords, modifiers and
/// `returns (…)`, e.g. `function balanceOf(address owner) view returns (uint256)`.
struct ABISignatureParser {
    let text: String
    let b: [UInt8]
    var i = 0
    let human: Bool
    /// Current tuple nesting, bounded so hostile text cannot exhaust the stack.
    var depth = 0

    init(_ text: String, human: Bool) {
        self.text = text
        self.b = Array(text.utf8)
        self.human = human
    }

    static let modifierWords: Set<String> = [
        "view", "pure", "payable", "nonpayable", "external", "public", "internal", "anonymous",
        "virtual", "override",
    ]
    static let locationWords: Set<String> = ["memory", "calldata", "storage"]

    // MARK: - Characters

    func fail(_ r: ABIParseError.Reason, at offset: Int? = nil) -> ABIParseError {
        ABIParseError(text: text, offset: offset ?? i, reason: r)
    }

    /// The error for the current position: the character found, or the end of the text.
    func unexpected(_ expected: String) -> ABIParseError {
        guard i < b.count else { return fail(.unexpectedEnd(expected: expected)) }
        // Everything consumed so far is ASCII, so `i` is a character boundary.
        let idx = text.utf8.index(text.utf8.startIndex, offsetBy: i)
        return fail(.unexpectedCharacter(text[idx...].first ?? "?", expected: expected))
    }

    var peek: UInt8? { i < b.count ? b[i] : nil }

    mutating func skipSpace() {
        guard human else { return }
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d { i += 1 }
    }

    mutating func expect(_ c: Character) throws(ABIParseError) {
        skipSpace()
        guard peek == c.asciiValue else { throw unexpected("'\(c)'") }
        i += 1
    }

    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x24
    }

    /// Letters, digits, `_` and `$` (identifiers and type names).
    mutating func word() -> String {
        let start = i
        while i < b.count, Self.isWordByte(b[i]) { i += 1 }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    func isIdentifier(_ w: String) -> Bool {
        guard let f = w.utf8.first else { return false }
        return !(f >= 0x30 && f <= 0x39)
    }

    mutating func expectEnd() throws(ABIParseError) {
        skipSpace()
        if i != b.count { throw fail(.trailingCharacters) }
    }

    // MARK: - Types

    /// A complete type, validated (sizes, depth) against the limits of `ABIType`.
    mutating func parseType() throws(ABIParseError) -> ABIType {
        skipSpace()
        let start = i
        let t = try parseTypeUnchecked()
        do { try t.validate() } catch { throw fail(error.reason, at: start) }
        return t
    }

    mutating func parseTypeUnchecked() throws(ABIParseError) -> ABIType {
        skipSpace()
        let start = i
        var t: ABIType
        if peek == UInt8(ascii: "(") {
            t = try parseTuple()
        } else {
            let w = word()
            if w.isEmpty { throw unexpected("a type") }
            let save = i
            skipSpace()
            if w == "tuple", peek == UInt8(ascii: "(") {
                t = try parseTuple()
            } else {
                i = save
                t = try atomic(w, at: start)
            }
        }
        // Array suffixes, innermost first: `uint256[3][]` is a dynamic array of uint256[3].
        var suffixes = 0
        while peek == UInt8(ascii: "[") {
            suffixes += 1
            if depth + suffixes > ABIType.maxDepth { throw fail(.nestingTooDeep) }
            i += 1
            let ds = i
            while let c = peek, c >= 0x30, c <= 0x39 { i += 1 }
            let digits = String(decoding: b[ds..<i], as: UTF8.self)
            guard peek == UInt8(ascii: "]") else { throw unexpected("']' or a decimal array length") }
            i += 1
            if digits.isEmpty {
                t = .array(t)
            } else {
                guard digits.count <= 9, digits.first != "0", let n = Int(digits) else {
                    throw fail(.invalidArrayLength(digits), at: ds)
                }
                t = .fixedArray(t, n)
            }
        }
        return t
    }

    mutating func parseTuple() throws(ABIParseError) -> ABIType {
        let open = i
        let members = try parseParameterList(allowIndexed: false)
        guard !members.isEmpty else { throw fail(.emptyTuple, at: open) }
        return .tuple(members.map(\.type))
    }

    func atomic(_ w: String, at start: Int) throws(ABIParseError) -> ABIType {
        switch w {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "uint": return .uint(256)
        case "int": return .int(256)
        default: break
        }
        func size(_ prefix: String) -> Int? {
            let digits = w.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, digits.first != "0",
                  digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(digits)
        }
        if w.hasPrefix("uint") || w.hasPrefix("int") {
            let signed = !w.hasPrefix("uint")
            guard let n = size(signed ? "int" : "uint"), n % 8 == 0, n >= 8, n <= 256 else {
                throw fail(.invalidIntegerSize(w), at: start)
            }
            return signed ? .int(n) : .uint(n)
        }
        if w.hasPrefix("bytes") {
            guard let n = size("bytes"), n >= 1, n <= 32 else { throw fail(.invalidBytesSize(w), at: start) }
            return .fixedBytes(n)
        }
        if w == "function" || w.hasPrefix("fixed") || w.hasPrefix("ufixed") {
            throw fail(.unsupportedType(w), at: start)
        }
        throw fail(.unknownType(w), at: start)
    }

    // MARK: - Parameters and signatures

    /// `(p1, p2, …)`, possibly empty. In canonical mode a parameter is just a type.
    mutating func parseParameterList(allowIndexed: Bool) throws(ABIParseError) -> [ABIParameter] {
        try expect("(")
        depth += 1
        defer { depth -= 1 }
        if depth > ABIType.maxDepth { throw fail(.nestingTooDeep) }
        var out: [ABIParameter] = []
        skipSpace()
        if peek == UInt8(ascii: ")") { i += 1; return out }
        while true {
            out.append(try parseParameter(allowIndexed: allowIndexed))
            skipSpace()
            guard let c = peek else { throw unexpected("',' or ')'") }
            if c == UInt8(ascii: ",") { i += 1; continue }
            if c == UInt8(ascii: ")") { i += 1; return out }
            throw unexpected("',' or ')'")
        }
    }

    /// `type [memory|calldata|storage] [indexed] [name]` (human mode) or `type`.
    mutating func parseParameter(allowIndexed: Bool) throws(ABIParseError) -> ABIParameter {
        let type = try parseType()
        guard human else { return ABIParameter(type) }
        var name = ""
        var indexed = false
        while true {
            let save = i
            skipSpace()
            guard let c = peek, Self.isWordByte(c) else { i = save; break }
            let at = i
            let w = word()
            if name.isEmpty, Self.locationWords.contains(w) { continue }
            if name.isEmpty, !indexed, allowIndexed, w == "indexed" { indexed = true; continue }
            guard name.isEmpty, isIdentifier(w) else { throw fail(.invalidName(w), at: at) }
            name = w
        }
        return ABIParameter(type, name: name, indexed: indexed)
    }

    /// `[keyword] name(inputs) [modifiers] [returns (outputs)]` or Foundry's `name(inputs)(outputs)`.
    mutating func parseSignature(keyword: String, allowIndexed: Bool) throws(ABIParseError) -> ParsedSignature {
        skipSpace()
        var start = i
        var name = word()
        if human, name == keyword {
            skipSpace()
            start = i
            name = word()
        }
        guard !name.isEmpty else { throw unexpected("a name") }
        guard isIdentifier(name) else { throw fail(.invalidName(name), at: start) }
        var sig = ParsedSignature(name: name, inputs: try parseParameterList(allowIndexed: allowIndexed),
                                  outputs: nil, modifiers: [])
        while true {
            skipSpace()
            guard let c = peek else { return sig }
            if c == UInt8(ascii: "("), sig.outputs == nil, sig.modifiers.isEmpty {
                sig.outputs = try parseParameterList(allowIndexed: false)
                continue
            }
            guard human, Self.isWordByte(c) else { throw fail(.trailingCharacters) }
            let at = i
            let w = word()
            if w == "returns", sig.outputs == nil {
                sig.outputs = try parseParameterList(allowIndexed: false)
            } else if Self.modifierWords.contains(w) {
                sig.modifiers.append(w)
            } else {
                throw fail(.invalidName(w), at: at)
            }
        }
    }
}
