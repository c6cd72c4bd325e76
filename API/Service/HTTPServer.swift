import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// The HTTP server of the L2 API (`POST /` JSON-RPC, `GET /health`, `GET /metrics`, the status
/// page, and the WebSocket endpoint `/ws`) as a service. The `Node` target puts it in the
/// node's service group.
public enum HTTPServer {
    /// A server for `api` on `host:port` (port 0 picks a free one). `services` run beside it
    /// in its own group and are shut down after it, in reverse order — so a service listed
    /// first stops last, once the server has stopped accepting and finished its requests.
    /// With `api.subscriptions`, the hub's task runs among them (stopped first of them).
    /// `onListening` gets the bound port once the server accepts.
    public static func service(api: L2API, host: String, port: Int, limits: RPCLimits, services: [any Service], logger: Logger,
                               onListening: @escaping @Sendable (Int) async -> Void) -> any Service {
        // One dispatcher, so HTTP and WebSocket clients share the per-client rate limits.
        let dispatcher = api.dispatcher(limits: limits)
        let routes = HTTPRoutes(dispatcher: dispatcher.adding(HTTPRoutes.webSocketOnly), api: api)
        let subscriptionLimits = api.subscriptions?.limits ?? SubscriptionLimits()
        let session = WebSocketSession(hub: api.subscriptions, dispatcher: dispatcher, limits: subscriptionLimits, logger: logger)
        let ws = WebSocketServerConfiguration(maxFrameSize: limits.maxBodyBytes, closeTimeout: .milliseconds(Int64(subscriptionLimits.closeTimeoutMs)))
        let all = services + (api.subscriptions.map { [SubscriptionService(hub: $0)] } ?? [])
        return Application(router: routes.router(),
                           server: .http1WebSocketUpgrade(webSocketRouter: HTTPRoutes.webSocketRouter(session), configuration: .init(ws: ws)),
                           configuration: .init(address: .hostname(host, port: port)), services: all,
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}

/// The subscription hub's task as a service: delivers events until shutdown, then asks every
/// WebSocket connection to close.
struct SubscriptionService: Service {
    let hub: SubscriptionHub

    func run() async throws {
        await withGracefulShutdownHandler {
            await hub.run()
        } onGracefulShutdown: {
            hub.stop()
        }
    }
}
