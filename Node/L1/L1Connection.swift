import Bridge
import Core
import Foundation
import Logging
import Sequencer

/// A node's link to L1, and the L1 parts built on it: the endpoint (checked to serve the
/// deployment's chain), the deployment (checked to be this chain's), the inbox feed and the
/// batch poster. Every composition that touches L1 gets its parts here.
public struct L1Connection: Sendable {
    public let eth: EthClient
    public let deployment: Deployment

    public var rollup: RollupContract { RollupContract(address: deployment.rollup, eth: eth) }

    /// Connects to `[l1] rpc_url` and checks `[bridge] deployment` belongs to the chain of
    /// `genesis` (rollup, chain id and Signer); nil without an endpoint.
    public static func connect(_ c: NodeConfig, genesis: Genesis, logger: Logger) async throws -> L1Connection? {
        guard !c.l1.rpcURL.isEmpty else {
            logger.notice("no [l1] rpc_url: not following the L1 inbox, not posting batches")
            return nil
        }
        guard let url = URL(string: c.l1.rpcURL), url.scheme == "http" || url.scheme == "https" else {
            throw NodeError("[l1] rpc_url \"\(c.l1.rpcURL)\" is not an http(s) URL")
        }
        let d: Deployment
        do { d = try Deployment.load(c.bridge.deployment) } catch { throw NodeError("\(error)") }
        guard d.rollup == genesis.rollup, d.chainId == genesis.chainId else {
            throw NodeError("\(c.bridge.deployment) is rollup \(d.rollup.checksummed) on chain \(d.chainId); genesis is \(genesis.rollup.checksummed) on chain \(genesis.chainId)")
        }
        guard d.signer == genesis.signer else {
            throw NodeError("the L1 contract accepts tickets from \(d.signer.checksummed) but genesis names \(genesis.signer.checksummed) as the signer")
        }
        let eth = EthClient(url: url)
        do { _ = try await eth.requireChainId(d.chainId) } catch { throw NodeError("\(error)") }
        return L1Connection(eth: eth, deployment: d)
    }

    /// Follows the L1 inbox into `engine` after `[l1] confirmations`. The deep-reorg anchor
    /// lives in the chain store: a reorg while the process is down is caught on restart.
    public func inboxFeed(_ c: NodeConfig, engine: EngineHandle, logger: Logger) throws -> InboxFeed {
        let watcher: InboxWatcher
        do {
            watcher = try InboxWatcher(rollup: rollup, confirmations: UInt64(c.l1.confirmations), anchor: RocksDBInboxAnchor(db: engine.store.db))
        } catch {
            throw NodeError("cannot read the inbox anchor: \(error)")
        }
        logger.info("following the L1 inbox", metadata: ["rollup": "\(deployment.rollup.checksummed)", "confirmations": "\(c.l1.confirmations)"])
        return InboxFeed(engine: engine, watcher: watcher, intervalMs: c.l1PollMs, logger: logger)
    }

    /// The batch poster for the blocks of `chain`, committing with `key` (the deployment's
    /// sequencer), its state in `NodeConfig.bridgeDataDir`. `headNumber` reads the head where
    /// another part moves it (the engine's lock in `sequencer run`); `faults` stop the process
    /// at named points (crash tests).
    public func poster(_ c: NodeConfig, chain: ChainStore, key: PrivateKey, faults: Faults = Faults(),
                       headNumber: (@Sendable () -> UInt64)? = nil, logger: Logger) throws -> BatchPoster {
        guard key.address == deployment.sequencer else {
            throw NodeError("the sequencer key is \(key.address.checksummed); the deployment's sequencer is \(deployment.sequencer.checksummed)")
        }
        let dir = c.bridgeDataDir
        let store: BridgeStore
        do { store = try BridgeStore(path: dir) } catch { throw NodeError("cannot open the bridge data directory \(dir): \(error)") }
        var tc = TxManagerConfig()
        tc.confirmations = UInt64(c.bridge.confirmations)
        tc.bumpAfterMs = UInt64(c.bridge.bumpAfterS) * 1000
        tc.maxFeePerGasCap = UInt256(UInt64(c.bridge.maxFeeGwei)) * UInt256(1_000_000_000)
        let txm: TxManager
        do {
            txm = try TxManager(store: store, lockDirectory: dir, key: key, chainId: deployment.chainId, eth: eth, config: tc, faults: faults,
                                logger: logger)
        } catch {
            throw NodeError("cannot start the transaction manager: \(error)")
        }
        var policy = BatchPolicy()
        policy.minDataBytes = c.bridge.minBytes
        policy.maxAgeMs = UInt64(c.bridge.maxAgeMs)
        policy.maxBlocks = UInt64(c.bridge.maxBlocks)
        logger.info("posting batches", metadata: ["as": "\(key.address.checksummed)", "data": "\(dir)"])
        return BatchPoster(chain: chain, store: store, rollup: rollup, txm: txm, policy: policy, faults: faults, headNumber: headNumber,
                           logger: logger)
    }
}
