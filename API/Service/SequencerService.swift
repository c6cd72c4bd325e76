import Core
import Foundation
import Hummingbird
import Logging
import Sequencer
import ServiceLifecycle
import UnixSignals

/// Service settings (the CLI fills them from emeth.toml and flags).
public struct ServiceConfig: Sendable, Equatable {
    public var host: String
    /// 0 picks a free port (tests); `onListening` reports the one bound.
    public var port: Int
    public var limits: RPCLimits
    /// How often the sealing loop asks the seal policy (block time granularity).
    public var sealIntervalMs: UInt64
    /// Backpressure: past this many bytes of sealed blocks not yet posted to L1, new
    /// transactions are refused and /health says "degraded" (nil: no limit; needs a bridge).
    public var maxBacklogBytes: UInt64?

    public init(host: String = "127.0.0.1", port: Int = 8547, limits: RPCLimits = RPCLimits(), sealIntervalMs: UInt64 = 25,
                maxBacklogBytes: UInt64? = 4 << 20) {
        self.host = host; self.port = port; self.limits = limits; self.sealIntervalMs = sealIntervalMs
        self.maxBacklogBytes = maxBacklogBytes
    }
}

/// The running sequencer: the engine behind its lock, the sealing loop, and the HTTP server.
///
/// `run` serves until `shutdown()` (or, when asked, SIGINT/SIGTERM). Shutdown is graceful and
/// ordered: the HTTP server stops accepting and finishes in-flight requests first, then the
/// sealing loop seals everything still pending — every transaction acknowledged with a hash
/// ends up in a durable block — then the store is closed, and only then does `run` return.
public final class SequencerService: Sendable {
    public let engine: EngineHandle
    public let api: L2API
    public let config: ServiceConfig
    public let logger: Logger
    private let group = ServiceGroupBox()

    public init(engine: SequencerEngine, config: ServiceConfig = ServiceConfig(), batches: (any BatchStatusProvider)? = nil,
                extras: ChainInfoExtras = ChainInfoExtras(), logger: Logger = Logger(label: "emeth.sequencer"),
                clock: (@Sendable () -> UInt64)? = nil) {
        self.engine = clock.map { EngineHandle(engine: engine, clock: $0) } ?? EngineHandle(engine: engine)
        var api = L2API(engine: self.engine, batches: batches, extras: extras)
        api.maxBacklogBytes = config.maxBacklogBytes
        self.api = api
        self.config = config
        self.logger = logger
    }

    /// Serves until shut down. `onListening` gets the bound port once the server accepts.
    /// `bridge` services (inbox feed, batch poster) run beside the API and stop before the
    /// sealing loop, so the last blocks are sealed after the inbox stops feeding.
    public func run(shutdownSignals: [UnixSignal] = [], bridge: [any Service] = [],
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let routes = HTTPRoutes(dispatcher: api.dispatcher(limits: config.limits), api: api)
        let app = Application(router: routes.router(),
                              configuration: .init(address: .hostname(config.host, port: config.port)),
                              services: [SealingLoop(engine: engine, intervalMs: config.sealIntervalMs, logger: logger)] + bridge,
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: shutdownSignals, logger: logger))
        defer { engine.close() }
        guard self.group.set(group) else { return }
        try await group.run()
    }

    /// Starts a graceful shutdown; `run` returns once it is complete.
    public func shutdown() async {
        await group.shutdown()
    }
}

/// The service group once `run` has created it, so `shutdown()` can reach it from any task —
/// including a shutdown requested before `run` got that far (then `run` returns at once).
final class ServiceGroupBox: @unchecked Sendable {
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var stopped = false

    func set(_ g: ServiceGroup) -> Bool {
        lock.withLock {
            group = g
            return !stopped
        }
    }

    func shutdown() async {
        let g: ServiceGroup? = lock.withLock {
            stopped = true
            return group
        }
        await g?.triggerGracefulShutdown()
    }
}

/// Asks the seal policy every `intervalMs` whether to seal. The sealing runs on a thread of
/// its own, not on Swift's cooperative pool (two threads on a 2-core machine): a seal that
/// waits for its fsync must never take a thread that request handlers need. Listed first
/// among the application's services, so it is shut down last — after the server has stopped
/// accepting — and then seals everything still pending.
struct SealingLoop: Service {
    let engine: EngineHandle
    let intervalMs: UInt64
    let logger: Logger

    func run() async throws {
        let stop = StopFlag()
        let finished = DispatchGroup()
        finished.enter()
        let thread = Thread { [engine, intervalMs, logger] in
            defer { finished.leave() }
            while !stop.isSet {
                Thread.sleep(forTimeInterval: Double(intervalMs) / 1_000)
                if let b = engine.sealIfDue() {
                    logger.debug("sealed block", metadata: ["number": "\(b.number)", "txs": "\(b.transactions.count)"])
                }
                if let reason = engine.stoppedReason {
                    // Nothing more can be sealed; reads are still served until shutdown.
                    logger.critical("sequencer stopped", metadata: ["reason": "\(reason)"])
                    return
                }
            }
        }
        thread.name = "emeth-sealing"
        thread.start()
        // Until the thread ends: at shutdown or cancellation (which stop it) or when the engine
        // stopped. The wait itself ignores cancellation: the store must not close under a seal.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in finished.notify(queue: .global()) { c.resume() } }
            } onGracefulShutdown: {
                stop.set()
            }
        } onCancel: {
            stop.set()
        }
        guard stop.isSet else {
            try? await gracefulShutdown()  // the engine stopped: keep serving reads until shutdown
            return
        }
        guard !Task.isCancelled else { return }
        engine.sealPending()
        logger.info("sealed what was pending; sealing loop stopped")
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
