import ArgumentParser
import Core
import Foundation
import Sequencer
import TOMLKit

/// `emeth sequencer init`: writes a commented emeth.toml with every default and a
/// genesis.json for a new chain. Refuses to overwrite either file.
struct SequencerInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a default emeth.toml and a genesis.json for a new chain.")

    @Option(help: "Directory to write emeth.toml and genesis.json into.") var dir = "."
    @Option(help: "L1 chain id (the EIP-712 domain's chainId).") var chainId = "31337"
    @Option(help: "L1 EmethRollup contract address (the domain's verifyingContract).")
    var rollup = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    @Option(help: "Signer address. Default: the address of EMETH_SIGNER_PRIVATE_KEY or of --signer-keystore.")
    var signer: String?
    @Option(help: "Keystore of the Signer key (recorded in emeth.toml; its address goes into genesis).") var signerKeystore: String?
    @Option(help: "A verifier address (repeatable).") var verifier: [String] = []
    @Option(help: "A splitter address (repeatable).") var splitter: [String] = []
    @Option(help: "An aggregator address (repeatable).") var aggregator: [String] = []
    @Option(help: "Genesis timestamp (seconds). Default: now.") var timestamp: UInt64?

    func run() throws {
        func address(_ s: String, _ what: String) throws -> Address {
            do { return try Address(s) } catch { throw CLIError("\(what) \(s): \(error)") }
        }
        let signerAddress: Address
        if let signer { signerAddress = try address(signer, "--signer") } else {
            signerAddress = try SignerKey.load(keystore: signerKeystore).address
        }
        let chain: UInt256
        do { chain = try UInt256(parsing: chainId) } catch { throw CLIError("--chain-id \(chainId): \(error)") }
        let genesis = Genesis(chainId: chain, rollup: try address(rollup, "--rollup"), signer: signerAddress,
                              timestamp: timestamp ?? UInt64(Date().timeIntervalSince1970),
                              roles: Roles(verifiers: Set(try verifier.map { try address($0, "--verifier") }),
                                           splitters: Set(try splitter.map { try address($0, "--splitter") }),
                                           aggregators: Set(try aggregator.map { try address($0, "--aggregator") })))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let genesisPath = (dir as NSString).appendingPathComponent("genesis.json")
        let configPath = (dir as NSString).appendingPathComponent("emeth.toml")
        for p in [genesisPath, configPath] where FileManager.default.fileExists(atPath: p) {
            throw CLIError("\(p) exists; refusing to overwrite it")
        }
        try Data((genesis.json.serialized + "\n").utf8).write(to: URL(fileURLWithPath: genesisPath))
        try Data(SequencerConfig.template(signerKeystore: signerKeystore).utf8).write(to: URL(fileURLWithPath: configPath))
        print("wrote \(configPath) and \(genesisPath) (chainId \(chain), signer \(signerAddress.checksummed), genesis \(genesis.hash))")
    }
}

/// The sequencer's settings: emeth.toml (written by `init`, read by `run`), then flags.
/// Unknown sections or keys are refused, naming them — a misspelt key must not silently fall
/// back to a default. Relative paths are relative to the config file's directory.
struct SequencerConfig: Equatable {
    var dataDir = "data"
    var genesis = "genesis.json"
    var listen = "127.0.0.1:8547"
    var logFormat = "text"
    var logLevel = "info"
    var signerKeystore: String?
    var sealPolicy = SealPolicy()
    var maxBodyBytes = 1 << 20
    var maxBatch = 100
    var token: Address?
    var l1 = L1Section()
    var bridge = BridgeSection()

    /// `[l1]`: parsed, not used yet — the bridge wires it.
    struct L1Section: Equatable {
        var rpcURL = "http://127.0.0.1:8545"
        var confirmations: Int = 2
    }

    /// `[bridge]`: parsed, not used yet — the bridge wires it.
    struct BridgeSection: Equatable {
        var enabled = false
        var deployment = "deployment.json"
    }

    static func template(signerKeystore: String?) -> String {
        """
        # EMETH sequencer configuration (emeth sequencer run). Every setting can also be given
        # as a flag of the same name (e.g. --block-time-ms 500), which wins over this file.
        # Relative paths are relative to this file's directory.

        [sequencer]
        data_dir = "data"              # RocksDB data directory (created on first run)
        genesis = "genesis.json"       # the chain's genesis file (emeth sequencer init wrote it)
        listen = "127.0.0.1:8547"      # JSON-RPC over HTTP; port 0 picks a free port
        log_format = "text"            # text | json (one object per line), on stderr
        log_level = "info"             # trace | debug | info | notice | warning | error | critical

        [signer]
        # The Signer key signs blocks and tickets; its address must be genesis "signer".
        # Never write the key here: name a keystore file (password from EMETH_KEYSTORE_PASSWORD
        # or a prompt), or leave this empty and set EMETH_SIGNER_PRIVATE_KEY.
        keystore = "\(signerKeystore ?? "")"

        [sealing]
        max_txs = 5000                 # seal at this many transactions
        max_bytes = 1000000            # seal at this many bytes of transactions
        block_time_ms = 1000           # seal this long after the first pending item
        heartbeat_ms = 0               # seal an empty block after this long idle (0 = never)

        [api]
        max_body_bytes = 1048576       # larger requests get HTTP 413
        max_batch = 100                # most requests in one JSON-RPC batch
        token = ""                     # L1 EMT token address shown by emeth_chainInfo (optional)

        # ---- Not used yet: the bridge will read these. ----
        [l1]
        rpc_url = "http://127.0.0.1:8545"
        confirmations = 2

        [bridge]
        enabled = false
        deployment = "deployment.json"

        """
    }

    /// Reads `explicit`, or emeth.toml when it exists, or nothing (defaults).
    static func load(explicit: String?) throws -> SequencerConfig {
        let path = explicit ?? "emeth.toml"
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit != nil { throw CLIError("config file \(path) does not exist") }
            return SequencerConfig()
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("cannot read \(path): \(error)") }
        var c = try parse(text, file: path)
        let base = (path as NSString).deletingLastPathComponent
        c.dataDir = resolve(c.dataDir, base)
        c.genesis = resolve(c.genesis, base)
        c.signerKeystore = c.signerKeystore.map { resolve($0, base) }
        return c
    }

    static func resolve(_ p: String, _ base: String) -> String {
        p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
    }

    static func parse(_ text: String, file: String) throws -> SequencerConfig {
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch { throw CLIError("\(file): invalid TOML: \(error)") }
        var c = SequencerConfig()
        let sections: [String: [String]] = [
            "sequencer": ["data_dir", "genesis", "listen", "log_format", "log_level"], "signer": ["keystore"],
            "sealing": ["max_txs", "max_bytes", "block_time_ms", "heartbeat_ms"], "api": ["max_body_bytes", "max_batch", "token"],
            "l1": ["rpc_url", "confirmations"], "bridge": ["enabled", "deployment"],
        ]
        for name in root.keys {
            guard let keys = sections[name] else { throw CLIError("\(file): unknown section [\(name)]") }
            guard let table = root[name]?.table else { throw CLIError("\(file): \(name) must be a [section]") }
            for k in table.keys where !keys.contains(k) { throw CLIError("\(file): unknown key \(k) in [\(name)]") }
        }
        func string(_ s: String, _ k: String) throws -> String? {
            guard let v = root[s]?.table?[k] else { return nil }
            guard let str = v.string else { throw CLIError("\(file): [\(s)] \(k) must be a string") }
            return str
        }
        func int(_ s: String, _ k: String) throws -> Int? {
            guard let v = root[s]?.table?[k] else { return nil }
            guard let n = v.int, n >= 0 else { throw CLIError("\(file): [\(s)] \(k) must be a non-negative integer") }
            return n
        }
        if let v = try string("sequencer", "data_dir") { c.dataDir = v }
        if let v = try string("sequencer", "genesis") { c.genesis = v }
        if let v = try string("sequencer", "listen") { c.listen = v }
        if let v = try string("sequencer", "log_format") { c.logFormat = v }
        if let v = try string("sequencer", "log_level") { c.logLevel = v }
        if let v = try string("signer", "keystore"), !v.isEmpty { c.signerKeystore = v }
        if let v = try int("sealing", "max_txs") { c.sealPolicy.maxTxs = v }
        if let v = try int("sealing", "max_bytes") { c.sealPolicy.maxBytes = v }
        if let v = try int("sealing", "block_time_ms") { c.sealPolicy.blockTimeMs = UInt64(v) }
        if let v = try int("sealing", "heartbeat_ms") { c.sealPolicy.heartbeatMs = UInt64(v) }
        if let v = try int("api", "max_body_bytes") { c.maxBodyBytes = v }
        if let v = try int("api", "max_batch") { c.maxBatch = v }
        if let v = try string("api", "token"), !v.isEmpty {
            do { c.token = try Address(v) } catch { throw CLIError("\(file): [api] token: \(error)") }
        }
        if let v = try string("l1", "rpc_url") { c.l1.rpcURL = v }
        if let v = try int("l1", "confirmations") { c.l1.confirmations = v }
        if let v = root["bridge"]?.table?["enabled"] {
            guard let b = v.bool else { throw CLIError("\(file): [bridge] enabled must be true or false") }
            c.bridge.enabled = b
        }
        if let v = try string("bridge", "deployment") { c.bridge.deployment = v }
        return c
    }

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
        if let v = f.logFormat { logFormat = v }
        if let v = f.logLevel { logLevel = v }
    }

    func validate() throws {
        guard sealPolicy.maxTxs >= 1, sealPolicy.maxBytes >= 1 else { throw CLIError("max_txs and max_bytes must be at least 1") }
        guard maxBodyBytes >= 1_024, maxBatch >= 1 else { throw CLIError("max_body_bytes must be at least 1024 and max_batch at least 1") }
        _ = try hostAndPort()
    }

    func hostAndPort() throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port),
              colon != listen.startIndex else {
            throw CLIError("listen address \"\(listen)\": expected host:port, e.g. 127.0.0.1:8547")
        }
        return (String(listen[..<colon]), port)
    }
}
