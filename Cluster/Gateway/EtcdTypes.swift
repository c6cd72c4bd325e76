import Core
import Foundation

/// etcd's data model as it comes through the JSON gateway: keys and values are bytes (base64
/// on the wire), revisions and lease ids are int64 (decimal strings on the wire), and zero
/// fields are left out of answers.

/// One key with its value and revisions. `createRevision` 0 means the key does not exist.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    public var createRevision: Int64
    public var modRevision: Int64
    public var version: Int64
    /// The lease the key is bound to (0: none): the key goes when the lease expires.
    public var lease: Int64

    public init(key: String, value: [UInt8], createRevision: Int64 = 0, modRevision: Int64 = 0,
                version: Int64 = 0, lease: Int64 = 0) {
        self.key = key; self.value = value; self.createRevision = createRevision
        self.modRevision = modRevision; self.version = version; self.lease = lease
    }
}

/// The cluster's revision when it answered.
public struct ResponseHeader: Sendable, Equatable {
    public var revision: Int64
    public var memberID: String
}

public struct RangeResult: Sendable, Equatable {
    public var header: ResponseHeader
    public var kvs: [KeyValue]
    /// More keys in the range than `limit` returned.
    public var more: Bool
}

/// One condition of a transaction: compares `target` of `key` with the given value. A missing
/// key has version, create and mod revision 0 and lease 0; a VALUE compare on a missing key
/// always fails (etcd's rule).
public struct Compare: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case version(Int64), create(Int64), mod(Int64), value([UInt8]), lease(Int64)
    }
    public enum Result: String, Sendable { case equal = "EQUAL", notEqual = "NOT_EQUAL", greater = "GREATER", less = "LESS" }
    public var key: String
    public var target: Target
    public var result: Result

    public init(_ key: String, _ target: Target, _ result: Result = .equal) {
        self.key = key; self.target = target; self.result = result
    }
}

/// One operation of a transaction.
public enum TxnOp: Sendable, Equatable {
    case put(key: String, value: [UInt8], lease: Int64)
    /// `rangeEnd` nil: just `key`; otherwise keys in [key, rangeEnd). `limit` 0: no limit.
    case range(key: String, rangeEnd: [UInt8]?, limit: Int)
    case deleteRange(key: String, rangeEnd: [UInt8]?)

    public static func get(_ key: String) -> TxnOp { .range(key: key, rangeEnd: nil, limit: 0) }
    public static func put(_ key: String, _ value: [UInt8], lease: Int64 = 0) -> TxnOp { .put(key: key, value: value, lease: lease) }
}

/// What one operation of a transaction answered.
public enum TxnOpResult: Sendable, Equatable {
    case put
    case range(kvs: [KeyValue], more: Bool)
    case deleteRange(deleted: Int64)

    /// The single key of a `.get` (nil: absent).
    public var single: KeyValue? {
        if case .range(let kvs, _) = self { return kvs.first }
        return nil
    }
    public var kvs: [KeyValue] {
        if case .range(let kvs, _) = self { return kvs }
        return []
    }
}

public struct TxnResult: Sendable, Equatable {
    public var header: ResponseHeader
    /// Every compare held, so the success operations ran; otherwise the failure ones did.
    public var succeeded: Bool
    public var responses: [TxnOpResult]
}

/// A change seen by a watch.
public struct WatchEvent: Sendable, Equatable {
    public enum Kind: Sendable { case put, delete }
    public var kind: Kind
    public var kv: KeyValue
}

/// One message of a watch stream.
public struct WatchResponse: Sendable, Equatable {
    public var header: ResponseHeader
    public var events: [WatchEvent]
    public var created: Bool
    /// etcd ended the watch (the start revision was compacted, or it was cancelled).
    public var canceled: Bool
    /// Nonzero when the requested start revision was compacted away: history before it is gone.
    public var compactRevision: Int64
}

/// The end of the range of keys that start with `prefix` (etcd's convention: the prefix with
/// its last byte incremented).
public func prefixEnd(_ prefix: String) -> [UInt8] {
    var bytes = Array(prefix.utf8)
    while let last = bytes.last {
        if last < 0xFF { bytes[bytes.count - 1] = last + 1; return bytes }
        bytes.removeLast()
    }
    return [0]  // every key
}

// MARK: - JSON encoding and decoding of the gateway's shapes

enum GatewayJSON {
    static func b64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }
    static func b64(_ key: String) -> JSONValue { b64(Array(key.utf8)) }
    static func int(_ v: Int64) -> JSONValue { .string(String(v)) }

    static func compare(_ c: Compare) -> JSONValue {
        var o: [String: JSONValue] = ["key": b64(c.key), "result": .string(c.result.rawValue)]
        switch c.target {
        case .version(let v): o["target"] = .string("VERSION"); o["version"] = int(v)
        case .create(let v): o["target"] = .string("CREATE"); o["create_revision"] = int(v)
        case .mod(let v): o["target"] = .string("MOD"); o["mod_revision"] = int(v)
        case .value(let v): o["target"] = .string("VALUE"); o["value"] = b64(v)
        case .lease(let v): o["target"] = .string("LEASE"); o["lease"] = int(v)
        }
        return .object(o)
    }

    static func rangeRequest(key: String, rangeEnd: [UInt8]?, limit: Int) -> JSONValue {
        var o: [String: JSONValue] = ["key": b64(key)]
        if let rangeEnd { o["range_end"] = b64(rangeEnd) }
        if limit > 0 { o["limit"] = int(Int64(limit)) }
        return .object(o)
    }

    static func op(_ op: TxnOp) -> JSONValue {
        switch op {
        case .put(let key, let value, let lease):
            var o: [String: JSONValue] = ["key": b64(key), "value": b64(value)]
            if lease != 0 { o["lease"] = int(lease) }
            return .object(["request_put": .object(o)])
        case .range(let key, let rangeEnd, let limit):
            return .object(["request_range": rangeRequest(key: key, rangeEnd: rangeEnd, limit: limit)])
        case .deleteRange(let key, let rangeEnd):
            var o: [String: JSONValue] = ["key": b64(key)]
            if let rangeEnd { o["range_end"] = b64(rangeEnd) }
            return .object(["request_delete_range": .object(o)])
        }
    }

    static func int64(_ v: JSONValue?) throws(EtcdError) -> Int64 {
        switch v {
        case nil, .null?: return 0
        case .string(let s)?: if let n = Int64(s) { return n }
        case .number(let s)?: if let n = Int64(s) { return n }
        default: break
        }
        throw .malformed("not an int64: \(v!.serialized.prefix(80))")
    }

    static func bytes(_ v: JSONValue?) throws(EtcdError) -> [UInt8] {
        switch v {
        case nil, .null?: return []
        case .string(let s)?: if let d = Data(base64Encoded: s) { return Array(d) }
        default: break
        }
        throw .malformed("not base64: \(v!.serialized.prefix(80))")
    }

    static func header(_ v: JSONValue?) throws(EtcdError) -> ResponseHeader {
        ResponseHeader(revision: try int64(v?["revision"]), memberID: v?["member_id"]?.stringValue ?? "")
    }

    static func keyValue(_ v: JSONValue) throws(EtcdError) -> KeyValue {
        KeyValue(key: String(decoding: try bytes(v["key"]), as: UTF8.self), value: try bytes(v["value"]),
                 createRevision: try int64(v["create_revision"]), modRevision: try int64(v["mod_revision"]),
                 version: try int64(v["version"]), lease: try int64(v["lease"]))
    }

    static func kvs(_ v: JSONValue?) throws(EtcdError) -> [KeyValue] {
        var out: [KeyValue] = []
        for item in v?.arrayValue ?? [] { out.append(try keyValue(item)) }
        return out
    }

    static func opResult(_ v: JSONValue) throws(EtcdError) -> TxnOpResult {
        if v["response_put"] != nil { return .put }
        if let r = v["response_range"] { return .range(kvs: try kvs(r["kvs"]), more: r["more"]?.boolValue ?? false) }
        if let r = v["response_delete_range"] { return .deleteRange(deleted: try int64(r["deleted"])) }
        throw .malformed("unknown transaction response \(v.serialized.prefix(120))")
    }

    static func watchResponse(_ v: JSONValue) throws(EtcdError) -> WatchResponse {
        var events: [WatchEvent] = []
        for e in v["events"]?.arrayValue ?? [] {
            guard let kv = e["kv"] else { throw .malformed("watch event without kv") }
            let kind: WatchEvent.Kind = e["type"]?.stringValue == "DELETE" ? .delete : .put
            events.append(WatchEvent(kind: kind, kv: try keyValue(kv)))
        }
        return WatchResponse(header: try header(v["header"]), events: events,
                             created: v["created"]?.boolValue ?? false, canceled: v["canceled"]?.boolValue ?? false,
                             compactRevision: try int64(v["compact_revision"]))
    }
}
