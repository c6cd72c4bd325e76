/// Why a typed-data document (or one value in it) was refused, with the path of the problem
/// inside the document (`types.Mail[1]`, `domain.chainId`, `message.to.wallet`,
/// `message.items[3]`) so a wallet or API user can find it without reading our code.
public struct EIP712Error: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidJSON(String)
        case expectedObject
        case expectedArray
        case expectedString
        case missingField(String)
        case unknownField(String)
        case undefinedType(String)
        case invalidTypeString(String)
        case invalidTypeName(String)
        case invalidMemberName(String)
        case duplicateMember(String)
        case atomicTypeRedefined(String)
        case primaryTypeIsDomain
        case notAnInteger(String)
        case integerOutOfRange(value: String, type: String)
        case notAnAddress(String)
        case notABool
        case notHexBytes(String)
        case wrongByteCount(expected: Int, actual: Int)
        case wrongArrayLength(expected: Int, actual: Int)
        case unknownDomainField(String)

        public var description: String {
            switch self {
            case .invalidJSON(let m): return "invalid JSON (\(m))"
            case .expectedObject: return "expected a JSON object"
            case .expectedArray: return "expected a JSON array"
            case .expectedString: return "expected a JSON string"
            case .missingField(let f): return "missing field \"\(f)\""
            case .unknownField(let f): return "unknown field \"\(f)\" (not a member of the type)"
            case .undefinedType(let t): return "type \"\(t)\" is not defined in types"
            case .invalidTypeString(let t): return "invalid type \"\(t)\""
            case .invalidTypeName(let t): return "invalid struct type name \"\(t)\" (must be an identifier)"
            case .invalidMemberName(let n): return "invalid member name \"\(n)\" (must be an identifier)"
            case .duplicateMember(let n): return "member \"\(n)\" is declared twice"
            case .atomicTypeRedefined(let t): return "\"\(t)\" is (or looks like) an atomic type and cannot name a struct"
            case .primaryTypeIsDomain: return "primaryType cannot be EIP712Domain"
            case .notAnInteger(let v): return "not an integer: \(v)"
            case .integerOutOfRange(let v, let t): return "\(v) is out of range for \(t)"
            case .notAnAddress(let why): return "not an address (\(why))"
            case .notABool: return "not a boolean (expected true or false)"
            case .notHexBytes(let why): return "not 0x-prefixed hex bytes (\(why))"
            case .wrongByteCount(let e, let a): return "expected \(e) bytes, got \(a)"
            case .wrongArrayLength(let e, let a): return "fixed-size array needs \(e) elements, got \(a)"
            case .unknownDomainField(let f): return "unknown EIP712Domain field \"\(f)\" (allowed: name, version, chainId, verifyingContract, salt)"
            }
        }
    }

    public let path: String
    public let reason: Reason

    public init(_ path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
