import Core
import Logging
import ServiceLifecycle
import UnixSignals

/// The one service group a node runs in, whatever its composition: it starts the services,
/// turns SIGINT/SIGTERM into a graceful shutdown, and shuts the services down in reverse
/// order. `shutdown()` reaches it from any task — including a shutdown requested before `run`
/// got that far (then `run` returns at once).
public final class NodeServices: Sendable {
    private struct State {
        var group: ServiceGroup?
        var stopped = false
    }

    private let state = LockedValue(State())

    public init() {}

    /// Runs `services` until they end or a graceful shutdown completes. A service that returns
    /// shuts the group down gracefully; one that throws ends it with its error.
    public func run(_ services: [any Service], shutdownSignals: [UnixSignal] = [], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: shutdownSignals, logger: logger))
        let go = state.withLock { s in
            s.group = group
            return !s.stopped
        }
        guard go else { return }
        try await group.run()
    }

    /// Starts a graceful shutdown; `run` returns once it is complete.
    public func shutdown() async {
        let group = state.withLock { s in
            s.stopped = true
            return s.group
        }
        await group?.triggerGracefulShutdown()
    }
}
