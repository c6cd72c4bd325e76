import API
import ArgumentParser
import Core
import Foundation
import Logging
import Sequencer
import TOMLKit

/// `emeth sequencer run`: opens (or creates) the chain in the data directory and serves the
/// L2 JSON-RPC API, sealing blocks on the configured policy, until SIGINT/SIGTERM — then it
/// seals what is pending and exits. Settings come from emeth.toml (`emeth sequencer init`
/// writes a commented one); every setting can be overridden by its flag.
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
    @Option(help: "emeth_sendTransaction per client IP and second (0 = no limit).") var sendRate: Int?
    @Option(help: "emeth_sendTransaction a client IP may send at once.") var sendBurst: Int?
    @Option(help: "Refuse new transactions while this many bytes of sealed blocks wait for L1 (0 = no limit).") var maxBacklogBytes: Int?
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

    func run() async throws {
        var c = try SequencerConfig.load(explicit: config)
        c.override(with: self)
        try c.validate()
        let logger = try SequencerLog.bootstrap(format: c.logFormat, level: c.logLevel)

        let genesis = try loadGenesis(c.genesis)
        let key = try SignerKey.load(keystore: c.signerKeystore)
        guard key.address == genesis.signer else {
            throw CLIError("the Signer key is \(key.address.checksummed) but genesis names \(genesis.signer.checksummed) as the signer")
        }
        let store: ChainStore
        do { store = try ChainStore(path: c.dataDir, genesis: genesis) } catch { throw CLIError("cannot open the data directory \(c.dataDir): \(error)") }
        let engine = SequencerEngine(store: store, signerKey: key, policy: c.sealPolicy)
        // Transactions an operator's rollback took out of the chain go back into the mempool:
        // here when no inbox message they may rely on is missing (or there is no L1 to wait for),
        // else by the inbox feed once it has read those messages again.
        let back = try reporting("cannot re-admit rolled-back transactions") {
            try ChainRollback.readmit(engine, nowMs: UInt64(Date().timeIntervalSince1970 * 1000), waitForInbox: !c.l1.rpcURL.isEmpty)
        }
        if let back, !back.accepted.isEmpty || !back.refused.isEmpty {
            logger.notice("rolled-back transactions", metadata: ["readmitted": "\(back.accepted.count)", "refused": "\(back.refused.count)"])
        }
        for (hash, reason) in back?.refused ?? [] { logger.warning("rolled-back transaction dropped", metadata: ["hash": "\(hash)", "reason": "\(reason)"]) }
        let (host, port) = try c.hostAndPort()
        let l1 = try await L1Wiring.connect(c, genesis: genesis, logger: logger)
        let status = PosterStatus()
        let service = SequencerService(engine: engine,
                                       config: ServiceConfig(host: host, port: port, limits: c.rpcLimits,
                                                             maxBacklogBytes: c.bridge.maxBacklogBytes > 0 ? UInt64(c.bridge.maxBacklogBytes) : nil),
                                       batches: c.bridge.enabled ? status : nil,
                                       extras: ChainInfoExtras(token: c.token ?? l1?.deployment.token, sequencer: l1?.deployment.sequencer),
                                       logger: logger)
        let bridgeServices = try l1.map { try $0.services(c, engine: service.engine, status: status, logger: logger) } ?? []
        let head = store.head.header
        try await service.run(shutdownSignals: [.sigterm, .sigint], bridge: bridgeServices) { bound in
            let line = "emeth sequencer listening on http://\(host):\(bound) chainId \(genesis.chainId) head \(head.number) \(head.hash)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        logger.info("stopped")
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

/// Logs to stderr as text lines or one JSON object per line.
enum SequencerLog {
    static func bootstrap(format: String, level: String) throws -> Logger {
        guard let lvl = Logger.Level(rawValue: level) else { throw CLIError("log level \"\(level)\": use trace, debug, info, notice, warning, error or critical") }
        switch format {
        case "text": LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        case "json": LoggingSystem.bootstrap { label in JSONLineLogHandler(label: label) }
        default: throw CLIError("log format \"\(format)\": use text or json")
        }
        var logger = Logger(label: "emeth.sequencer")
        logger.logLevel = lvl
        return logger
    }
}

/// `{"ts": …, "level": …, "label": …, "msg": …, <metadata>}` per line on stderr.
struct JSONLineLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var o: [String: JSONValue] = ["ts": .string(ISO8601DateFormatter().string(from: Date())), "level": .string(event.level.rawValue),
                                      "label": .string(label), "msg": .string("\(event.message)")]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { o[k] = .string("\(v)") }
        FileHandle.standardError.write(Data((JSONValue.object(o).serialized + "\n").utf8))
    }
}
