import Core
import Foundation

/// An etcd v3 client over the JSON gateway every member serves on its client port (`/v3/...`,
/// etcd 3.4's path): KV, transactions, leases and watches, with no generated gRPC code.
///
/// It knows every member and sends each request to the one that answered last; a member that
/// refuses connections is skipped at once. Requests that are safe to repeat (reads,
/// keepalives, revokes) also move on after a timeout or an "unavailable" answer; writes do not,
/// since the first attempt may have been applied: they fail with `.indeterminate` and the
/// caller settles the outcome by reading (the block log and election do).
public struct EtcdClient: Sendable {
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public let host: String
        public let port: Int
        public var description: String { "http://\(host):\(port)" }
    }

    public let endpoints: [Endpoint]
    /// How long one request may wait for its answer before it counts as lost.
    public let requestTimeout: Duration
    private let preferred: LockedValue<Int>

    /// `urls`: each member's client URL, `http://host:port` (TLS is not supported: members are
    /// reached on a private network or loopback).
    public init(endpoints urls: [String], requestTimeout: Duration = .seconds(3)) throws(EtcdError) {
        var parsed: [Endpoint] = []
        for url in urls {
            guard let u = URL(string: url.trimmingCharacters(in: .whitespaces)), u.scheme == "http",
                  let host = u.host, let port = u.port, u.path.isEmpty || u.path == "/" else {
                throw .invalidArgument("endpoint \"\(url)\" is not of the form http://host:port")
            }
            parsed.append(Endpoint(host: host, port: port))
        }
        guard !parsed.isEmpty else { throw .invalidArgument("no etcd endpoint given") }
        endpoints = parsed
        self.requestTimeout = requestTimeout
        preferred = LockedValue(0)
    }

    /// Parses a comma-separated list, as in `ETCD_ENDPOINTS` (scripts/etcd-cluster writes it).
    public init(endpointList: String, requestTimeout: Duration = .seconds(3)) throws(EtcdError) {
        try self.init(endpoints: endpointList.split(separator: ",").map(String.init).filter { !$0.isEmpty },
                      requestTimeout: requestTimeout)
    }

    /// The members in the order to try them: the last one that answered first.
    func rotation() -> [(index: Int, endpoint: Endpoint)] {
        let start = preferred.value
        return (0..<endpoints.count).map { k in
            let i = (start + k) % endpoints.count
            return (i, endpoints[i])
        }
    }

    func answered(_ index: Int) { preferred.set(index) }

    /// After a write to member `index` went unanswered, the next request starts elsewhere.
    func skip(_ index: Int) {
        preferred.withLock { if $0 == index { $0 = (index + 1) % endpoints.count } }
    }

    /// One request/response call. `idempotent`: may be repeated on another member after a
    /// timeout or an "unavailable" answer.
    func call(_ path: String, _ body: JSONValue, idempotent: Bool, timeout: Duration? = nil) async throws(EtcdError) -> JSONValue {
        let bytes = Array(body.serialized.utf8)
        var failures: [String] = []
        for (index, endpoint) in rotation() {
            if Task.isCancelled { throw .indeterminate("cancelled") }
            let exchange = HTTPExchange(host: endpoint.host, port: endpoint.port)
            let status: Int, answer: [UInt8]
            do {
                (status, answer) = try await exchange.post(path, body: bytes, timeout: timeout ?? requestTimeout)
            } catch {
                switch error {
                case .connect(let m): failures.append(m); continue
                case .afterSend(let m):
                    guard idempotent else { skip(index); throw .indeterminate(m) }
                    failures.append(m); continue
                case .timeout:
                    let m = "\(endpoint): no answer within \(timeout ?? requestTimeout)"
                    guard idempotent else { skip(index); throw .indeterminate(m) }
                    failures.append(m); continue
                case .stopped(let e):
                    throw .indeterminate("\(e)")
                }
            }
            let json: JSONValue
            do { json = try JSONValue.parse(Data(answer)) } catch {
                throw .malformed("\(endpoint)\(path) answered HTTP \(status): \(String(decoding: answer.prefix(200), as: UTF8.self))")
            }
            if let error = Self.gatewayError(json) {
                // A member without a leader (cut off, or mid-election) cannot serve; another may.
                if error.isUnavailable {
                    failures.append("\(endpoint): \(error)")
                    if idempotent { continue }
                    skip(index)
                    throw .indeterminate(error.description)
                }
                throw error
            }
            guard status == 200 else { throw .malformed("\(endpoint)\(path) answered HTTP \(status)") }
            answered(index)
            return json
        }
        // Only repeatable requests get here after sending, so "not served" is the useful answer.
        throw .unreachable(failures.joined(separator: "; "))
    }

    /// The gateway's error shape: `{"error": "...", "message": "...", "code": N}`, where a
    /// streamed answer wraps it as `{"error": {...}}`.
    static func gatewayError(_ json: JSONValue) -> EtcdError? {
        guard let e = json["error"], !e.isNull else { return nil }
        let holder = e.objectValue != nil ? e : json
        let code: Int
        switch holder["code"] {
        case .number(let n)?: code = Int(n) ?? -1
        case .string(let s)?: code = Int(s) ?? -1
        default: code = -1
        }
        let message = holder["message"]?.stringValue ?? holder["error"]?.stringValue ?? holder.serialized
        return .server(code: code, message: message)
    }

    // MARK: - KV

    /// One key (nil: absent), read linearizably.
    public func get(_ key: String) async throws(EtcdError) -> (KeyValue?, ResponseHeader) {
        let r = try await range(key, rangeEnd: nil)
        return (r.kvs.first, r.header)
    }

    /// Keys in [key, rangeEnd), in key order; `limit` 0: all of them.
    public func range(_ key: String, rangeEnd: [UInt8]?, limit: Int = 0) async throws(EtcdError) -> RangeResult {
        let json = try await call("/v3/kv/range", GatewayJSON.rangeRequest(key: key, rangeEnd: rangeEnd, limit: limit), idempotent: true)
        return RangeResult(header: try GatewayJSON.header(json["header"]), kvs: try GatewayJSON.kvs(json["kvs"]),
                           more: json["more"]?.boolValue ?? false)
    }

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], lease: Int64 = 0) async throws(EtcdError) -> ResponseHeader {
        var body: [String: JSONValue] = ["key": GatewayJSON.b64(key), "value": GatewayJSON.b64(value)]
        if lease != 0 { body["lease"] = GatewayJSON.int(lease) }
        let json = try await call("/v3/kv/put", .object(body), idempotent: false)
        return try GatewayJSON.header(json["header"])
    }

    /// Deletes [key, rangeEnd) (rangeEnd nil: just key); returns how many keys went.
    @discardableResult
    public func delete(_ key: String, rangeEnd: [UInt8]? = nil) async throws(EtcdError) -> Int64 {
        var body: [String: JSONValue] = ["key": GatewayJSON.b64(key)]
        if let rangeEnd { body["range_end"] = GatewayJSON.b64(rangeEnd) }
        let json = try await call("/v3/kv/deleterange", .object(body), idempotent: false)
        return try GatewayJSON.int64(json["deleted"])
    }

    /// An atomic transaction: if every compare holds, `success` runs, otherwise `failure`; all
    /// at one revision. Not repeated by the client (see the type's comment).
    public func txn(_ compare: [Compare], success: [TxnOp], failure: [TxnOp] = []) async throws(EtcdError) -> TxnResult {
        let body = JSONValue.object([
            "compare": .array(compare.map(GatewayJSON.compare)),
            "success": .array(success.map(GatewayJSON.op)),
            "failure": .array(failure.map(GatewayJSON.op)),
        ])
        let onlyReads = (success + failure).allSatisfy { if case .range = $0 { return true }; return false }
        let json = try await call("/v3/kv/txn", body, idempotent: onlyReads)
        var responses: [TxnOpResult] = []
        for r in json["responses"]?.arrayValue ?? [] { responses.append(try GatewayJSON.opResult(r)) }
        return TxnResult(header: try GatewayJSON.header(json["header"]), succeeded: json["succeeded"]?.boolValue ?? false,
                         responses: responses)
    }
}
