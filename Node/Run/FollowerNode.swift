import API
import Bridge
import Core
import Foundation
import Logging
import Sequencer
import ServiceLifecycle
import UnixSignals

/// `emeth follower run`: a read replica, the third composition of the node's parts. It has no
/// engine and no key: a `FollowerService` pulls signed blocks from a `BlockSource` (the
/// leader's API), verifies each (`BlockVerifier`: Signer signature, parent link, re-execution
/// and every root) and stores it in its own `ChainStore`, which the same HTTP API serves
/// (`FollowerChain`, with the prover's proofs). Transactions sent to it are forwarded to the
/// leader. With L1, a `FollowerAudit` checks every batch commitment against the verified
/// blocks and supplies the batch statuses its receipts report.
///
/// ```
///  HTTPServer ─ L2API ─ ServedChain + ReplicaLink: FollowerChain ─▶ ChainStore (own RocksDB)
///                       ProofService: ProverProofs                     ▲ verified blocks only
///  FollowerService ─ RetryLoop ─▶ BlockSource (LeaderSource) ─▶ BlockVerifier ─┘
///  FollowerAudit ─ RetryLoop ─▶ L1History, StoredChainAudit ─▶ L1BatchView
/// ```
public final class FollowerNode: Sendable {
    public let chain: FollowerChain
    public let api: L2API
    let config: NodeConfig
    let source: any BlockSource
    let audit: FollowerAudit?
    let pollMs: UInt64
    let logger: Logger
    private let services = NodeServices()

    /// A follower of `source` on `store`, forwarding writes to `leader`; with `l1`, it audits
    /// L1 commitments after `c.bridge.confirmations`.
    public init(store: ChainStore, source: any BlockSource, leader: URL, config c: NodeConfig, l1: L1Connection? = nil,
                extras: ChainInfoExtras = ChainInfoExtras(), pollMs: UInt64 = 250, cluster: (any ClusterStatus)? = nil,
                logger: Logger = Logger(label: "emeth.follower")) {
        // Subscriptions hear of each block once it is verified and durable here, and with L1 of
        // each batch this follower's audit found committed or final.
        let view = l1.map { _ in L1BatchView() }
        let hub = SubscriptionHub(limits: c.subscriptionLimits, batches: view)
        view?.observeChanges { hub.batchesChanged($0) }
        let chain = FollowerChain(store: store, leader: leader, auditing: l1 != nil, logger: logger, onApplied: hub.blockSealed)
        self.chain = chain
        var api = L2API(chain: chain, proofs: ProverProofs(chain: chain), batches: view, extras: extras, replica: chain, subscriptions: hub)
        api.cluster = cluster
        self.api = api
        config = c
        self.source = source
        audit = l1.map { FollowerAudit(chain: chain, l1: $0, view: view!, confirmations: UInt64(max(1, c.bridge.confirmations)),
                                       intervalMs: c.l1PollMs, logger: logger) }
        self.pollMs = pollMs
        self.logger = logger
    }

    /// Serves until shut down. `onListening` gets the bound port once the server accepts.
    public func run(shutdownSignals: [UnixSignal] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        defer { chain.close() }
        let (host, port) = try config.hostAndPort()
        var beside: [any Service] = [FollowerService(chain: chain, source: source, intervalMs: pollMs, logger: logger)]
        if let audit { beside.append(audit) }
        let server = HTTPServer.service(api: api, host: host, port: port, limits: config.rpcLimits, services: beside,
                                        logger: logger, onListening: onListening)
        try await services.run([server], shutdownSignals: shutdownSignals, logger: logger)
    }

    /// Starts a graceful shutdown; `run` returns once it is complete.
    public func shutdown() async { await services.shutdown() }
}

// MARK: - `emeth follower run`

extension FollowerNode {
    /// Where a started follower listens, for the command's one line of output.
    public struct Listening: Sendable {
        public let host: String
        public let port: Int
        public let chainId: UInt256
        public let head: BlockHeader
        public let leader: String
    }

    /// `emeth follower run` composed from its parts: the chain in `[sequencer] data_dir`
    /// (created from `genesis` if new) following `leader`; with `[l1] rpc_url` and `[bridge]
    /// deployment` also auditing L1. Refuses to start against a leader that serves another
    /// chain. Runs until SIGINT/SIGTERM.
    public static func run(_ c: NodeConfig, leader: URL, pollMs: UInt64, logger: Logger,
                           onListening: @escaping @Sendable (Listening) -> Void) async throws {
        try c.validate()
        let genesis = try Genesis.load(path: c.genesis)
        let store = try c.openChainStore(genesis: genesis, logger: logger)
        var l1: L1Connection?
        if !c.l1.rpcURL.isEmpty { l1 = try await L1Connection.connect(c, genesis: genesis, logger: logger) }
        let extras = try await leaderExtras(leader, genesis: genesis, l1: l1, logger: logger)
        let node = FollowerNode(store: store, source: LeaderSource(url: leader), leader: leader, config: c, l1: l1, extras: extras,
                                pollMs: pollMs, logger: logger)
        let head = store.head.header
        let host = try c.hostAndPort().host
        logger.info("follower", metadata: ["leader": "\(leader.absoluteString)", "head": "\(head.number)",
                                           "auditing": "\(l1 != nil ? "L1 commitments" : "no (no --l1)")"])
        try await node.run(shutdownSignals: [.sigterm, .sigint]) { bound in
            onListening(Listening(host: host, port: bound, chainId: genesis.chainId, head: head, leader: leader.absoluteString))
        }
        logger.info("stopped")
    }

    /// What `emeth_chainInfo` reports beyond genesis, as the leader does: the deployment's
    /// token and sequencer with L1, else the leader's own answer. A leader that answers with
    /// another genesis is refused: every block it serves would be.
    static func leaderExtras(_ leader: URL, genesis: Genesis, l1: L1Connection?, logger: Logger) async throws -> ChainInfoExtras {
        let info: JSONValue
        do { info = try await L2Client(url: leader, timeout: 10, maxAttempts: 2).chainInfo() } catch {
            logger.warning("the leader does not answer emeth_chainInfo yet; following anyway", metadata: ["error": "\(error)"])
            return ChainInfoExtras(token: l1?.deployment.token, sequencer: l1?.deployment.sequencer)
        }
        let theirs = info["genesisHash"]?.stringValue ?? "none"
        guard theirs.lowercased() == genesis.hash.description.lowercased() else {
            throw NodeError("the leader \(leader.absoluteString) serves another chain: its genesisHash is \(theirs), "
                            + "the genesis file's is \(genesis.hash)")
        }
        if let l1 { return ChainInfoExtras(token: l1.deployment.token, sequencer: l1.deployment.sequencer) }
        return ChainInfoExtras(token: info["token"]?.stringValue.flatMap { try? Address($0) },
                               sequencer: info["sequencer"]?.stringValue.flatMap { try? Address($0) })
    }
}
