import Core
import Sequencer

/// A method's parameters, given by position (`[a, b]`) or by name (`{"a":…, "b":…}`) as
/// JSON-RPC 2.0 allows. Each method declares its parameter names in order; anything extra or
/// missing is refused with a message naming the parameter, so a client's typo never turns
/// into a silently ignored argument.
public struct RPCParams: Sendable {
    public let names: [String]
    private let values: [String: JSONValue]

    /// `required` is how many of `names` (from the front) must be present.
    public init(_ params: JSONValue?, names: [String], required: Int) throws(RPCError) {
        self.names = names
        var values: [String: JSONValue] = [:]
        switch params {
        case nil, .null?: break
        case .array(let list)?:
            guard list.count <= names.count else {
                throw .invalidParams("expected at most \(names.count) params (\(names.joined(separator: ", "))), got \(list.count)")
            }
            for (i, v) in list.enumerated() where !v.isNull { values[names[i]] = v }
        case .object(let o)?:
            for (k, v) in o {
                guard names.contains(k) else {
                    throw .invalidParams("unknown param \"\(k.prefix(64))\" (expected \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
                }
                if !v.isNull { values[k] = v }
            }
        default:
            throw .invalidRequest("params must be an array or an object")
        }
        for name in names.prefix(required) where values[name] == nil { throw .invalidParams("missing param \(name)") }
        self.values = values
    }

    public subscript(name: String) -> JSONValue? { values[name] }

    /// The params given, by position in `names` (null for one left out; trailing ones
    /// dropped): what a follower forwards to its leader, which reads them as sent.
    public var positional: [JSONValue] {
        var list = names.map { values[$0] ?? .null }
        while list.last?.isNull == true { list.removeLast() }
        return list
    }

    func fail(_ name: String, _ why: String) -> RPCError { .invalidParams("\(name): \(why)") }

    func string(_ name: String) throws(RPCError) -> String? {
        guard let v = values[name] else { return nil }
        guard let s = v.stringValue else { throw fail(name, "expected a string") }
        return s
    }

    public func address(_ name: String) throws(RPCError) -> Address? {
        guard let s = try string(name) else { return nil }
        guard s.hasPrefix("0x") || s.hasPrefix("0X") else { throw fail(name, "expected 0x-hex of 20 bytes") }
        do { return try Address(s) } catch { throw fail(name, "\(error)") }
    }

    public func bytes(_ name: String, count: Int) throws(RPCError) -> Bytes? {
        guard let s = try string(name) else { return nil }
        do {
            let b = try Hex.decode(s, requirePrefix: true)
            guard b.count == count else { throw HexError.wrongLength(expected: count, actual: b.count) }
            return b
        } catch { throw fail(name, "not 0x-hex of \(count) bytes: \(error)") }
    }

    /// 0x-hex of any length.
    public func bytes(_ name: String) throws(RPCError) -> Bytes? {
        guard let s = try string(name) else { return nil }
        do { return try Hex.decode(s, requirePrefix: true) } catch { throw fail(name, "not 0x-hex: \(error)") }
    }

    public func hash(_ name: String) throws(RPCError) -> Hash32? {
        guard let b = try bytes(name, count: 32) else { return nil }
        return try! Hash32(bytes: b)
    }

    public func jobId(_ name: String) throws(RPCError) -> JobID? {
        guard let b = try bytes(name, count: 16) else { return nil }
        return try! JobID(bytes: b)
    }

    /// A quantity as a 0x-hex string, a decimal string, or a JSON integer.
    public func uint256(_ name: String) throws(RPCError) -> UInt256? {
        guard let v = values[name] else { return nil }
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw fail(name, "expected a quantity (0x-hex or decimal string)")
        }
        do { return try UInt256(parsing: text) } catch { throw fail(name, "not a quantity: \(error)") }
    }

    public func uint64(_ name: String) throws(RPCError) -> UInt64? {
        guard let v = try uint256(name) else { return nil }
        guard let small = v.uint64 else { throw fail(name, "does not fit 64 bits") }
        return small
    }

    public func bool(_ name: String) throws(RPCError) -> Bool? {
        guard let v = values[name] else { return nil }
        guard let b = v.boolValue else { throw fail(name, "expected true or false") }
        return b
    }

    /// A block number: a quantity, or the tags "latest" (the head) and "earliest" (0).
    public func blockNumber(_ name: String, head: UInt64) throws(RPCError) -> UInt64? {
        if case .string(let s)? = values[name] {
            if s == "latest" { return head }
            if s == "earliest" { return 0 }
        }
        return try uint64(name)
    }
}
