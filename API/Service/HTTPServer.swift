import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server of the L2 API (`POST /` JSON-RPC, `GET /health`, `GET /metrics`) as a
/// service. The `Node` target puts it in the node's service group.
public enum HTTPServer {
    /// A server for `api` on `host:port` (port 0 picks a free one). `services` run beside it
    /// in its own group and are shut down after it, in reverse order — so a service listed
    /// first stops last, once the server has stopped accepting and finished its requests.
    /// `onListening` gets the bound port once the server accepts.
    public static func service(api: L2API, host: String, port: Int, limits: RPCLimits, services: [any Service], logger: Logger,
                               onListening: @escaping @Sendable (Int) async -> Void) -> any Service {
        let routes = HTTPRoutes(dispatcher: api.dispatcher(limits: limits), api: api)
        return Application(router: routes.router(), configuration: .init(address: .hostname(host, port: port)), services: services,
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
