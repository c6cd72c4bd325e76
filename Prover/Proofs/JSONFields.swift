import Core
import Sequencer

/// Reads the fields of one JSON object of a proof, refusing unknown fields (a misspelt field
/// must not be silently ignored by a verifier) and naming the field in every error.
struct JSONFields {
    let object: [String: JSONValue]
    let context: String

    init(_ json: JSONValue, _ context: String, allowed: Set<String>) throws(ProofError) {
        let what = context.isEmpty ? "the proof" : context
        guard let o = json.objectValue else { throw .format("\(what) must be a JSON object") }
        for k in o.keys.sorted() where !allowed.contains(k) { throw .format("\(what) has unknown field \"\(k.prefix(40))\"") }
        object = o
        self.context = context
    }

    func name(_ field: String) -> String { context.isEmpty ? "\"\(field)\"" : "\(context).\(field)" }

    /// The value of a required field (JSON null counts as missing).
    func required(_ field: String) throws(ProofError) -> JSONValue {
        guard let v = object[field], !v.isNull else { throw .format("\(name(field)) is missing") }
        return v
    }

    /// The value of an optional field: nil when absent or null.
    func optional(_ field: String) -> JSONValue? {
        guard let v = object[field], !v.isNull else { return nil }
        return v
    }

    func string(_ field: String) throws(ProofError) -> String {
        guard let s = try required(field).stringValue else { throw .format("\(name(field)) must be a string") }
        return s
    }

    func bytes(_ field: String, count: Int? = nil) throws(ProofError) -> Bytes {
        try Self.bytes(try required(field), name(field), count: count)
    }

    func hash(_ field: String) throws(ProofError) -> Hash32 {
        let b = try bytes(field, count: 32)
        return try! Hash32(bytes: b)
    }

    func address(_ field: String) throws(ProofError) -> Address {
        let s = try string(field)
        do { return try Address(s) } catch { throw .format("\(name(field)) is not an address: \(error)") }
    }

    func hashes(_ field: String) throws(ProofError) -> [Hash32] {
        guard let list = try required(field).arrayValue else { throw .format("\(name(field)) must be an array") }
        var out: [Hash32] = []
        for (i, item) in list.enumerated() {
            let b = try Self.bytes(item, "\(name(field))[\(i)]", count: 32)
            out.append(try! Hash32(bytes: b))
        }
        return out
    }

    func uint256(_ field: String) throws(ProofError) -> UInt256 { try Self.uint256(try required(field), name(field)) }

    func uint64(_ field: String) throws(ProofError) -> UInt64 {
        guard let v = try uint256(field).uint64 else { throw .format("\(name(field)) does not fit 64 bits") }
        return v
    }

    func optionalUInt64(_ field: String) throws(ProofError) -> UInt64? {
        guard optional(field) != nil else { return nil }
        return try uint64(field)
    }

    /// `0x`-hex bytes (the prefix is required: a bare number must not be read as hex).
    static func bytes(_ v: JSONValue, _ name: String, count: Int? = nil) throws(ProofError) -> Bytes {
        guard let s = v.stringValue else { throw .format("\(name) must be a 0x-hex string") }
        let b: Bytes
        do { b = try Hex.decode(s, requirePrefix: true) } catch { throw .format("\(name): \(error)") }
        if let count, b.count != count { throw .format("\(name) must be \(count) bytes, found \(b.count)") }
        return b
    }

    /// A decimal string, a `0x`-hex string or a JSON integer.
    static func uint256(_ v: JSONValue, _ name: String) throws(ProofError) -> UInt256 {
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw .format("\(name) must be an integer (decimal string, 0x-hex string or JSON number)")
        }
        do { return try UInt256(parsing: text) } catch { throw .format("\(name) is not a valid integer: \(error)") }
    }
}

extension JSONValue {
    static func uint(_ v: UInt64) -> JSONValue { .number(String(v)) }
    static func decimal(_ v: UInt256) -> JSONValue { .string(v.description) }
    static func hex(_ b: Bytes) -> JSONValue { .string(b.hex) }
    static func word(_ h: Hash32) -> JSONValue { .string(h.bytes.hex) }
}
