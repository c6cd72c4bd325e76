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

/// A transaction as it arrives on the wire (docs/PROTOCOL.md §2), parsed but not yet authenticated.
public struct L2Envelope: Hashable, Sendable {
    public let call: L2Call
    public let nonce: UInt64
    public let signature: Bytes

    public init(call: L2Call, nonce: UInt64, signature: Bytes) {
        self.call = call; self.nonce = nonce; self.signature = signature
    }

    /// Fields of each type in their pinned order (excluding nonce, which all have last).
    static let fields: [String: [String]] = [
        "RegisterJob": ["jobId", "parentJob", "programId", "numParallel", "numEpoch", "dataset", "param", "fuelLimit", "fuelPrice", "deadline"],
        "CancelJob": ["jobId"], "Process": ["jobId"], "Decline": ["jobId"], "Verify": ["jobId"], "Reject": ["jobId"],
        "Timeout": ["jobId"], "Submit": ["jobId", "result", "fuelUsed"],
        "Split": ["parentJob", "jobIds", "datasets", "fuelLimits"], "Aggregate": ["parentJob", "result"], "Withdraw": ["amount"],
    ]

    /// Parses `{"type":…, "message":{…}, "signature":"0x…"}`. Every field must be present,
    /// none may be extra, and each must have its exact type: a lenient parser here would let
    /// two different byte strings mean the same transaction.
    public static func parse(_ json: JSONValue, maxArrayLength: Int = 256) throws(L2TxError) -> L2Envelope {
        guard let top = json.objectValue else { throw .notAnObject }
        for key in top.keys where !["type", "message", "signature"].contains(key) { throw .unknownField(key) }
        guard let type = top["type"]?.stringValue else { throw .missingField("type") }
        guard let names = fields[type] else { throw .unknownType(type) }
        guard let m = top["message"]?.objectValue else { throw .missingField("message") }
        for key in m.keys where !names.contains(key) && key != "nonce" { throw .unknownField("message.\(key)") }
        guard let sigText = top["signature"]?.stringValue else { throw .missingField("signature") }
        let signature: Bytes
        do { signature = try Hex.decode(sigText, requirePrefix: true) } catch { throw .badSignature(error.description) }
        guard signature.count == 65 else { throw .badSignature("expected 65 bytes r‖s‖v, got \(signature.count)") }

        let p = FieldParser(message: m, maxArrayLength: maxArrayLength)
        let nonceValue = try p.uint("nonce")
        guard let nonce = nonceValue.uint64 else { throw .invalidField("message.nonce", "does not fit 64 bits") }
        let call: L2Call
        switch type {
        case "RegisterJob":
            call = .registerJob(.init(jobId: try p.jobId("jobId"), parentJob: try p.jobId("parentJob"),
                                      programId: try p.uint("programId"), numParallel: try p.uint("numParallel"),
                                      numEpoch: try p.uint("numEpoch"), dataset: try p.hash("dataset"),
                                      param: try p.hash("param"), fuelLimit: try p.uint("fuelLimit"),
                                      fuelPrice: try p.uint("fuelPrice"), deadline: try p.uint("deadline")))
        case "CancelJob": call = .cancelJob(jobId: try p.jobId("jobId"))
        case "Process": call = .process(jobId: try p.jobId("jobId"))
        case "Decline": call = .decline(jobId: try p.jobId("jobId"))
        case "Verify": call = .verify(jobId: try p.jobId("jobId"))
        case "Reject": call = .reject(jobId: try p.jobId("jobId"))
        case "Timeout": call = .timeout(jobId: try p.jobId("jobId"))
        case "Submit":
            call = .submit(jobId: try p.jobId("jobId"), result: try p.hash("result"), fuelUsed: try p.uint("fuelUsed"))
        case "Split":
            call = .split(.init(parentJob: try p.jobId("parentJob"), jobIds: try p.array("jobIds") { f, v throws(L2TxError) in try FieldParser.jobId(f, v) },
                                datasets: try p.array("datasets") { f, v throws(L2TxError) in try FieldParser.hash(f, v) },
                                fuelLimits: try p.array("fuelLimits") { f, v throws(L2TxError) in try FieldParser.uint(f, v) }))
        case "Aggregate": call = .aggregate(parentJob: try p.jobId("parentJob"), result: try p.hash("result"))
        default: call = .withdraw(amount: try p.uint("amount"))
        }
        return L2Envelope(call: call, nonce: nonce, signature: signature)
    }

    /// The wire form of this transaction: what wallets and our CLI send.
    public var json: JSONValue {
        var m: [String: JSONValue] = ["nonce": .string(String(nonce))]
        func h(_ b: Bytes) -> JSONValue { .string(b.hex) }
        func u(_ v: UInt256) -> JSONValue { .string(v.description) }
        switch call {
        case .registerJob(let r):
            m["jobId"] = h(r.jobId.bytes); m["parentJob"] = h(r.parentJob.bytes); m["programId"] = u(r.programId)
            m["numParallel"] = u(r.numParallel); m["numEpoch"] = u(r.numEpoch); m["dataset"] = h(r.dataset.bytes)
            m["param"] = h(r.param.bytes); m["fuelLimit"] = u(r.fuelLimit); m["fuelPrice"] = u(r.fuelPrice); m["deadline"] = u(r.deadline)
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id):
            m["jobId"] = h(id.bytes)
        case .submit(let id, let result, let fuelUsed):
            m["jobId"] = h(id.bytes); m["result"] = h(result.bytes); m["fuelUsed"] = u(fuelUsed)
        case .split(let s):
            m["parentJob"] = h(s.parentJob.bytes); m["jobIds"] = .array(s.jobIds.map { h($0.bytes) })
            m["datasets"] = .array(s.datasets.map { h($0.bytes) }); m["fuelLimits"] = .array(s.fuelLimits.map(u))
        case .aggregate(let parent, let result):
            m["parentJob"] = h(parent.bytes); m["result"] = h(result.bytes)
        case .withdraw(let amount):
            m["amount"] = u(amount)
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
