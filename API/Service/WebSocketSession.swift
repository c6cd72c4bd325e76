import Core
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The request context of the WebSocket upgrade on `/ws`: Hummingbird's WebSocket context
/// plus the connection's channel, which the session needs to size its send buffer, to name
/// the client for the rate limits, and to close a socket whose client stopped reading.
struct WebSocketUpgradeContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}

/// One WebSocket connection on `/ws` (docs/API.md, "Subscriptions"): every JSON-RPC method of
/// the API, plus `emeth_subscribe` and `emeth_unsubscribe`. Three tasks share it: the reader
/// (requests in, replies queued), the writer (the connection's queue out to the socket, the
/// only one that ever waits for the client), and a watchdog that closes the socket when a
/// close frame was asked for and the client did not take it in time.
struct WebSocketSession: Sendable {
    let hub: SubscriptionHub?
    let dispatcher: RPCDispatcher
    let limits: SubscriptionLimits
    let logger: Logger

    /// The kernel's send buffer for subscription sockets. Linux lets a loopback socket buffer
    /// megabytes; with this much, a client that stops reading is noticed by the queue's bound
    /// after about that many messages, not after megabytes of notifications.
    static let sendBufferBytes = 64 * 1024

    /// Serves the connection until the client closes it or it is dropped. Rethrows what
    /// ended the reading (a message over the size limit), so the socket closes with its code.
    func run(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ channel: any Channel) async throws {
        _ = try? await channel.setOption(ChannelOptions.socketOption(.so_sndbuf), value: Self.sendBufferBytes).get()
        let conn = hub?.connect() ?? SubscriberConnection(id: 0, maxQueued: limits.maxQueued)
        defer { hub?.disconnect(conn) ?? conn.end() }
        let calls = dispatcher.adding(subscriptionMethods(conn))
        let client = channel.remoteAddress?.ipAddress
        let failure: (any Error)? = await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group -> (any Error)? in
                group.addTask { await write(conn, outbound) }
                group.addTask { await watchdog(conn, channel) }
                var failure: (any Error)?
                do {
                    for try await message in inbound.messages(maxSize: dispatcher.limits.maxBodyBytes) {
                        let body: Bytes
                        switch message {
                        case .text(let s): body = Bytes(s.utf8)
                        case .binary(var b): body = b.readBytes(length: b.readableBytes) ?? []
                        }
                        if let reply = await calls.handle(body, client: client).text, conn.send(reply) == .full {
                            // Not even replies are read: the same rule as for notifications.
                            if let hub { hub.drop(conn) } else { conn.close(code: SubscriberConnection.policyViolation, reason: "client too slow") }
                        }
                        hub?.activate(conn)
                    }
                } catch {
                    logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                    failure = error
                }
                conn.end()
                group.cancelAll()
                return failure
            }
        } onGracefulShutdown: {
            conn.close(code: SubscriberConnection.goingAway, reason: "the node is shutting down")
        }
        if let failure { throw failure }
    }

    /// `emeth_subscribe` and `emeth_unsubscribe`, bound to this connection.
    func subscriptionMethods(_ conn: SubscriberConnection) -> [String: RPCMethod] {
        let hub = self.hub
        return [
            "emeth_subscribe": RPCMethod(params: ["topic", "filter"], required: 1) { p in
                guard let hub else { throw RPCError.unavailable("this node reports no chain events to subscribe to") }
                guard let name = p["topic"]?.stringValue else {
                    throw RPCError.invalidParams("topic: expected a string (\(SubscriptionTopic.names.joined(separator: ", ")))")
                }
                return .string(try hub.subscribe(conn, SubscriptionTopic(name: name, filter: p["filter"])))
            },
            "emeth_unsubscribe": RPCMethod(params: ["subscription"]) { p in
                guard let id = p["subscription"]?.stringValue else {
                    throw RPCError.invalidParams("subscription: expected the id emeth_subscribe returned")
                }
                return .bool(hub?.unsubscribe(conn, id) ?? false)
            },
        ]
    }

    /// The connection's queue out to the socket, until it ends or asks to close.
    private func write(_ conn: SubscriberConnection, _ outbound: WebSocketOutboundWriter) async {
        do {
            while true {
                switch await conn.next() {
                case .message(let text): try await outbound.writeTextMessage(text)
                case .close(let code, let reason):
                    logger.info("closing a websocket", metadata: ["code": "\(code)", "reason": "\(reason)"])
                    try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                    return
                case .end: return
                }
            }
        } catch {
            logger.debug("websocket write ended", metadata: ["error": "\(error)"])
        }
    }

    /// Once the connection is asked to close, gives the close handshake `closeTimeoutMs` (one
    /// second at shutdown, which should not wait long for anyone), then closes the socket: a
    /// client that never reads never receives the close frame, and must not hold the
    /// connection (or the node's shutdown) open.
    private func watchdog(_ conn: SubscriberConnection, _ channel: any Channel) async {
        guard let code = await conn.closing(), !Task.isCancelled else { return }
        let wait = code == SubscriberConnection.goingAway ? min(1_000, limits.closeTimeoutMs) : limits.closeTimeoutMs
        try? await Task.sleep(nanoseconds: wait * 1_000_000)
        guard !Task.isCancelled else { return }
        try? await channel.close()
    }
}
