import Core
import Foundation
import Hummingbird
import NIOCore
import Sequencer

/// The HTTP face of the service: `POST /` (JSON-RPC), `GET /health`, `GET /metrics`, the
/// status page (`GET /`, `GET /explorer`), and `/ws` (WebSocket: JSON-RPC and subscriptions).
struct HTTPRoutes: Sendable {
    let dispatcher: RPCDispatcher
    let api: L2API

    func router() -> Router<ClientRequestContext> {
        let router = Router(context: ClientRequestContext.self)
        router.post("/") { request, context in await self.rpc(request, client: context.client) }
        router.get("/") { _, _ in Self.explorer() }
        router.get("/explorer") { _, _ in Self.explorer() }
        router.get("/ws") { _, _ in
            // A plain GET (no Upgrade header): say what the endpoint wants.
            Self.json(status: .upgradeRequired, .object(["error": .string(
                "/ws is a WebSocket endpoint: connect with a WebSocket client (ws://host:port/ws) and send JSON-RPC requests, "
                    + "emeth_subscribe among them")]))
        }
        router.get("/health") { _, _ in self.health() }
        router.get("/metrics") { _, _ in self.metrics() }
        return router
    }

    /// The upgrade of `/ws` into a WebSocket session (a router of its own: only requests with
    /// `Upgrade: websocket` reach it).
    static func webSocketRouter(_ session: WebSocketSession) -> Router<WebSocketUpgradeContext> {
        let router = Router(context: WebSocketUpgradeContext.self)
        router.ws("/ws") { inbound, outbound, context in
            try await session.run(inbound, outbound, context.requestContext.channel)
        }
        return router
    }

    /// Over HTTP the subscription methods exist only to say where they are served.
    static let webSocketOnly: [String: RPCMethod] = Dictionary(uniqueKeysWithValues: ["emeth_subscribe", "emeth_unsubscribe"].map { name in
        (name, RPCMethod(params: ["topic", "filter"], required: 0) { _ in
            throw RPCError.invalidRequest("\(name) needs a connection that stays open: call it over the WebSocket endpoint /ws")
        })
    })

    /// The status page: one HTML document with its script and styles inline (ExplorerPage).
    static func explorer() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        // Nothing but this page and this node: no external script, style, image or connection.
        headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self' ws: wss:; img-src data:; base-uri 'none'; form-action 'none'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ExplorerPage.html)))
    }

    func rpc(_ request: Request, client: String?) async -> Response {
        let max = dispatcher.limits.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > max {
            return Self.json(RPCReply.tooLarge(declared, max))
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: max) } catch {
            // The body streamed past the limit (no or a false Content-Length).
            return Self.json(RPCReply.tooLarge(nil, max))
        }
        return Self.json(await dispatcher.handle(Bytes(buffer.readableBytesView), client: client))
    }

    func health() -> Response {
        let chain = api.chain
        do {
            let head = try chain.headNumber()
            if let replica = api.replica { return Self.replicaHealth(replica, head: head, cluster: api.cluster) }
            if let n = api.batches?.challengedAtBatch {
                // The chain runs, but nothing is posted until the operator acts: not healthy.
                return Self.json(status: .serviceUnavailable, .object([
                    "status": .string("challenged"), "challengedAtBatch": .int(Int(n)), "blockNumber": .quantity(head), "head": .int(Int(head)),
                    "error": .string("L1 no longer holds batch \(n): the batch poster halted; run `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`")]))
            }
            if let alarm = api.batches?.postingAlarm {
                return Self.json(status: .serviceUnavailable, .object([
                    "status": .string("unpostable"), "unpostableBlock": .int(Int(alarm.block)), "blockNumber": .quantity(head),
                    "head": .int(Int(head)), "error": .string(alarm.reason)]))
            }
            if let why = api.backpressure {
                // Reads are served; new transactions wait for the poster.
                return Self.json(status: .ok, .object(Self.adding(api.cluster, to: ["status": .string("degraded"), "blockNumber": .quantity(head),
                                                                                    "head": .int(Int(head)), "reason": .string(why)])))
            }
            return Self.json(status: .ok, .object(Self.adding(api.cluster, to: ["status": .string("ok"), "blockNumber": .quantity(head),
                                                                                "head": .int(Int(head))])))
        } catch {
            return Self.json(status: .serviceUnavailable, .object(["status": .string("stopped"),
                                                                   "error": .string(chain.stoppedReason ?? "\(error)")]))
        }
    }

    /// `o` with an HA node's `role` (over a follower's "follower": a standby is a follower
    /// that may lead) and cluster fields.
    static func adding(_ cluster: (any ClusterStatus)?, to o: [String: JSONValue]) -> [String: JSONValue] {
        guard let cluster else { return o }
        var o = o
        o["role"] = .string(cluster.role)
        for (k, v) in cluster.healthFields { o[k] = v }
        return o
    }

    /// A follower's health: its head, the leader's, the lag, and — loudly, as 503 — a block it
    /// refuses or an L1 batch that disagrees with its verified blocks, each with the field named.
    /// An unreachable leader is "degraded": reads are served, from a head that may be stale.
    static func replicaHealth(_ replica: any ReplicaLink, head: UInt64, cluster: (any ClusterStatus)? = nil) -> Response {
        let r = replica.replication
        var o: [String: JSONValue] = adding(cluster, to: [
            "role": .string("follower"), "blockNumber": .quantity(head), "head": .int(Int(head)), "leader": .string(replica.leader),
            "leaderHead": r.leaderHead.map { .int(Int($0)) } ?? .null,
            "lagBlocks": r.leaderHead.map { .int(Int($0 > head ? $0 - head : 0)) } ?? .null,
            "secondsSinceLastBlock": r.secondsSinceLastBlock.map { .number(String(format: "%.3f", $0)) } ?? .null,
            "blocksApplied": .int(Int(r.applied)),
        ])
        if r.auditing { o["auditedBatch"] = r.auditedBatch.map { .int(Int($0)) } ?? .null }
        if let e = r.leaderError { o["leaderError"] = .string(e) }
        if let p = r.refusal {
            o["status"] = .string("refusing")
            o["refused"] = problem(p)
            o["error"] = .string(p.message)
            return json(status: .serviceUnavailable, .object(o))
        }
        if let p = r.divergence {
            o["status"] = .string("diverged")
            o["divergence"] = problem(p)
            o["error"] = .string(p.message)
            return json(status: .serviceUnavailable, .object(o))
        }
        o["status"] = .string(r.leaderError == nil ? "ok" : "degraded")
        return json(status: .ok, .object(o))
    }

    static func problem(_ p: ReplicationStatus.Problem) -> JSONValue {
        .object(["block": p.block.map { .int(Int($0)) } ?? .null, "batch": p.batch.map { .int(Int($0)) } ?? .null, "field": .string(p.field),
                 "expected": .string(p.expected), "found": .string(p.found)])
    }

    func metrics() -> Response {
        let text = MetricsPage.render(api)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ reply: RPCReply) -> Response {
        guard let body = reply.body else { return Response(status: .noContent) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if reply.status == 413 { headers[.connection] = "close" }
        return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func json(status: HTTPResponse.Status, _ v: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: v.serialized)))
    }
}

extension RPCReply {
    /// HTTP 413 with a JSON-RPC error naming the limit (id null: the request was not read).
    static func tooLarge(_ size: Int?, _ max: Int) -> RPCReply {
        let what = size.map { "request body of \($0) bytes" } ?? "request body"
        return RPCDispatcher.reply(status: 413, RPCDispatcher.errorResponse(id: .null, .limit(
            "\(what) exceeds the limit of \(max) bytes")))
    }
}

/// The request context of the API: Hummingbird's basic one plus the client's address, which
/// the rate limits are keyed on.
struct ClientRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address (the port differs per connection, so it is left out).
    var client: String? { remoteAddress?.ipAddress }
}
