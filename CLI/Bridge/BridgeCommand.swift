import ArgumentParser
import Bridge
import Core
import Foundation
import Sequencer

/// `emeth bridge …`: the batch poster as its own process.
struct BridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge", abstract: "Bridge operator commands.", subcommands: [BridgeRun.self, BridgeResume.self])
}

/// `emeth bridge run`: posts the sequencer's sealed blocks to L1 as batches, from the chain
/// store in `--chain-data`, keeping its own state (nonces, batches) in `--data`.
struct BridgeRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Post sealed blocks to L1 as batches.",
        discussion: """
        The key is the sequencer's (the only one the contract accepts commits from).
        Example: EMETH_PRIVATE_KEY=0x… emeth bridge run --chain-data data/chain --genesis genesis.json \\
                   --data data/bridge --rpc http://127.0.0.1:8545 --deployment deployment.json
        """)

    @Option(help: "The sequencer's chain store (RocksDB).")
    var chainData: String

    @Option(help: "The chain's genesis file.")
    var genesis: String

    @Option(help: "The bridge's own data directory (nonces, batch records, lock).")
    var data: String

    @OptionGroup var l1: L1Options

    @Option(help: "L1 confirmations before a batch transaction counts as committed.")
    var confirmations: UInt64 = 3

    @Option(help: "Seconds without a receipt before fees are bumped by 12.5%.")
    var bumpAfter: UInt64 = 36

    @Option(help: "Highest max fee per gas to offer, in Gholon (gwei).")
    var maxFeeGwei: UInt64 = 500

    @Option(help: "Post once this many bytes of batch data wait.")
    var minBytes = 6_000

    @Option(help: "…or once the oldest unposted block is this many seconds old.")
    var maxAge: UInt64 = 60

    @Option(help: "At most this many blocks per batch.")
    var maxBlocks: UInt64 = 1_000

    @Option(help: "Milliseconds between rounds.")
    var pollMs: UInt64 = 1_000

    @Flag(help: "Exit once every sealed block is in a committed batch (tests, one-off catch-up).")
    var exitWhenIdle = false

    @OptionGroup var key: KeyOptions

    func run() async throws {
        let genesis = try loadGenesis(self.genesis)
        let (eth, deployment) = try await l1.connect()
        guard deployment.rollup == genesis.rollup else {
            throw CLIError("the genesis is for rollup \(genesis.rollup.checksummed), the deployment is \(deployment.rollup.checksummed)")
        }
        let sequencerKey = try key.load()
        guard sequencerKey.address == deployment.sequencer else {
            throw CLIError("this key is \(sequencerKey.address.checksummed); the deployment's sequencer is \(deployment.sequencer.checksummed)")
        }
        let chain = try reporting("cannot open the chain store \(chainData)") { try ChainStore(path: chainData, genesis: genesis) }
        let store = try reporting("cannot open the bridge store \(data)") { try BridgeStore(path: data) }
        var config = TxManagerConfig()
        config.confirmations = confirmations
        config.bumpAfterMs = bumpAfter * 1000
        config.maxFeePerGasCap = UInt256(maxFeeGwei) * UInt256(1_000_000_000)
        let faults = Faults.fromEnvironment
        let txm = try reporting("cannot start the transaction manager") {
            try TxManager(store: store, lockDirectory: data, key: sequencerKey, chainId: deployment.chainId, eth: eth,
                          config: config, faults: faults, log: { logLine($0) })
        }
        var policy = BatchPolicy()
        policy.minDataBytes = minBytes
        policy.maxAgeMs = maxAge * 1000
        policy.maxBlocks = maxBlocks
        let poster = BatchPoster(chain: chain, store: store, rollup: RollupContract(address: deployment.rollup, eth: eth), txm: txm,
                                 policy: policy, faults: faults, log: { logLine($0) })
        let stop = StopSignal()
        logLine("bridge: posting blocks of \(chainData) (head \(chain.head.number)) to \(deployment.rollup.checksummed) as \(sequencerKey.address.checksummed)")
        if let n = try await poster.challengedAt() {
            logLine("bridge: HALTED: L1 no longer holds batch \(n); nothing is posted until `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`")
        }
        var failures = 0
        var halted: UInt64?
        while !stop.isStopped {
            do {
                let p = try await poster.step()
                failures = 0
                if let n = p.challengedAt, exitWhenIdle { halted = n; break }
                if exitWhenIdle, p.backlogBlocks == 0, p.inFlight == 0, try await txm.open().isEmpty { break }
            } catch {
                // L1 down, a node hiccup: back off and try again; the state on disk is consistent.
                failures += 1
                let wait = min(UInt64(30_000), pollMs << min(failures, 5))
                logLine("bridge: \(error); retrying in \(wait) ms")
                try await Task.sleep(nanoseconds: wait * 1_000_000)
                continue
            }
            try await Task.sleep(nanoseconds: pollMs * 1_000_000)
        }
        if let n = halted {
            throw CLIError("the poster is halted: L1 no longer holds batch \(n); `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`")
        }
        let (batch, block, _) = try await poster.cursor()
        logLine("bridge: stopped; next batch \(batch) starts at block \(block)")
    }
}

/// `emeth bridge resume`: after a challenge halted the poster, lets it re-post the unchanged
/// blocks from the challenged batch — for when the operator's own replay says they were right
/// and the challenge was wrong. Offline: the poster must be stopped (its store is refused while
/// another process holds it). `emeth sequencer rollback` is the other way out.
struct BridgeResume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Clear the poster's halt after a challenge; it re-posts the same blocks (offline).")

    @Option(help: "The bridge's data directory (default: from the sequencer config, <data_dir>-bridge).")
    var data: String?

    @Option(help: "Sequencer configuration file (TOML) to find the bridge data directory. Default: emeth.toml if it exists.")
    var config: String?

    func run() throws {
        let dir: String
        if let data { dir = data } else {
            let c = try SequencerConfig.load(explicit: config)
            dir = c.bridge.dataDir.isEmpty ? c.dataDir + "-bridge" : c.bridge.dataDir
        }
        guard FileManager.default.fileExists(atPath: dir) else { throw CLIError("no bridge data directory at \(dir)") }
        let store = try reporting("cannot open the bridge store \(dir) (is the sequencer or `emeth bridge run` still running?)") {
            try BridgeStore(path: dir)
        }
        let n = try reporting("cannot resume") { try PosterRecovery.resume(store) }
        print("poster resumed: it re-posts the unchanged blocks from batch \(n) on its next round")
    }
}
