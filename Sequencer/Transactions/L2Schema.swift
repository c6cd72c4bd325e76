import Core

/// The eleven L2 transaction types (docs/PROTOCOL.md §2) in one table: each type's code, name
/// and fields in their pinned order. Everything else about a type is derived from this table —
/// the EIP-712 type string and typeHash (`L2TypedData`), the JSON wire form (`L2Envelope.parse`
/// and `.json`) and the binary form that batches, forced transactions and the block store
/// carry (`L2Envelope.rlp`) — so the forms cannot drift apart. `L2Call` keeps one Swift case per
/// type for the state transition; `L2Call.fieldValues` and `L2Call(type:values:)` are the only
/// per-type code between the two.
public enum L2TxType: UInt8, CaseIterable, Sendable {
    case registerJob = 1, cancelJob, process, decline, submit, verify, reject, timeout, split, aggregate, withdraw

    /// The row of the table: name, fields, type string.
    public var schema: L2TxSchema { L2TxSchema.table[Int(rawValue) - 1] }

    /// The type whose EIP-712 primary type (and wire-form `"type"`) is `name`.
    public init?(name: String) {
        guard let s = L2TxSchema.byName[name] else { return nil }
        self = s.type
    }
}

/// One field of a transaction type: its name in the wire form and the EIP-712 type string, and
/// its Solidity type, which fixes its JSON, binary and EIP-712 encodings.
public struct L2Field: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case bytes16, bytes32, uint256
        case bytes16Array = "bytes16[]", bytes32Array = "bytes32[]", uint256Array = "uint256[]"
    }

    public let name: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind) { self.name = name; self.kind = kind }
}

/// A field's value; the case follows the field's `Kind` (bytes16 is a `JobID`, bytes32 a `Hash32`).
public enum L2FieldValue: Hashable, Sendable {
    case jobId(JobID)
    case hash(Hash32)
    case uint(UInt256)
    case jobIds([JobID])
    case hashes([Hash32])
    case uints([UInt256])
}

public struct L2TxSchema: Sendable {
    public let type: L2TxType
    /// The EIP-712 primary type name, which is also the wire form's `"type"`.
    public let name: String
    /// The fields in their pinned order; every type has `uint256 nonce` after them.
    public let fields: [L2Field]
    /// e.g. `Process(bytes16 jobId,uint256 nonce)`; its keccak is the typeHash.
    public let typeString: String
    public let typeHash: Bytes

    init(_ type: L2TxType, _ name: String, _ fields: [L2Field]) {
        self.type = type; self.name = name; self.fields = fields
        typeString = name + "(" + (fields.map { "\($0.kind.rawValue) \($0.name)" } + ["uint256 nonce"]).joined(separator: ",") + ")"
        typeHash = EIP712.typeHash(typeString)
    }

    /// The table. Order and codes are pinned (docs/PROTOCOL.md §2 and §7): RegisterJob = 1 … Withdraw = 11.
    public static let table: [L2TxSchema] = [
        .init(.registerJob, "RegisterJob", [
            .init("jobId", .bytes16), .init("parentJob", .bytes16), .init("programId", .uint256), .init("numParallel", .uint256),
            .init("numEpoch", .uint256), .init("dataset", .bytes32), .init("param", .bytes32), .init("fuelLimit", .uint256),
            .init("fuelPrice", .uint256), .init("deadline", .uint256),
        ]),
        .init(.cancelJob, "CancelJob", [.init("jobId", .bytes16)]),
        .init(.process, "Process", [.init("jobId", .bytes16)]),
        .init(.decline, "Decline", [.init("jobId", .bytes16)]),
        .init(.submit, "Submit", [.init("jobId", .bytes16), .init("result", .bytes32), .init("fuelUsed", .uint256)]),
        .init(.verify, "Verify", [.init("jobId", .bytes16)]),
        .init(.reject, "Reject", [.init("jobId", .bytes16)]),
        .init(.timeout, "Timeout", [.init("jobId", .bytes16)]),
        .init(.split, "Split", [
            .init("parentJob", .bytes16), .init("jobIds", .bytes16Array), .init("datasets", .bytes32Array),
            .init("fuelLimits", .uint256Array),
        ]),
        .init(.aggregate, "Aggregate", [.init("parentJob", .bytes16), .init("result", .bytes32)]),
        .init(.withdraw, "Withdraw", [.init("amount", .uint256)]),
    ]

    static let byName: [String: L2TxSchema] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}

extension L2Call {
    public var type: L2TxType {
        switch self {
        case .registerJob: return .registerJob
        case .cancelJob: return .cancelJob
        case .process: return .process
        case .decline: return .decline
        case .submit: return .submit
        case .verify: return .verify
        case .reject: return .reject
        case .timeout: return .timeout
        case .split: return .split
        case .aggregate: return .aggregate
        case .withdraw: return .withdraw
        }
    }

    /// The EIP-712 primary type name, which is also the wire form's `"type"`.
    public var typeName: String { type.schema.name }

    /// The values of `type.schema.fields`, in that order.
    public var fieldValues: [L2FieldValue] {
        switch self {
        case .registerJob(let r):
            return [.jobId(r.jobId), .jobId(r.parentJob), .uint(r.programId), .uint(r.numParallel), .uint(r.numEpoch),
                    .hash(r.dataset), .hash(r.param), .uint(r.fuelLimit), .uint(r.fuelPrice), .uint(r.deadline)]
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id):
            return [.jobId(id)]
        case .submit(let id, let result, let fuelUsed): return [.jobId(id), .hash(result), .uint(fuelUsed)]
        case .split(let s): return [.jobId(s.parentJob), .jobIds(s.jobIds), .hashes(s.datasets), .uints(s.fuelLimits)]
        case .aggregate(let parent, let result): return [.jobId(parent), .hash(result)]
        case .withdraw(let amount): return [.uint(amount)]
        }
    }

    /// The call of `type` with `values`, which the decoders read field by field from the schema
    /// (so their number and kinds match it; anything else is a bug in the caller).
    init(type: L2TxType, values v: [L2FieldValue]) {
        precondition(v.count == type.schema.fields.count, "\(type.schema.name) has \(type.schema.fields.count) fields, got \(v.count)")
        switch type {
        case .registerJob:
            self = .registerJob(.init(jobId: v[0].jobId, parentJob: v[1].jobId, programId: v[2].uint, numParallel: v[3].uint,
                                      numEpoch: v[4].uint, dataset: v[5].hash, param: v[6].hash, fuelLimit: v[7].uint,
                                      fuelPrice: v[8].uint, deadline: v[9].uint))
        case .cancelJob: self = .cancelJob(jobId: v[0].jobId)
        case .process: self = .process(jobId: v[0].jobId)
        case .decline: self = .decline(jobId: v[0].jobId)
        case .submit: self = .submit(jobId: v[0].jobId, result: v[1].hash, fuelUsed: v[2].uint)
        case .verify: self = .verify(jobId: v[0].jobId)
        case .reject: self = .reject(jobId: v[0].jobId)
        case .timeout: self = .timeout(jobId: v[0].jobId)
        case .split: self = .split(.init(parentJob: v[0].jobId, jobIds: v[1].jobIds, datasets: v[2].hashes, fuelLimits: v[3].uints))
        case .aggregate: self = .aggregate(parentJob: v[0].jobId, result: v[1].hash)
        case .withdraw: self = .withdraw(amount: v[0].uint)
        }
    }
}

extension L2FieldValue {
    var jobId: JobID { if case .jobId(let x) = self { return x }; preconditionFailure("not a bytes16: \(self)") }
    var hash: Hash32 { if case .hash(let x) = self { return x }; preconditionFailure("not a bytes32: \(self)") }
    var uint: UInt256 { if case .uint(let x) = self { return x }; preconditionFailure("not a uint256: \(self)") }
    var jobIds: [JobID] { if case .jobIds(let x) = self { return x }; preconditionFailure("not a bytes16[]: \(self)") }
    var hashes: [Hash32] { if case .hashes(let x) = self { return x }; preconditionFailure("not a bytes32[]: \(self)") }
    var uints: [UInt256] { if case .uints(let x) = self { return x }; preconditionFailure("not a uint256[]: \(self)") }
}
