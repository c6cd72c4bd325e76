/// A JSON-like value of a typed-data message. Numbers keep their literal text (JSONValue), so
/// 256-bit integers written as JSON numbers keep every digit.
public typealias EIP712Value = JSONValue

/// One struct type of an EIP-712 schema: its name and its members in declaration order (the
/// order is part of the type hash).
public struct EIP712Type: Hashable, Sendable {
    public struct Member: Hashable, Sendable {
        public let name: String
        /// The type as written in the schema (`uint256`, `Person`, `bytes16[]`, `Item[2][]`).
        public let type: String

        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    public let name: String
    public let members: [Member]

    public init(name: String, members: [Member]) {
        self.name = name
        self.members = members
    }

    /// `Name(type1 name1,type2 name2)`: one struct's part of encodeType.
    public var signature: String {
        name + "(" + members.map { $0.type + " " + $0.name }.joined(separator: ",") + ")"
    }
}

/// A member type, parsed once so encoding does not re-read type strings per value.
public indirect enum EIP712FieldType: Hashable, Sendable {
    case uint(bits: Int)
    case int(bits: Int)
    case address
    case bool
    /// bytes1 … bytes32: the value right-padded to one word.
    case fixedBytes(Int)
    /// Dynamic `bytes`: encoded as keccak256 of the bytes.
    case bytes
    /// `string`: encoded as keccak256 of its UTF-8.
    case string
    case structure(String)
    /// `T[]` (length nil) or `T[n]`.
    case array(EIP712FieldType, length: Int?)

    /// Parses a member type; struct names must be among `structs`.
    public init(parsing text: String, structs: Set<String>) throws(EIP712Error.Reason) {
        do { try self.init(parsing: text, structs: structs, depth: 0) } catch {
            if case .invalidTypeString = error { throw .invalidTypeString(text) }
            throw error
        }
    }

    /// Array dimensions allowed in one type: far beyond any real schema, and it bounds the
    /// recursion a hostile `uint8[][][]…` could cause.
    static let maxArrayDimensions = 16

    init(parsing text: String, structs: Set<String>, depth: Int) throws(EIP712Error.Reason) {
        if text.hasSuffix("]") {
            guard depth < Self.maxArrayDimensions else { throw .invalidTypeString(text) }
            guard let open = text.lastIndex(of: "[") else { throw .invalidTypeString(text) }
            let inner = String(text[..<open])
            let lengthText = text[text.index(after: open)..<text.index(before: text.endIndex)]
            var length: Int? = nil
            if !lengthText.isEmpty {
                // Decimal without sign or leading zeros; at least 1 (Solidity has no T[0]).
                guard lengthText.count <= 9, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
                      lengthText.first != "0", let n = Int(lengthText) else { throw .invalidTypeString(text) }
                length = n
            }
            guard !inner.isEmpty else { throw .invalidTypeString(text) }
            self = .array(try EIP712FieldType(parsing: inner, structs: structs, depth: depth + 1), length: length)
            return
        }
        if let atomic = EIP712FieldType.atomic(text) { self = atomic; return }
        guard structs.contains(text) else {
            throw EIP712FieldType.isIdentifier(text) && !EIP712FieldType.looksAtomic(text) ? .undefinedType(text) : .invalidTypeString(text)
        }
        self = .structure(text)
    }

    /// The atomic and dynamic Solidity types EIP-712 allows, or nil.
    public static func atomic(_ text: String) -> EIP712FieldType? {
        switch text {
        case "address": return .address
        case "bool": return .bool
        case "bytes": return .bytes
        case "string": return .string
        default: break
        }
        func size(after prefix: String) -> Int? {
            guard text.hasPrefix(prefix) else { return nil }
            let digits = text.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, digits.first != "0",
                  digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(digits)
        }
        if let n = size(after: "uint") { return n % 8 == 0 && n >= 8 && n <= 256 ? .uint(bits: n) : nil }
        if let n = size(after: "int") { return n % 8 == 0 && n >= 8 && n <= 256 ? .int(bits: n) : nil }
        if let n = size(after: "bytes") { return n >= 1 && n <= 32 ? .fixedBytes(n) : nil }
        return nil
    }

    /// `uint<digits>`, `int<digits>`, `bytes<digits>`: an atomic type or a misspelling of one
    /// (`uint7`, `bytes33`), never a struct name.
    static func looksAtomic(_ s: String) -> Bool {
        for prefix in ["uint", "int", "bytes"] where s.hasPrefix(prefix) {
            let rest = s.utf8.dropFirst(prefix.utf8.count)
            if !rest.isEmpty && rest.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        }
        return false
    }

    /// Solidity identifier: `[A-Za-z_$][A-Za-z0-9_$]*`. Type and member names are spliced into
    /// the type string, so anything else (spaces, commas, parentheses) could forge another type.
    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first else { return false }
        func letter(_ c: UInt8) -> Bool {
            (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
        }
        return letter(first) && s.utf8.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// The struct this type refers to, through any number of array levels.
    var structName: String? {
        switch self {
        case .structure(let n): return n
        case .array(let e, _): return e.structName
        default: return nil
        }
    }
}
