import API
import Core
import Foundation
import Sequencer

/// One node's settings, whatever it runs (`sequencer run`, `bridge run`): emeth.toml
/// (`NodeConfig.load`, written by `emeth sequencer init` from `template`), then the command's
/// flags over it. Unknown sections or keys in the file are refused, naming them — a misspelt
/// key must not silently fall back to a default. Relative paths are relative to the config
/// file's directory.
public struct NodeConfig: Sendable, Equatable {
    public var dataDir = "data"
    public var genesis = "genesis.json"
    public var listen = "127.0.0.1:8547"
    public var logFormat = "text"
    public var logLevel = "info"
    public var signerKeystore: String?
    public var sealPolicy = SealPolicy()
    public var maxBodyBytes = 1 << 20
    public var maxBatch = 100
    /// `[api] send_rate`: emeth_sendTransaction per client IP and second; a fraction allows one
    /// every few seconds (0.2: one in five). 0 = no limit.
    public var sendRate: Double = 200
    public var sendBurst = 1_000
    public var token: Address?
    /// `[api] ws_queue`, `ws_subscriptions`: WebSocket subscriptions' limits.
    public var wsQueue = SubscriptionLimits().maxQueued
    public var wsSubscriptions = SubscriptionLimits().maxSubscriptions
    public var l1 = L1Section()
    public var bridge = BridgeSection()
    public var ha = HASection()
    /// `[store] tree_cache_nodes`: how many state-tree nodes the chain store keeps in memory
    /// (`ChainStore(treeCacheNodes:)`; up to ~300 bytes each, README "Memory").
    public var treeCacheNodes = RocksDBNodeStore.defaultCacheNodes
    /// Milliseconds between the rounds of the L1 parts (inbox feed, batch poster); not in the
    /// file (`bridge run --poll-ms`).
    public var l1PollMs: UInt64 = 1_000

    public init() {}

    /// `[l1]`: where L1 is. With an endpoint and a deployment file the sequencer follows the
    /// L1 inbox (deposits, cancels) after `confirmations` confirmations.
    public struct L1Section: Sendable, Equatable {
        public var rpcURL = ""
        public var confirmations: Int = 12

        public init() {}
    }

    /// `[bridge]`: the deployment, and the batch poster when it runs in this process.
    public struct BridgeSection: Sendable, Equatable {
        public var enabled = false
        public var deployment = "deployment.json"
        public var dataDir = ""
        public var sequencerKeystore: String?
        public var confirmations: Int = 3
        public var minBytes: Int = 10_000
        public var maxAgeMs: Int = 60_000
        public var maxBlocks: Int = 1_000
        public var bumpAfterS: Int = 36
        public var maxFeeGwei: Int = 500
        public var maxBacklogBytes: Int = 4 << 20

        public init() {}
    }
}

extension NodeConfig {
    /// `[ha]`: run as one of several sequencer nodes of one chain, coordinated by etcd
    /// (README "Running highly available"): only the elected leader seals, and every block is
    /// in etcd's fenced block log before anything in it is acknowledged.
    public struct HASection: Sendable, Equatable {
        public var enabled = false
        /// etcd client URLs, comma-separated (any member; the client fails over).
        public var etcd = ""
        /// This node's name in the leader record (unique per node).
        public var nodeID = ""
        /// The leader lease's TTL: how long a dead leader blocks the chain.
        public var leaseTTLms = 2_000
        /// The URL other nodes forward transactions to while this node leads (default: http://<listen>).
        public var advertiseURL = ""

        public init() {}
    }

    /// Above this a send rate could only be a typo (and would not fit a burst count).
    public static let maxSendRate = 1e9

    /// Above this the bound could only be a typo: 2^31 nodes are hundreds of GB of memory.
    public static let maxTreeCacheNodes = 1 << 31

    /// The API's request limits.
    public var rpcLimits: RPCLimits {
        // The burst is at least one second's worth (`validate` bounds the rate; NaN gives 0 here, not a trap).
        let second = sendRate > 0 && sendRate <= Self.maxSendRate ? Int(sendRate.rounded(.up)) : 0
        return RPCLimits(maxBodyBytes: maxBodyBytes, maxBatch: maxBatch, sendPerSecond: sendRate, sendBurst: max(sendBurst, second))
    }

    /// The WebSocket subscriptions' limits.
    public var subscriptionLimits: SubscriptionLimits { SubscriptionLimits(maxQueued: wsQueue, maxSubscriptions: wsSubscriptions) }

    /// Refuses settings no node can run with, naming the setting.
    public func validate() throws {
        guard sealPolicy.maxTxs >= 1, sealPolicy.maxBytes >= 1 else { throw NodeError("max_txs and max_bytes must be at least 1") }
        guard maxBodyBytes >= 1_024, maxBatch >= 1 else { throw NodeError("max_body_bytes must be at least 1024 and max_batch at least 1") }
        guard wsQueue >= 1, wsSubscriptions >= 1 else { throw NodeError("[api] ws_queue and ws_subscriptions must be at least 1") }
        _ = try hostAndPort()
        guard (0...Self.maxSendRate).contains(sendRate) else {
            throw NodeError("[api] send_rate must be between 0 (no limit) and \(Int(Self.maxSendRate)) a second, got \(sendRate)")
        }
        guard (0...Self.maxTreeCacheNodes).contains(treeCacheNodes) else {
            throw NodeError("[store] tree_cache_nodes must be between 0 (no cache) and \(Self.maxTreeCacheNodes), got \(treeCacheNodes)")
        }
        guard !bridge.enabled || !l1.rpcURL.isEmpty else { throw NodeError("[bridge] enabled needs [l1] rpc_url") }
        guard bridge.maxBlocks >= 1, bridge.confirmations >= 1, l1.confirmations >= 1 else {
            throw NodeError("[bridge] max_blocks and the confirmation depths must be at least 1")
        }
        guard bridge.minBytes >= 0, bridge.maxAgeMs >= 0, bridge.bumpAfterS >= 1, bridge.maxFeeGwei >= 1 else {
            throw NodeError("[bridge] min_bytes and max_age_ms must not be negative; bump_after_s and max_fee_gwei must be at least 1")
        }
        if ha.enabled {
            guard !ha.etcd.isEmpty else { throw NodeError("[ha] enabled needs etcd (the etcd client URLs, e.g. http://127.0.0.1:2379)") }
            guard !ha.nodeID.isEmpty else { throw NodeError("[ha] enabled needs node_id (a name unique to this node)") }
            guard ha.leaseTTLms >= 1_000, ha.leaseTTLms % 1_000 == 0 else {
                throw NodeError("[ha] lease_ttl_ms must be a whole number of seconds of at least 1000 (etcd leases are in seconds), got \(ha.leaseTTLms)")
            }
        }
    }

    /// Where the API listens (`listen` split).
    public func hostAndPort() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port),
              colon != listen.startIndex else {
            throw NodeError("listen address \"\(listen)\": expected host:port, e.g. 127.0.0.1:8547")
        }
        return (String(listen[..<colon]), port)
    }

    /// The bridge's data directory: `[bridge] data_dir`, or `<data_dir>-bridge`.
    public var bridgeDataDir: String { bridge.dataDir.isEmpty ? dataDir + "-bridge" : bridge.dataDir }

    /// Backpressure: past this many bytes of sealed blocks not yet posted to L1, new
    /// transactions are refused and /health says "degraded" (nil: no limit).
    public var maxBacklog: UInt64? { bridge.maxBacklogBytes > 0 ? UInt64(bridge.maxBacklogBytes) : nil }
}
