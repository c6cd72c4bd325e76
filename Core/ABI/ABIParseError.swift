/// Why a type string or a signature (`transfer(address,uint256)`) was refused, with the
/// byte offset where the parser stopped, so a typo in a CLI argument or an ABI file can be
/// found without reading our code.
public struct ABIParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        case unexpectedEnd(expected: String)
        case unexpectedCharacter(Character, expected: String)
        case unknownType(String)
        /// `fixed`/`ufixed`/`function`: valid Solidity, but no contract we talk to uses them.
        case unsupportedType(String)
        case invalidIntegerSize(String)
        case invalidBytesSize(String)
        case invalidArrayLength(String)
        case emptyTuple
        case nestingTooDeep
        case tooLarge
        case trailingCharacters
        case invalidName(String)

        public var description: String {
            switch self {
            case .unexpectedEnd(let e): return "unexpected end of text, expected \(e)"
            case .unexpectedCharacter(let c, let e): return "unexpected character '\(c)', expected \(e)"
            case .unknownType(let t): return "unknown type \"\(t)\""
            case .unsupportedType(let t): return "type \"\(t)\" is not supported"
            case .invalidIntegerSize(let t):
                return "invalid integer type \"\(t)\" (size must be a multiple of 8 from 8 to 256)"
            case .invalidBytesSize(let t): return "invalid fixed bytes type \"\(t)\" (size must be 1 to 32)"
            case .invalidArrayLength(let n): return "invalid fixed array length \"\(n)\" (must be a decimal ≥ 1)"
            case .emptyTuple: return "empty tuple \"()\" is not a type"
            case .nestingTooDeep: return "type nested deeper than \(ABIType.maxDepth) levels"
            case .tooLarge: return "type too large (heads of one tuple or fixed array over \(ABIType.maxStaticSize) bytes)"
            case .trailingCharacters: return "unexpected characters after the end"
            case .invalidName(let n): return "invalid name \"\(n)\""
            }
        }
    }

    /// The text being parsed (for a hand-built type: its canonical form).
    public let text: String
    /// Byte offset into `text` where the problem was found.
    public let offset: Int
    public let reason: Reason

    public init(text: String, offset: Int, reason: Reason) {
        self.text = text
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "ABI: cannot parse \"\(text)\" at offset \(offset): \(reason)" }
}
