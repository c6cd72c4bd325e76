import Bridge
import Core
import Logging
import Sequencer

/// `emeth bridge run`: the batch poster as a process of its own, beside a sequencer that does
/// not post (`[bridge] enabled = false`). The same parts as in `sequencer run` — the L1
/// connection and its checks, the poster, its service and retry loop, the service group —
/// composed without the engine and the API.
public enum BridgeNode {
    /// Posts the sealed blocks of the chain store in `[sequencer] data_dir` to L1, its own
    /// state in `NodeConfig.bridgeDataDir`, committing with `key()` (the deployment's
    /// sequencer). Runs until SIGINT/SIGTERM — or, with `exitWhenIdle`, until every sealed block
    /// is in a committed batch (throwing `PosterService.Stuck` if the poster halts instead).
    public static func run(_ c: NodeConfig, key: () throws -> PrivateKey, exitWhenIdle: Bool, faults: Faults, logger: Logger) async throws {
        let genesis = try Genesis.load(path: c.genesis)
        guard let l1 = try await L1Connection.connect(c, genesis: genesis, logger: logger) else {
            throw NodeError("the batch poster needs an L1 endpoint ([l1] rpc_url)")
        }
        let key = try key()
        let chain = try c.openChainStore(genesis: genesis, logger: logger)
        // Closed here, not whenever the last reference goes: a RocksDB still open when the
        // process exits can abort it (its background threads against its torn-down statics).
        defer { chain.db.close() }
        let poster = try l1.poster(c, chain: chain, key: key, faults: faults, logger: logger)
        logger.info("posting the blocks of a chain store", metadata: [
            "chain": "\(c.dataDir)", "head": "\(chain.head.number)", "rollup": "\(l1.deployment.rollup.checksummed)"])
        let service = PosterService(poster: poster, status: PosterStatus(), intervalMs: c.l1PollMs, exitWhenIdle: exitWhenIdle, logger: logger)
        try await NodeServices().run([service], shutdownSignals: [.sigterm, .sigint], logger: logger)
    }
}
