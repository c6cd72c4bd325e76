import ArgumentParser
import Foundation
import Node
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
        var c = NodeConfig()
        c.dataDir = chainData
        c.genesis = genesis
        c.bridge.dataDir = data
        c.l1.rpcURL = try l1.url.absoluteString
        c.bridge.deployment = try l1.deploymentPath()
        c.bridge.confirmations = Int(confirmations)
        c.bridge.bumpAfterS = Int(bumpAfter)
        c.bridge.maxFeeGwei = Int(maxFeeGwei)
        c.bridge.minBytes = minBytes
        c.bridge.maxAgeMs = Int(maxAge * 1000)
        c.bridge.maxBlocks = Int(maxBlocks)
        c.l1PollMs = pollMs
        try c.validate()
        let logger = try NodeLogging.bootstrap(format: "text", level: "info", label: "emeth.bridge")
        try await BridgeNode.run(c, key: { try key.load() }, exitWhenIdle: exitWhenIdle, faults: .fromEnvironment, logger: logger)
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
        let n = try NodeRecovery.resume(bridgeDataDir: try data ?? NodeConfig.load(explicit: config).bridgeDataDir)
        print("poster resumed: it re-posts the unchanged blocks from batch \(n) on its next round")
    }
}
