import ArgumentParser
import Core
import Foundation
import Node
import Sequencer

/// `emeth sequencer run`: opens (or creates) the chain in the data directory and serves the
/// L2 JSON-RPC API, sealing blocks on the configured policy, until SIGINT/SIGTERM — then it
/// seals what is pending and exits. In HA mode a leader that loses leadership exits with code
/// 75 (`LeadershipLost`) for its supervisor to restart it as a standby. Settings come from
/// emeth.toml (`emeth sequencer init` writes a commented one); every setting can be overridden
/// by its flag.
struct SequencerRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the sequencer: the L2 JSON-RPC API and block sealing.")

    @Option(help: "Configuration file (TOML). Default: emeth.toml if it exists.")
    var config: String?
    @Option(help: "Data directory (RocksDB).") var data: String?
    @Option(help: "Listen address host:port (port 0 picks a free one).") var listen: String?
    @Option(help: "Genesis file (JSON).") var genesis: String?
    @Option(help: "Keystore file of the Signer key (password: EMETH_KEYSTORE_PASSWORD or a prompt). Or set EMETH_SIGNER_PRIVATE_KEY.")
    var signerKeystore: String?
    @Option(help: "Seal at this many transactions.") var maxTxs: Int?
    @Option(help: "Seal at this many bytes of transactions.") var maxBytes: Int?
    @Option(help: "Seal this long after the first pending item (milliseconds).") var blockTimeMs: UInt64?
    @Option(help: "Seal an empty block after this long without activity (milliseconds, 0 = never).") var heartbeatMs: UInt64?
    @Option(help: "Largest JSON-RPC request body (bytes).") var maxBodyBytes: Int?
    @Option(help: "Most requests in one JSON-RPC batch.") var maxBatch: Int?
    @Option(help: "emeth_sendTransaction per client IP and second (0 = no limit).") var sendRate: Double?
    @Option(help: "emeth_sendTransaction a client IP may send at once.") var sendBurst: Int?
    @Option(help: "WebSocket messages waiting for a client before it is dropped as too slow.") var wsQueue: Int?
    @Option(help: "Subscriptions one WebSocket connection may hold.") var wsSubscriptions: Int?
    @Option(help: "Refuse new transactions while this many bytes of sealed blocks wait for L1 (0 = no limit).") var maxBacklogBytes: Int?
    @Option(help: "State-tree nodes kept in memory (up to ~300 bytes each; 0 = none).") var treeCacheNodes: Int?
    @Option(help: "Log format: text or json.") var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(help: "L1 JSON-RPC endpoint: follow the L1 inbox (and post batches with --bridge).") var l1Rpc: String?
    @Option(help: "deployment.json of the L1 contracts.") var deployment: String?
    @Flag(help: "Post batches from this process (key: [bridge] sequencer_keystore or EMETH_SEQUENCER_PRIVATE_KEY).") var bridge = false
    @Option(help: "L1 confirmations before an inbox message is applied.") var l1Confirmations: Int?
    @Option(help: "Keystore of the sequencer's L1 key (commits batches).") var sequencerKeystore: String?
    @Option(help: "The batch poster's data directory (default: <data>-bridge).") var bridgeData: String?
    @Option(help: "L1 confirmations before a batch counts as committed.") var bridgeConfirmations: Int?
    @Option(help: "Post once this many bytes of batch data wait.") var minBytes: Int?
    @Option(help: "…or once the oldest unposted block is this old (milliseconds).") var maxAgeMs: Int?
    @Option(help: "At most this many blocks per batch.") var maxBlocks: Int?
    @Option(help: "Seconds without a receipt before L1 fees are bumped by 12.5%.") var bumpAfterS: Int?
    @Option(help: "Highest L1 max fee per gas to offer, in gwei.") var maxFeeGwei: Int?
    @Flag(help: "Run as one of several sequencer nodes coordinated by etcd (needs --etcd and --node-id): only the elected leader seals.") var ha = false
    @Option(help: "etcd client URLs, comma-separated (HA mode).") var etcd: String?
    @Option(help: "This node's name, unique among the chain's sequencer nodes (HA mode).") var nodeId: String?
    @Option(help: "Leader lease TTL in milliseconds, whole seconds (HA mode; default 2000).") var leaseTtlMs: Int?
    @Option(help: "The API URL other nodes forward transactions to while this node leads (default: http://<listen>).") var advertiseUrl: String?

    func run() async throws {
        var c = try NodeConfig.load(explicit: config)
        c.override(with: self)
        try c.validate()
        let logger = try NodeLogging.bootstrap(format: c.logFormat, level: c.logLevel, label: "emeth.sequencer")
        let keystores = (signer: c.signerKeystore, sequencer: c.bridge.sequencerKeystore)
        do {
            try await SequencerNode.run(
                c, signerKey: { try SignerKey.load(keystore: keystores.signer) },
                sequencerKey: { try SequencerKey.load(keystore: keystores.sequencer) }, logger: logger,
                onListening: { l in
                    let line = "emeth sequencer listening on http://\(l.host):\(l.port) chainId \(l.chainId) head \(l.head.number) \(l.head.hash)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                })
        } catch let lost as LeadershipLost {
            // A distinct exit code: the supervisor restarts the node, which comes back as a standby.
            FileHandle.standardError.write(Data("Error: \(lost)\n".utf8))
            throw ExitCode(LeadershipLost.exitCode)
        }
    }
}

extension NodeConfig {
    /// The flags of `sequencer run` over the file's settings.
    mutating func override(with f: SequencerRun) {
        if let v = f.data { dataDir = v }
        if let v = f.listen { listen = v }
        if let v = f.genesis { genesis = v }
        if let v = f.signerKeystore { signerKeystore = v }
        if let v = f.maxTxs { sealPolicy.maxTxs = v }
        if let v = f.maxBytes { sealPolicy.maxBytes = v }
        if let v = f.blockTimeMs { sealPolicy.blockTimeMs = v }
        if let v = f.heartbeatMs { sealPolicy.heartbeatMs = v }
        if let v = f.maxBodyBytes { maxBodyBytes = v }
        if let v = f.maxBatch { maxBatch = v }
        if let v = f.sendRate { sendRate = v }
        if let v = f.sendBurst { sendBurst = v }
        if let v = f.wsQueue { wsQueue = v }
        if let v = f.wsSubscriptions { wsSubscriptions = v }
        if let v = f.treeCacheNodes { treeCacheNodes = v }
        if let v = f.logFormat { logFormat = v }
        if let v = f.logLevel { logLevel = v }
        if let v = f.l1Rpc { l1.rpcURL = v }
        if let v = f.deployment { bridge.deployment = v }
        if f.bridge { bridge.enabled = true }
        if let v = f.l1Confirmations { l1.confirmations = v }
        if let v = f.sequencerKeystore { bridge.sequencerKeystore = v }
        if let v = f.bridgeData { bridge.dataDir = v }
        if let v = f.bridgeConfirmations { bridge.confirmations = v }
        if let v = f.minBytes { bridge.minBytes = v }
        if let v = f.maxAgeMs { bridge.maxAgeMs = v }
        if let v = f.maxBlocks { bridge.maxBlocks = v }
        if let v = f.bumpAfterS { bridge.bumpAfterS = v }
        if let v = f.maxFeeGwei { bridge.maxFeeGwei = v }
        if let v = f.maxBacklogBytes { bridge.maxBacklogBytes = v }
        if f.ha { ha.enabled = true }
        if let v = f.etcd { ha.etcd = v }
        if let v = f.nodeId { ha.nodeID = v }
        if let v = f.leaseTtlMs { ha.leaseTTLms = v }
        if let v = f.advertiseUrl { ha.advertiseURL = v }
    }
}

/// The Signer key: a keystore file (password from EMETH_KEYSTORE_PASSWORD or a terminal
/// prompt) or EMETH_SIGNER_PRIVATE_KEY — never a flag value (shell history, process lists).
enum SignerKey {
    static func load(keystore: String?) throws -> PrivateKey {
        try KeyOptions.load(keystore: keystore, env: "EMETH_SIGNER_PRIVATE_KEY", role: "Signer",
                            missing: "no Signer key: set [signer] keystore in the config, pass --signer-keystore FILE, or set EMETH_SIGNER_PRIVATE_KEY")
    }
}

/// The L1 key that commits batches (the deployment's sequencer): a keystore, or
/// EMETH_SEQUENCER_PRIVATE_KEY.
enum SequencerKey {
    static func load(keystore: String?) throws -> PrivateKey {
        try KeyOptions.load(keystore: keystore, env: "EMETH_SEQUENCER_PRIVATE_KEY", role: "sequencer",
                            missing: "[bridge] enabled: set [bridge] sequencer_keystore or EMETH_SEQUENCER_PRIVATE_KEY")
    }
}
