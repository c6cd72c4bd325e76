import Core
import Foundation

/// One JSON-RPC method: its parameter names (in positional order, the first `required` of
/// them mandatory) and its body.
public struct RPCMethod: Sendable {
    public let params: [String]
    public let required: Int
    public let run: @Sendable (RPCParams) async throws -> JSONValue
    /// Runs all of a JSON-RPC batch's calls of this method at once, one outcome per call in
    /// their order (nil: each call runs on its own, concurrently with the batch's others).
    /// `emeth_sendTransaction` has one: a batch's signatures are recovered on all cores and
    /// its transactions admitted in batch order under one acquisition of the engine's lock.
    public let runBatch: (@Sendable ([RPCParams]) async -> [Result<JSONValue, RPCError>])?

    public init(params: [String] = [], required: Int? = nil, _ run: @escaping @Sendable (RPCParams) async throws -> JSONValue,
                batch: (@Sendable ([RPCParams]) async -> [Result<JSONValue, RPCError>])? = nil) {
        self.params = params
        self.required = required ?? params.count
        self.run = run
        self.runBatch = batch
    }
}

/// Request limits. A body over `maxBodyBytes` is refused before parsing (HTTP 413); a batch
/// over `maxBatch` requests is refused as a whole, so one request cannot occupy the
/// sequencer for long.
public struct RPCLimits: Sendable, Equatable {
    public var maxBodyBytes: Int
    public var maxBatch: Int
    /// `emeth_sendTransaction` per client and second, and at once (0: no limit).
    public var sendPerSecond: Double
    public var sendBurst: Int

    public init(maxBodyBytes: Int = 1 << 20, maxBatch: Int = 100, sendPerSecond: Double = 0, sendBurst: Int = 0) {
        self.maxBodyBytes = maxBodyBytes
        self.maxBatch = maxBatch
        self.sendPerSecond = sendPerSecond
        self.sendBurst = sendBurst
    }
}

/// What goes back over the transport: an HTTP status and a JSON body, or no body at all
/// (a request made only of notifications).
public struct RPCReply: Sendable, Equatable {
    public let status: Int
    public let body: Bytes?

    public var text: String? { body.map { String(decoding: $0, as: UTF8.self) } }
}

/// JSON-RPC 2.0 without a transport: bytes in, bytes out. Parses with the project's strict
/// JSON parser (numbers verbatim, so 256-bit quantities survive), validates the envelope,
/// runs methods (a batch's calls of a method with a batch form together, the others
/// concurrently, so signature recovery of many transactions uses every core) and keeps the
/// responses in request order. Notifications (no `id`) run but get no response.
public struct RPCDispatcher: Sendable {
    public private(set) var methods: [String: RPCMethod]
    public let limits: RPCLimits
    let sendLimiter: RateLimiter?

    public init(methods: [String: RPCMethod], limits: RPCLimits = RPCLimits()) {
        self.methods = methods
        self.limits = limits
        sendLimiter = limits.sendPerSecond > 0 ? RateLimiter(perSecond: limits.sendPerSecond, burst: max(1, limits.sendBurst)) : nil
    }

    /// This dispatcher with `extra` methods beside its own (what one WebSocket connection
    /// serves: the API's methods and its subscriptions). Limits and the per-client rate limiter
    /// are shared, so opening connections buys a client no extra sending rate.
    public func adding(_ extra: [String: RPCMethod]) -> RPCDispatcher {
        var d = self
        d.methods.merge(extra) { _, new in new }
        return d
    }

    /// `client` identifies who sent the body (the remote address) for the rate limits.
    public func handle(_ body: Bytes, client: String? = nil) async -> RPCReply {
        guard body.count <= limits.maxBodyBytes else {
            return Self.reply(status: 413, Self.errorResponse(id: .null, .limit(
                "request body of \(body.count) bytes exceeds the limit of \(limits.maxBodyBytes) bytes")))
        }
        let json: JSONValue
        do { json = try JSONValue.parse(Data(body)) } catch {
            return Self.reply(status: 200, Self.errorResponse(id: .null, .parseError("parse error: \(error)")))
        }
        guard case .array(let batch) = json else {
            guard let response = await handle(request: json, client: client) else { return RPCReply(status: 204, body: nil) }
            return Self.reply(status: 200, response)
        }
        guard !batch.isEmpty else {
            return Self.reply(status: 200, Self.errorResponse(id: .null, .invalidRequest("invalid request: empty batch")))
        }
        guard batch.count <= limits.maxBatch else {
            return Self.reply(status: 200, Self.errorResponse(id: .null, .limit(
                "batch of \(batch.count) requests exceeds the limit of \(limits.maxBatch)")))
        }
        // Envelopes, rate limits and params are checked in batch order; then the calls of a
        // method with a batch form run together, every other call on its own, concurrently.
        let steps = batch.map { prepare($0, client: client) }
        var out = [JSONValue?](repeating: nil, count: batch.count)
        var together: [String: [Int]] = [:]
        for (i, step) in steps.enumerated() {
            switch step {
            case .done(let response): out[i] = response
            case .run(let call, let method, _) where method.runBatch != nil: together[call.method, default: []].append(i)
            case .run: break
            }
        }
        let ran = await withTaskGroup(of: [(Int, JSONValue?)].self) { group in
            for (i, step) in steps.enumerated() {
                guard case .run(let call, let method, let params) = step, method.runBatch == nil else { continue }
                group.addTask { [(i, Self.respond(call, await Self.execute(method, params)))] }
            }
            for indices in together.values {
                let calls = indices.map { i -> (call: Call, method: RPCMethod, params: RPCParams) in
                    guard case .run(let c, let m, let p) = steps[i] else { preconditionFailure("grouped a call that already has its answer") }
                    return (c, m, p)
                }
                group.addTask {
                    let outcomes = await calls[0].method.runBatch!(calls.map(\.params))
                    return zip(indices, zip(calls, outcomes)).map { i, co in (i, Self.respond(co.0.call, co.1)) }
                }
            }
            var all: [(Int, JSONValue?)] = []
            for await part in group { all += part }
            return all
        }
        for (i, r) in ran { out[i] = r }
        let responses = out.compactMap { $0 }
        guard !responses.isEmpty else { return RPCReply(status: 204, body: nil) }
        return Self.reply(status: 200, .array(responses))
    }

    /// One request object → its response, or nil for a valid notification.
    public func handle(request: JSONValue, client: String? = nil) async -> JSONValue? {
        switch prepare(request, client: client) {
        case .done(let response): return response
        case .run(let call, let method, let params): return Self.respond(call, await Self.execute(method, params))
        }
    }

    /// What is left to do for one request object: only answer (an invalid envelope, the rate
    /// limit, an unknown method, bad params), or run the method.
    enum Step: Sendable {
        case done(JSONValue?)
        case run(Call, RPCMethod, RPCParams)
    }

    func prepare(_ request: JSONValue, client: String?) -> Step {
        let call: Call
        do { call = try Self.validate(request) } catch let e as RPCError {
            return .done(Self.errorResponse(id: Self.usableId(request), e))
        } catch {
            return .done(Self.errorResponse(id: .null, .internalError("\(error)")))
        }
        if call.method == "emeth_sendTransaction", let limiter = sendLimiter, let wait = limiter.take(client ?? "") {
            return .done(Self.respond(call, .failure(.limit("rate limit: this client may send \(Self.rate(limiter.perSecond)) transactions "
                                                           + "a second (bursts of \(Int(limiter.burst))); retry in \(Int((wait * 1_000).rounded(.up))) ms"))))
        }
        guard let method = methods[call.method] else { return .done(Self.respond(call, .failure(.methodNotFound(String(call.method.prefix(80)))))) }
        do { return .run(call, method, try RPCParams(call.params, names: method.params, required: method.required)) } catch {
            return .done(Self.respond(call, .failure(error)))
        }
    }

    /// The response to `call` with `outcome` (nil for a notification).
    static func respond(_ call: Call, _ outcome: Result<JSONValue, RPCError>) -> JSONValue? {
        guard let id = call.id else { return nil }
        switch outcome {
        case .success(let v): return .object(["jsonrpc": .string("2.0"), "id": id, "result": v])
        case .failure(let e): return errorResponse(id: id, e)
        }
    }

    static func execute(_ method: RPCMethod, _ params: RPCParams) async -> Result<JSONValue, RPCError> {
        do {
            return .success(try await method.run(params))
        } catch let e as RPCError {
            return .failure(e)
        } catch let e as RPCErrorConvertible {
            return .failure(e.rpcError)
        } catch {
            return .failure(.internalError("\(error)"))
        }
    }

    struct Call: Sendable {
        let id: JSONValue?
        let method: String
        let params: JSONValue?
    }

    static func validate(_ request: JSONValue) throws -> Call {
        guard let o = request.objectValue else { throw RPCError.invalidRequest("invalid request: expected a JSON object") }
        for k in o.keys where !["jsonrpc", "id", "method", "params"].contains(k) {
            throw RPCError.invalidRequest("invalid request: unknown member \"\(k.prefix(64))\"")
        }
        if let id = o["id"] {
            switch id {
            case .string, .number, .null: break
            default: throw RPCError.invalidRequest("invalid request: id must be a string, a number or null")
            }
        }
        guard o["jsonrpc"] == .string("2.0") else {
            throw RPCError.invalidRequest("invalid request: jsonrpc must be \"2.0\", got \(o["jsonrpc"]?.serialized.prefix(40) ?? "nothing")")
        }
        guard let method = o["method"]?.stringValue else { throw RPCError.invalidRequest("invalid request: method must be a string") }
        switch o["params"] {
        case nil, .array?, .object?: break
        default: throw RPCError.invalidRequest("invalid request: params must be an array or an object")
        }
        return Call(id: o["id"], method: method, params: o["params"])
    }

    /// The request's id when it is a valid one (so the client can match the error), else null.
    static func usableId(_ request: JSONValue) -> JSONValue {
        switch request["id"] {
        case .string(let s)?: return .string(s)
        case .number(let n)?: return .number(n)
        default: return .null
        }
    }

    static func errorResponse(id: JSONValue, _ e: RPCError) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": e.json])
    }

    static func rate(_ r: Double) -> String { r == r.rounded() ? String(Int(r)) : String(r) }

    static func reply(status: Int, _ v: JSONValue) -> RPCReply { RPCReply(status: status, body: v.serializedBytes) }
}
