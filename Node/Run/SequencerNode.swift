import API
import Cluster
import Core
import Foundation
import Logging
import Sequencer
import ServiceLifecycle
import UnixSignals

/// The running sequencer: the engine behind its lock, the sealing loop, the HTTP server and —
/// with L1 — the inbox feed and the batch poster, in one service group.
///
/// `run` serves until `shutdown()` (or, when asked, SIGINT/SIGTERM). Shutdown is graceful and
/// ordered: the L1 parts stop between rounds, the HTTP server stops accepting and finishes
/// in-flight requests, then the sealing loop seals everything still pending — every
/// transaction acknowledged with a hash ends up in a durable block — then the store is closed,
/// and only then does `run` return.
public final class SequencerNode: Sendable {
    public let engine: EngineHandle
    public let api: L2API
    public let config: NodeConfig
    public let logger: Logger
    private let services = NodeServices()

    /// `batches` is what the API learns of L1 batches (the poster's `PosterStatus`; nil
    /// without a poster in this process).
    public init(engine: sending SequencerEngine, config: NodeConfig = NodeConfig(), batches: (any BatchStatusProvider)? = nil,
                extras: ChainInfoExtras = ChainInfoExtras(), logger: Logger = Logger(label: "emeth.sequencer"),
                clock: (@Sendable () -> UInt64)? = nil, cluster: (any ClusterStatus)? = nil) {
        // Subscriptions hear of each block from the engine once it is durable, and of each
        // batch from the poster's status once L1 committed it or made it final.
        let hub = SubscriptionHub(limits: config.subscriptionLimits, batches: batches)
        batches?.observeChanges { hub.batchesChanged($0) }
        let handle: EngineHandle
        if let clock {
            handle = EngineHandle(engine: engine, clock: clock, onSealed: hub.blockSealed)
        } else {
            handle = EngineHandle(engine: engine, onSealed: hub.blockSealed)
        }
        self.engine = handle
        var api = L2API(chain: handle, proofs: ProverProofs(chain: handle), batches: batches, extras: extras, subscriptions: hub)
        api.maxBacklogBytes = config.maxBacklog
        api.cluster = cluster
        self.api = api
        self.config = config
        self.logger = logger
    }

    /// Serves until shut down. `onListening` gets the bound port once the server accepts.
    /// `l1` services (inbox feed, batch poster) run beside the API and stop before the
    /// sealing loop, so the last blocks are sealed after the inbox stops feeding.
    public func run(shutdownSignals: [UnixSignal] = [], l1: [any Service] = [],
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        defer { engine.close() }
        let (host, port) = try config.hostAndPort()
        let sealing = SealingLoop(engine: engine, logger: logger)
        let server = HTTPServer.service(api: api, host: host, port: port, limits: config.rpcLimits, services: [sealing] + l1,
                                        logger: logger, onListening: onListening)
        try await services.run([server], shutdownSignals: shutdownSignals, logger: logger)
    }

    /// Starts a graceful shutdown; `run` returns once it is complete.
    public func shutdown() async {
        await services.shutdown()
    }
}

// MARK: - `emeth sequencer run`

extension SequencerNode {
    /// Where a started sequencer listens, for the command's one line of output.
    public struct Listening: Sendable {
        public let host: String
        public let port: Int
        public let chainId: UInt256
        public let head: BlockHeader
    }

    /// `emeth sequencer run` composed from its parts: the chain in `[sequencer] data_dir`
    /// sealed by the Signer key; with `[l1] rpc_url` the inbox feed, and with `[bridge]
    /// enabled` the batch poster committing with the sequencer key. The keys are asked for
    /// when they are needed (a keystore may prompt for its password). Runs until
    /// SIGINT/SIGTERM, then seals what is pending and returns.
    public static func run(_ c: NodeConfig, signerKey: () throws -> PrivateKey, sequencerKey: () throws -> PrivateKey, logger: Logger,
                           onListening: @escaping @Sendable (Listening) -> Void) async throws {
        try c.validate()
        let genesis = try Genesis.load(path: c.genesis)
        let signerKey = try signerKey()
        guard signerKey.address == genesis.signer else {
            throw NodeError("the Signer key is \(signerKey.address.checksummed) but genesis names \(genesis.signer.checksummed) as the signer")
        }
        // L1 first: in HA mode a node campaigns only once L1 is reachable (and its store caught
        // up with the replicated log), so winning means it can take over at once.
        let l1 = try await L1Connection.connect(c, genesis: genesis, logger: logger)
        // HA mode: a standby (a follower of the etcd block log) until elected.
        var cluster: HACluster?
        var leadership: Leadership?
        let haStatus = c.ha.enabled ? HAStatus(nodeID: c.ha.nodeID, logger: logger) : nil
        if c.ha.enabled, let haStatus {
            let ha = try HACluster(c, genesis: genesis, logger: logger)
            guard let won = try await HAStandby.run(c, genesis: genesis, cluster: ha, l1: l1, status: haStatus, logger: logger) else { return }
            (cluster, leadership) = (ha, won)
        }
        let store = try c.openChainStore(genesis: genesis, logger: logger)
        let status = PosterStatus()
        var ha: HALeader?
        if let cluster, let leadership, let haStatus {
            // The log is pruned below what L1 made final, which this process's poster knows.
            ha = try await HALeader.takeOver(leadership, cluster: cluster, store: store, status: haStatus,
                                             finalBlock: PruneTarget.finality(c.bridge.enabled ? status : nil), logger: logger)
        }
        let engine = SequencerEngine(store: store, signerKey: signerKey, policy: c.sealPolicy)
        // Transactions an operator's rollback took out of the chain go back into the mempool:
        // here when no inbox message they may rely on is missing (or there is no L1 to wait for),
        // else by the inbox feed once it has read those messages again.
        let back: ChainRollback.Readmission?
        do {
            back = try ChainRollback.readmit(engine, nowMs: UInt64(Date().timeIntervalSince1970 * 1000), waitForInbox: !c.l1.rpcURL.isEmpty)
        } catch {
            throw NodeError("cannot re-admit rolled-back transactions: \(error)")
        }
        if let back, !back.accepted.isEmpty || !back.refused.isEmpty {
            logger.notice("rolled-back transactions", metadata: ["readmitted": "\(back.accepted.count)", "refused": "\(back.refused.count)"])
        }
        for (hash, reason) in back?.refused ?? [] { logger.warning("rolled-back transaction dropped", metadata: ["hash": "\(hash)", "reason": "\(reason)"]) }
        let head = store.head.header
        let node = SequencerNode(engine: engine, config: c, batches: c.bridge.enabled ? status : nil,
                                 extras: ChainInfoExtras(token: c.token ?? l1?.deployment.token, sequencer: l1?.deployment.sequencer),
                                 logger: logger, cluster: haStatus)
        var l1Services: [any Service] = []
        if let ha {
            node.engine.replicate(through: ha.replicator)
            l1Services.append(LeadershipWatch(leadership: ha.leadership, engine: node.engine, onLoss: { reason, head in
                haStatus?.lost(reason, head: head)
                await node.shutdown()
            }, logger: logger))
        }
        if let l1 {
            l1Services.append(try l1.inboxFeed(c, engine: node.engine, logger: logger))
            if c.bridge.enabled {
                let handle = node.engine
                let poster = try l1.poster(c, chain: handle.store, key: try sequencerKey(),
                                           headNumber: { (try? handle.headNumber()) ?? 0 }, logger: logger)
                l1Services.append(PosterService(poster: poster, status: status, intervalMs: c.l1PollMs, logger: logger))
            }
        }
        let host = try c.hostAndPort().host
        do {
            try await node.run(shutdownSignals: [.sigterm, .sigint], l1: l1Services) { bound in
                onListening(Listening(host: host, port: bound, chainId: genesis.chainId, head: head))
            }
        } catch {
            // Whatever else failed on the way down, a deposed leader exits as one (exit code 75).
            if let lost = ha?.leadership.lossReason { throw LeadershipLost(reason: lost) }
            throw error
        }
        if let ha {
            if let lost = ha.leadership.lossReason { throw LeadershipLost(reason: lost) }
            // Handing over at once instead of after the lease TTL.
            try? await ha.leadership.resign()
            logger.notice("resigned leadership")
        }
        logger.info("stopped")
    }
}
