import Core

/// Why a submitted transaction was refused before reaching a block. Each case names the
/// field or rule, so API clients see e.g. `message.fuelUsed: not a uint256`.
public enum L2TxError: Error, Equatable, CustomStringConvertible {
    case notAnObject
    case unknownType(String)
    case missingField(String)
    case unknownField(String)
    case invalidField(String, String)
    case badSignature(String)
    case tooLarge(Int, limit: Int)

    public var description: String {
        switch self {
        case .notAnObject: return "transaction must be a JSON object {type, message, signature}"
        case .unknownType(let t): return "unknown transaction type \"\(t)\""
        case .missingField(let f): return "missing field \(f)"
        case .unknownField(let f): return "unknown field \(f)"
        case .invalidField(let f, let why): return "\(f): \(why)"
        case .badSignature(let why): return "signature: \(why)"
        case .tooLarge(let n, let limit): return "transaction has \(n) elements, limit \(limit)"
        }
    }
}

/// A signed L2 transaction: the call, the nonce and the sender's 65-byte signature — all that
/// the sender signed and nothing derived. It has two encodings, both from `L2TxSchema`: the JSON
/// wire form here (docs/PROTOCOL.md §2, what wallets send) and the binary form
/// (`L2Envelope.rlp`, docs/PROTOCOL.md §7, what batches, forced transactions and the block
/// store carry). `L2Admission` authenticates it into an `L2Transaction`.
public struct L2Envelope: Hashable, Sendable {
    public let call: L2Call
    public let nonce: UInt64
    public let signature: Bytes

    public init(call: L2Call, nonce: UInt64, signature: Bytes) {
        self.call = call; self.nonce = nonce; self.signature = signature
    }

    /// Parses `{"type":…, "message":{…}, "signature":"0x…"}`. Every field must be present,
    /// none may be extra, and each must have its exact type: a lenient parser here would let
    /// two different byte strings mean the same transaction.
    public static func parse(_ json: JSONValue, maxArrayLength: Int = 256) throws(L2TxError) -> L2Envelope {
        guard let top = json.objectValue else { throw .notAnObject }
        for key in top.keys where !["type", "message", "signature"].contains(key) { throw .unknownField(key) }
        guard let typeName = top["type"]?.stringValue else { throw .missingField("type") }
        guard let type = L2TxType(name: typeName) else { throw .unknownType(typeName) }
        let schema = type.schema
        guard let m = top["message"]?.objectValue else { throw .missingField("message") }
        for key in m.keys where key != "nonce" && !schema.fields.contains(where: { $0.name == key }) { throw .unknownField("message.\(key)") }
        guard let sigText = top["signature"]?.stringValue else { throw .missingField("signature") }
        let signature: Bytes
        do { signature = try Hex.decode(sigText, requirePrefix: true) } catch { throw .badSignature(error.description) }
        guard signature.count == 65 else { throw .badSignature("expected 65 bytes r‖s‖v, got \(signature.count)") }

        let p = FieldParser(message: m, maxArrayLength: maxArrayLength)
        let nonceValue = try p.uint("nonce")
        guard let nonce = nonceValue.uint64 else { throw .invalidField("message.nonce", "does not fit 64 bits") }
        var values: [L2FieldValue] = []
        values.reserveCapacity(schema.fields.count)
        for f in schema.fields {
            switch f.kind {
            case .bytes16: values.append(.jobId(try p.jobId(f.name)))
            case .bytes32: values.append(.hash(try p.hash(f.name)))
            case .uint256: values.append(.uint(try p.uint(f.name)))
            case .bytes16Array: values.append(.jobIds(try p.array(f.name) { f, v throws(L2TxError) in try FieldParser.jobId(f, v) }))
            case .bytes32Array: values.append(.hashes(try p.array(f.name) { f, v throws(L2TxError) in try FieldParser.hash(f, v) }))
            case .uint256Array: values.append(.uints(try p.array(f.name) { f, v throws(L2TxError) in try FieldParser.uint(f, v) }))
            }
        }
        return L2Envelope(call: L2Call(type: type, values: values), nonce: nonce, signature: signature)
    }

    /// The wire form of this transaction: what wallets and our CLI send. Byte strings are
    /// 0x-hex, integers decimal strings.
    public var json: JSONValue {
        var m: [String: JSONValue] = ["nonce": .string(String(nonce))]
        func h(_ b: Bytes) -> JSONValue { .string(b.hex) }
        func u(_ v: UInt256) -> JSONValue { .string(v.description) }
        for (f, v) in zip(call.type.schema.fields, call.fieldValues) {
            switch v {
            case .jobId(let x): m[f.name] = h(x.bytes)
            case .hash(let x): m[f.name] = h(x.bytes)
            case .uint(let x): m[f.name] = u(x)
            case .jobIds(let xs): m[f.name] = .array(xs.map { h($0.bytes) })
            case .hashes(let xs): m[f.name] = .array(xs.map { h($0.bytes) })
            case .uints(let xs): m[f.name] = .array(xs.map(u))
            }
        }
        return .object(["type": .string(call.typeName), "message": .object(m), "signature": .string(signature.hex)])
    }
}

/// Strict field parsing with the field's path in every error.
struct FieldParser {
    let message: [String: JSONValue]
    let maxArrayLength: Int

    func value(_ name: String) throws(L2TxError) -> JSONValue {
        guard let v = message[name] else { throw .missingField("message.\(name)") }
        return v
    }

    func uint(_ name: String) throws(L2TxError) -> UInt256 { try Self.uint("message.\(name)", try value(name)) }
    func jobId(_ name: String) throws(L2TxError) -> JobID { try Self.jobId("message.\(name)", try value(name)) }
    func hash(_ name: String) throws(L2TxError) -> Hash32 { try Self.hash("message.\(name)", try value(name)) }

    func array<T>(_ name: String, _ element: (String, JSONValue) throws(L2TxError) -> T) throws(L2TxError) -> [T] {
        guard let items = try value(name).arrayValue else { throw .invalidField("message.\(name)", "not an array") }
        guard items.count <= maxArrayLength else { throw .tooLarge(items.count, limit: maxArrayLength) }
        var out: [T] = []
        for (k, v) in items.enumerated() { out.append(try element("message.\(name)[\(k)]", v)) }
        return out
    }

    /// A uint256 as a decimal string, a 0x-hex string, or a plain JSON integer.
    static func uint(_ path: String, _ v: JSONValue) throws(L2TxError) -> UInt256 {
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw .invalidField(path, "not a uint256 (use a decimal or 0x-hex string)")
        }
        do { return try UInt256(parsing: text) } catch { throw .invalidField(path, "not a uint256: \(error)") }
    }

    static func fixedBytes(_ path: String, _ v: JSONValue, _ n: Int) throws(L2TxError) -> Bytes {
        guard let s = v.stringValue else { throw .invalidField(path, "not a 0x-hex string") }
        do { return try Hex.decode(s, requirePrefix: true).checkedCount(n) } catch { throw .invalidField(path, "not bytes\(n): \(error)") }
    }

    static func jobId(_ path: String, _ v: JSONValue) throws(L2TxError) -> JobID {
        let b = try fixedBytes(path, v, 16)
        return try! JobID(bytes: b)
    }

    static func hash(_ path: String, _ v: JSONValue) throws(L2TxError) -> Hash32 {
        Hash32(unchecked: try fixedBytes(path, v, 32))
    }
}

extension Array where Element == UInt8 {
    func checkedCount(_ n: Int) throws(HexError) -> Bytes {
        guard count == n else { throw .wrongLength(expected: n, actual: count) }
        return self
    }
}
