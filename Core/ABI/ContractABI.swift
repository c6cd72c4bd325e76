import Foundation

/// Why a JSON ABI was refused, or a lookup in it failed.
public enum ContractABIError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidJSON(String)
    /// The document is neither an ABI array nor an artifact object with an `abi` array.
    case notAnABI
    /// Entry `index` of the ABI array is malformed (`field` names the culprit).
    case invalidEntry(index: Int, field: String, message: String)
    case notFound(String)
    /// A name shared by overloads: use a signature (`f(uint256)`) instead.
    case ambiguous(String, candidates: [String])

    public var description: String {
        switch self {
        case .invalidJSON(let m): return "ABI JSON: \(m)"
        case .notAnABI: return "ABI JSON: expected an array of ABI entries or an artifact with an \"abi\" array"
        case .invalidEntry(let i, let f, let m): return "ABI JSON: entry \(i): \(f): \(m)"
        case .notFound(let n): return "ABI: no \(n)"
        case .ambiguous(let n, let c): return "ABI: \"\(n)\" is overloaded, use one of \(c.joined(separator: ", "))"
        }
    }
}

/// A contract's interface from the standard JSON ABI that solc, Vyper, Foundry and Hardhat
/// produce (the array itself, or an artifact object holding it under `abi`). The bridge
/// calls the L1 contracts through this, so it is built from the committed artifacts rather
/// than from hand-written signatures.
public struct ContractABI: Hashable, Sendable {
    public let functions: [ABIFunction]
    public let events: [ABIEvent]
    public let errors: [ABIErrorDefinition]
    public let constructor: ABIConstructor?
    public let hasFallback: Bool
    public let hasReceive: Bool

    public init(functions: [ABIFunction] = [], events: [ABIEvent] = [], errors: [ABIErrorDefinition] = [],
                constructor: ABIConstructor? = nil, hasFallback: Bool = false, hasReceive: Bool = false) {
        self.functions = functions
        self.events = events
        self.errors = errors
        self.constructor = constructor
        self.hasFallback = hasFallback
        self.hasReceive = hasReceive
    }

    public init(json: Data) throws(ContractABIError) {
        let doc: JSONValue
        do { doc = try JSONValue.parse(json) } catch { throw .invalidJSON(error.description) }
        guard let entries = doc.arrayValue ?? doc["abi"]?.arrayValue else { throw .notAnABI }
        var functions: [ABIFunction] = [], events: [ABIEvent] = [], errors: [ABIErrorDefinition] = []
        var constructor: ABIConstructor? = nil
        var fallback = false, receive = false
        for (index, entry) in entries.enumerated() {
            let reader = EntryReader(index: index, entry: entry)
            switch try reader.kind() {
            case "function":
                functions.append(ABIFunction(name: try reader.name(), inputs: try reader.params("inputs"),
                                             outputs: try reader.params("outputs"),
                                             stateMutability: try reader.mutability()))
            case "event":
                events.append(ABIEvent(name: try reader.name(), inputs: try reader.params("inputs", indexed: true),
                                       anonymous: entry["anonymous"]?.boolValue ?? false))
            case "error":
                errors.append(ABIErrorDefinition(name: try reader.name(), inputs: try reader.params("inputs")))
            case "constructor":
                constructor = ABIConstructor(inputs: try reader.params("inputs"), stateMutability: try reader.mutability())
            case "fallback": fallback = true
            case "receive": receive = true
            case let other: throw .invalidEntry(index: index, field: "type", message: "unknown entry type \"\(other)\"")
            }
        }
        self.init(functions: functions, events: events, errors: errors, constructor: constructor,
                  hasFallback: fallback, hasReceive: receive)
    }

    public init(jsonText: String) throws(ContractABIError) { try self.init(json: Data(jsonText.utf8)) }

    // MARK: - Lookups

    public func functions(named name: String) -> [ABIFunction] { functions.filter { $0.name == name } }

    /// By name when it is not overloaded, else by signature (`transfer(address,uint256)`,
    /// names and spaces allowed: it is normalized first).
    public func function(_ nameOrSignature: String) throws(ContractABIError) -> ABIFunction {
        if nameOrSignature.contains("(") {
            let canonical = (try? ABIFunction(signature: nameOrSignature))?.signature ?? nameOrSignature
            guard let f = functions.first(where: { $0.signature == canonical }) else { throw .notFound("function \(nameOrSignature)") }
            return f
        }
        let matches = functions(named: nameOrSignature)
        guard let f = matches.first else { throw .notFound("function \(nameOrSignature)") }
        guard matches.count == 1 else { throw .ambiguous(nameOrSignature, candidates: matches.map(\.signature)) }
        return f
    }

    public func function(selector: Bytes) -> ABIFunction? { functions.first { $0.selector == selector } }

    public func events(named name: String) -> [ABIEvent] { events.filter { $0.name == name } }

    /// Like `function(_:)`, for events.
    public func event(_ nameOrSignature: String) throws(ContractABIError) -> ABIEvent {
        if nameOrSignature.contains("(") {
            let canonical = (try? ABIEvent(signature: nameOrSignature))?.signature ?? nameOrSignature
            guard let e = events.first(where: { $0.signature == canonical }) else { throw .notFound("event \(nameOrSignature)") }
            return e
        }
        let matches = events(named: nameOrSignature)
        guard let e = matches.first else { throw .notFound("event \(nameOrSignature)") }
        guard matches.count == 1 else { throw .ambiguous(nameOrSignature, candidates: matches.map(\.signature)) }
        return e
    }

    public func event(topic0: Bytes) -> ABIEvent? { events.first { !$0.anonymous && $0.topic0 == topic0 } }

    public func error(selector: Bytes) -> ABIErrorDefinition? { errors.first { $0.selector == selector } }

    /// Revert data as a readable reason, using this contract's custom errors.
    public func decodeRevert(_ data: Bytes) -> RevertReason { RevertReason.decode(data, errors: errors) }

    /// The event a log belongs to (by topic0) and its values; nil when no event matches.
    public func decodeLog(topics: [Bytes], data: Bytes) throws(ABILogError) -> (event: ABIEvent, values: [ABIValue])? {
        guard let t0 = topics.first, let e = event(topic0: t0) else { return nil }
        return (e, try e.decodeLog(topics: topics, data: data))
    }
}

/// Reads the fields of one ABI entry, naming the entry and field in every error.
struct EntryReader {
    let index: Int
    let entry: JSONValue

    func fail(_ field: String, _ message: String) -> ContractABIError {
        .invalidEntry(index: index, field: field, message: message)
    }

    /// `type`, which the specification lets default to "function".
    func kind() throws(ContractABIError) -> String {
        guard entry.objectValue != nil else { throw fail("entry", "expected an object") }
        guard let t = entry["type"] else { return "function" }
        guard let s = t.stringValue else { throw fail("type", "expected a string") }
        return s
    }

    func name() throws(ContractABIError) -> String {
        guard let n = entry["name"]?.stringValue, !n.isEmpty else { throw fail("name", "missing or not a string") }
        return n
    }

    /// `stateMutability`, or the pre-0.5 `constant`/`payable` flags.
    func mutability() throws(ContractABIError) -> String? {
        if let m = entry["stateMutability"] {
            guard let s = m.stringValue else { throw fail("stateMutability", "expected a string") }
            return s
        }
        if entry["constant"]?.boolValue == true { return "view" }
        if let p = entry["payable"]?.boolValue { return p ? "payable" : "nonpayable" }
        return nil
    }

    func params(_ field: String, indexed: Bool = false) throws(ContractABIError) -> [ABIParameter] {
        guard let v = entry[field], !v.isNull else { return [] }
        guard let list = v.arrayValue else { throw fail(field, "expected an array") }
        var out: [ABIParameter] = []
        for (k, p) in list.enumerated() {
            let path = "\(field)[\(k)]"
            let type = try paramType(p, path: path, depth: 0)
            let name = p["name"]?.stringValue ?? ""
            out.append(ABIParameter(type, name: name, indexed: indexed && p["indexed"]?.boolValue == true))
        }
        return out
    }

    /// The type of a parameter; `tuple`, `tuple[]`, `tuple[2][]` take their members from
    /// `components` (recursively).
    func paramType(_ p: JSONValue, path: String, depth: Int) throws(ContractABIError) -> ABIType {
        guard p.objectValue != nil else { throw fail(path, "expected an object") }
        guard let text = p["type"]?.stringValue else { throw fail(path + ".type", "missing or not a string") }
        guard depth <= ABIType.maxDepth else { throw fail(path, "components nested too deep") }
        var full = text
        if text.hasPrefix("tuple") {
            guard let comps = p["components"]?.arrayValue else {
                throw fail(path + ".components", "a tuple needs a components array")
            }
            var members: [String] = []
            for (k, c) in comps.enumerated() {
                members.append(try paramType(c, path: path + ".components[\(k)]", depth: depth + 1).canonical)
            }
            full = "(" + members.joined(separator: ",") + ")" + text.dropFirst("tuple".count)
        }
        do { return try ABIType(parsing: full) } catch { throw fail(path + ".type", error.description) }
    }
}
