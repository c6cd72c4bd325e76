import API
import Bridge
import Core
import Foundation
import Logging
import Sequencer
import ServiceLifecycle

/// The L1 side of `emeth sequencer run`: the inbox feed whenever an L1 endpoint and a
/// deployment are configured, and the batch poster when `[bridge] enabled`.
struct L1Wiring {
    let eth: EthClient
    let deployment: Deployment

    /// Connects to L1 and checks the deployment belongs to this chain; nil without `[l1] rpc_url`.
    static func connect(_ c: SequencerConfig, genesis: Genesis, logger: Logger) async throws -> L1Wiring? {
        guard !c.l1.rpcURL.isEmpty else {
            logger.notice("no [l1] rpc_url: not following the L1 inbox, not posting batches")
            return nil
        }
        guard let url = URL(string: c.l1.rpcURL), url.scheme == "http" || url.scheme == "https" else {
            throw CLIError("[l1] rpc_url \"\(c.l1.rpcURL)\" is not an http(s) URL")
        }
        let d: Deployment
        do { d = try Deployment.load(c.bridge.deployment) } catch { throw CLIError("\(error)") }
        guard d.rollup == genesis.rollup, d.chainId == genesis.chainId else {
            throw CLIError("\(c.bridge.deployment) is rollup \(d.rollup.checksummed) on chain \(d.chainId); genesis is \(genesis.rollup.checksummed) on chain \(genesis.chainId)")
        }
        guard d.signer == genesis.signer else {
            throw CLIError("the L1 contract accepts tickets from \(d.signer.checksummed) but genesis names \(genesis.signer.checksummed) as the signer")
        }
        let eth = EthClient(url: url)
        do { _ = try await eth.requireChainId(d.chainId) } catch { throw CLIError("\(error)") }
        return L1Wiring(eth: eth, deployment: d)
    }

    func services(_ c: SequencerConfig, engine: EngineHandle, status: PosterStatus, logger: Logger) throws -> [any Service] {
        let rollup = RollupContract(address: deployment.rollup, eth: eth)
        // The deep-reorg anchor lives in the chain store: a reorg while the process is down is caught on restart.
        let watcher: InboxWatcher
        do { watcher = try InboxWatcher(rollup: rollup, confirmations: UInt64(c.l1.confirmations), anchor: RocksDBInboxAnchor(db: engine.store.db)) } catch {
            throw CLIError("cannot read the inbox anchor: \(error)")
        }
        var out: [any Service] = [InboxFeed(engine: engine, watcher: watcher, logger: logger)]
        logger.info("following the L1 inbox", metadata: ["rollup": "\(deployment.rollup.checksummed)", "confirmations": "\(c.l1.confirmations)"])
        guard c.bridge.enabled else { return out }
        let key = try Self.sequencerKey(c.bridge.sequencerKeystore)
        guard key.address == deployment.sequencer else {
            throw CLIError("the sequencer key is \(key.address.checksummed); the deployment's sequencer is \(deployment.sequencer.checksummed)")
        }
        let dir = c.bridge.dataDir.isEmpty ? c.dataDir + "-bridge" : c.bridge.dataDir
        let store: BridgeStore
        do { store = try BridgeStore(path: dir) } catch { throw CLIError("cannot open the bridge data directory \(dir): \(error)") }
        var tc = TxManagerConfig()
        tc.confirmations = UInt64(c.bridge.confirmations)
        tc.bumpAfterMs = UInt64(c.bridge.bumpAfterS) * 1000
        tc.maxFeePerGasCap = UInt256(UInt64(c.bridge.maxFeeGwei)) * UInt256(1_000_000_000)
        let log: @Sendable (String) -> Void = { logger.info("\($0)") }
        let txm: TxManager
        do { txm = try TxManager(store: store, lockDirectory: dir, key: key, chainId: deployment.chainId, eth: eth, config: tc, log: log) } catch {
            throw CLIError("\(error)")
        }
        var policy = BatchPolicy()
        policy.minDataBytes = c.bridge.minBytes
        policy.maxAgeMs = UInt64(c.bridge.maxAgeMs)
        policy.maxBlocks = UInt64(c.bridge.maxBlocks)
        let poster = BatchPoster(chain: engine.store, store: store, rollup: rollup, txm: txm, policy: policy,
                                 headNumber: { (try? engine.withEngine { $0.store.head.number }) ?? 0 }, log: log)
        out.append(PosterService(poster: poster, status: status, logger: logger))
        logger.info("posting batches", metadata: ["as": "\(key.address.checksummed)", "data": "\(dir)"])
        return out
    }

    /// The L1 key that commits batches: a keystore, or EMETH_SEQUENCER_PRIVATE_KEY.
    static func sequencerKey(_ keystore: String?) throws -> PrivateKey {
        try KeyOptions.load(keystore: keystore, env: "EMETH_SEQUENCER_PRIVATE_KEY", role: "sequencer",
                            missing: "[bridge] enabled: set [bridge] sequencer_keystore or EMETH_SEQUENCER_PRIVATE_KEY")
    }

}
