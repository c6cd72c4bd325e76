import Core
import Foundation
import Sequencer
import TOMLKit

/// emeth.toml: its template, and reading it into a `NodeConfig`.
extension NodeConfig {
    /// The commented emeth.toml `emeth sequencer init` writes: every setting at its default,
    /// the Signer's keystore and the deployment file (absolute) filled in when known.
    public static func template(signerKeystore: String?, deployment: String? = nil) -> String {
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
        max_bytes = 1000000            # a cap on a block's transaction bytes (a block always fits one L1 batch)
        block_time_ms = 1000           # seal this long after the first pending item
        heartbeat_ms = 0               # seal an empty block after this long idle (0 = never)

        [api]
        max_body_bytes = 1048576       # larger requests get HTTP 413
        max_batch = 100                # most requests in one JSON-RPC batch
        send_rate = 200                # emeth_sendTransaction per client IP and second (0 = no limit; 0.5 = one every 2 s)
        send_burst = 1000              # ...and at once
        token = ""                     # L1 EMT token address shown by emeth_chainInfo (optional)
        ws_queue = 4096                # WebSocket (/ws): messages waiting for a client before it is dropped as too slow
        ws_subscriptions = 64          # ...and subscriptions one connection may hold

        [store]
        # State-tree nodes kept in memory (up to ~300 bytes each: the default 4194304 is
        # ~650 MB and holds the whole tree of ~1M records; 0 = none). Beyond the bound an
        # update reads RocksDB for the deeper nodes it misses (docs/PERFORMANCE.md).
        tree_cache_nodes = \(RocksDBNodeStore.defaultCacheNodes)

        [l1]
        # With an endpoint (and the deployment file below) the sequencer follows the L1 inbox:
        # deposits credit L2 balances, requestCancel cancels jobs. Empty: no L1 (testing).
        rpc_url = ""                   # e.g. "http://127.0.0.1:8545"
        confirmations = 12             # L1 confirmations before an inbox message is applied

        [bridge]
        deployment = "\(deployment ?? "deployment.json")" # written by `emeth deploy`
        # Post batches from this process. Or leave false and run `emeth bridge run` beside it.
        # The L1 key that commits batches (the deployment's sequencer): a keystore file, or
        # leave empty and set EMETH_SEQUENCER_PRIVATE_KEY.
        enabled = false
        sequencer_keystore = ""
        data_dir = ""                  # the poster's state (nonces, batches); default <data_dir>-bridge
        confirmations = 3              # L1 confirmations before a batch counts as committed
        min_bytes = 10000              # post once this much batch data waits (L1 gas ≤ 1.08× the data floor; docs/PERFORMANCE.md)
        max_age_ms = 60000             # ...or once the oldest unposted block is this old
        max_blocks = 1000              # at most this many blocks per batch
        bump_after_s = 36              # raise fees by 12.5% after this long without a receipt
        max_fee_gwei = 500             # never offer more per gas than this
        max_backlog_bytes = 4194304    # refuse new transactions while this much sealed data waits for L1 (0 = no limit)

        """
    }

    /// Reads `explicit`, or emeth.toml when it exists, or nothing (defaults).
    public static func load(explicit: String?) throws -> NodeConfig {
        let path = explicit ?? "emeth.toml"
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit != nil { throw NodeError("config file \(path) does not exist") }
            return NodeConfig()
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw NodeError("cannot read \(path): \(error)") }
        var c = try parse(text, file: path)
        let base = (path as NSString).deletingLastPathComponent
        c.dataDir = resolve(c.dataDir, base)
        c.genesis = resolve(c.genesis, base)
        c.signerKeystore = c.signerKeystore.map { resolve($0, base) }
        c.bridge.deployment = resolve(c.bridge.deployment, base)
        c.bridge.sequencerKeystore = c.bridge.sequencerKeystore.map { resolve($0, base) }
        if !c.bridge.dataDir.isEmpty { c.bridge.dataDir = resolve(c.bridge.dataDir, base) }
        return c
    }

    static func resolve(_ p: String, _ base: String) -> String {
        p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
    }

    public static func parse(_ text: String, file: String) throws -> NodeConfig {
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch { throw NodeError("\(file): invalid TOML: \(error)") }
        var c = NodeConfig()
        let sections: [String: [String]] = [
            "sequencer": ["data_dir", "genesis", "listen", "log_format", "log_level"], "signer": ["keystore"],
            "sealing": ["max_txs", "max_bytes", "block_time_ms", "heartbeat_ms"], "api": ["max_body_bytes", "max_batch", "send_rate", "send_burst", "token", "ws_queue", "ws_subscriptions"],
            "store": ["tree_cache_nodes"], "l1": ["rpc_url", "confirmations"],
            "ha": ["enabled", "etcd", "node_id", "lease_ttl_ms", "advertise_url"],
            "bridge": ["enabled", "deployment", "sequencer_keystore", "data_dir", "confirmations", "min_bytes", "max_age_ms",
                       "max_blocks", "bump_after_s", "max_fee_gwei", "max_backlog_bytes"],
        ]
        for name in root.keys {
            guard let keys = sections[name] else { throw NodeError("\(file): unknown section [\(name)]") }
            guard let table = root[name]?.table else { throw NodeError("\(file): \(name) must be a [section]") }
            for k in table.keys where !keys.contains(k) { throw NodeError("\(file): unknown key \(k) in [\(name)]") }
        }
        func string(_ s: String, _ k: String) throws -> String? {
            guard let v = root[s]?.table?[k] else { return nil }
            guard let str = v.string else { throw NodeError("\(file): [\(s)] \(k) must be a string") }
            return str
        }
        func int(_ s: String, _ k: String) throws -> Int? {
            guard let v = root[s]?.table?[k] else { return nil }
            guard let n = v.int, n >= 0 else { throw NodeError("\(file): [\(s)] \(k) must be a non-negative integer") }
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
        if let v = root["api"]?.table?["send_rate"] {
            // An integer or a fraction (TOML keeps them apart: 200 is not a float).
            guard let r = v.double ?? v.int.map(Double.init), r >= 0, r.isFinite else {
                throw NodeError("\(file): [api] send_rate must be a non-negative number")
            }
            c.sendRate = r
        }
        if let v = try int("api", "send_burst") { c.sendBurst = v }
        if let v = try int("api", "ws_queue") { c.wsQueue = v }
        if let v = try int("api", "ws_subscriptions") { c.wsSubscriptions = v }
        if let v = try string("api", "token"), !v.isEmpty {
            do { c.token = try Address(v) } catch { throw NodeError("\(file): [api] token: \(error)") }
        }
        if let v = try int("store", "tree_cache_nodes") { c.treeCacheNodes = v }
        if let v = try string("l1", "rpc_url") { c.l1.rpcURL = v }
        if let v = try int("l1", "confirmations") { c.l1.confirmations = v }
        if let v = root["bridge"]?.table?["enabled"] {
            guard let b = v.bool else { throw NodeError("\(file): [bridge] enabled must be true or false") }
            c.bridge.enabled = b
        }
        if let v = root["ha"]?.table?["enabled"] {
            guard let b = v.bool else { throw NodeError("\(file): [ha] enabled must be true or false") }
            c.ha.enabled = b
        }
        if let v = try string("ha", "etcd") { c.ha.etcd = v }
        if let v = try string("ha", "node_id") { c.ha.nodeID = v }
        if let v = try int("ha", "lease_ttl_ms") { c.ha.leaseTTLms = v }
        if let v = try string("ha", "advertise_url") { c.ha.advertiseURL = v }
        if let v = try string("bridge", "deployment") { c.bridge.deployment = v }
        if let v = try string("bridge", "sequencer_keystore"), !v.isEmpty { c.bridge.sequencerKeystore = v }
        if let v = try string("bridge", "data_dir") { c.bridge.dataDir = v }
        if let v = try int("bridge", "confirmations") { c.bridge.confirmations = v }
        if let v = try int("bridge", "min_bytes") { c.bridge.minBytes = v }
        if let v = try int("bridge", "max_age_ms") { c.bridge.maxAgeMs = v }
        if let v = try int("bridge", "max_blocks") { c.bridge.maxBlocks = v }
        if let v = try int("bridge", "bump_after_s") { c.bridge.bumpAfterS = v }
        if let v = try int("bridge", "max_fee_gwei") { c.bridge.maxFeeGwei = v }
        if let v = try int("bridge", "max_backlog_bytes") { c.bridge.maxBacklogBytes = v }
        return c
    }
}
