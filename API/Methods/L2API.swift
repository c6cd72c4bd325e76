import Core
import Sequencer

/// Addresses the chain's configuration knows but genesis does not (reported by
/// `emeth_chainInfo`; null when not configured).
public struct ChainInfoExtras: Sendable, Equatable {
    /// The L1 EMT token.
    public var token: Address?
    /// The L1 account that posts batches (the bridge's key).
    public var sequencer: Address?

    public init(token: Address? = nil, sequencer: Address? = nil) {
        self.token = token
        self.sequencer = sequencer
    }
}

/// The `emeth_*` methods of docs/API.md over the chain one node serves. Each method lives in
/// the file of its area (transactions, chain, state, proofs); this type holds what they share
/// and lists them. What it serves comes through the API's own protocols (`ServedChain`,
/// `ProofService`, `BatchStatusProvider`), which the `Node` target implements.
public struct L2API: Sendable {
    public let chain: any ServedChain
    public let proofs: any ProofService
    public let batches: (any BatchStatusProvider)?
    public let extras: ChainInfoExtras
    /// Set on a follower: the leader it forwards writes to (nil on the sequencer itself).
    public let replica: (any ReplicaLink)?
    /// The WebSocket subscriptions' fan-out, fed by the node (nil: `emeth_subscribe` is
    /// refused, as this node reports no events).
    public let subscriptions: SubscriptionHub?
    /// Largest `limit` of `emeth_listJobs` (the most index entries one call reads).
    /// In HA mode, this node's role and etcd connectivity for `/health` (nil: a single node).
    public var cluster: (any ClusterStatus)?
    public var maxListLimit = 1_000
    /// Most blocks one `emeth_getBlockRange` call returns, and the most stored bytes (a call
    /// returns at least one block whatever its size).
    public var maxRangeBlocks = 100
    public var maxRangeBytes = 2 << 20
    /// Backpressure threshold (the node's `[bridge] max_backlog_bytes`).
    public var maxBacklogBytes: UInt64?

    /// Why new transactions are refused for now, or nil: L1 carries one batch per commit, so
    /// once the sealed-but-unposted backlog passes the threshold, intake waits for the poster.
    public var backpressure: String? {
        guard let limit = maxBacklogBytes, let backlog = batches?.backlogBytes, backlog > limit else { return nil }
        return "backpressure: \(backlog) bytes of sealed blocks wait to be posted to L1 (limit \(limit)); retry later"
    }
    let settlements = SettlementCache()

    public init(chain: any ServedChain, proofs: any ProofService, batches: (any BatchStatusProvider)? = nil,
                extras: ChainInfoExtras = ChainInfoExtras(), replica: (any ReplicaLink)? = nil, subscriptions: SubscriptionHub? = nil) {
        self.chain = chain
        self.replica = replica
        self.proofs = proofs
        self.batches = batches
        self.extras = extras
        self.subscriptions = subscriptions
    }

    public var methods: [String: RPCMethod] {
        let api = self
        return [
            "emeth_chainInfo": RPCMethod { _ in api.chainInfo() },
            "emeth_sendTransaction": RPCMethod(params: ["tx", "expect"], required: 1, { try await api.sendTransaction($0) },
                                               batch: { await api.sendTransactions($0) }),
            "emeth_getTransactionReceipt": RPCMethod(params: ["hash"]) { try await api.receipt($0) },
            "emeth_blockNumber": RPCMethod { _ in try api.blockNumber() },
            "emeth_getBlockByNumber": RPCMethod(params: ["number", "fullTxs"], required: 1) { try api.block($0) },
            "emeth_getBlockRange": RPCMethod(params: ["from", "count"], required: 1) { try api.blockRange($0) },
            "emeth_getAccount": RPCMethod(params: ["address"]) { try api.account($0) },
            "emeth_getTransactionCount": RPCMethod(params: ["address", "block"], required: 1) { try await api.transactionCount($0) },
            "emeth_getJob": RPCMethod(params: ["jobId"]) { try api.job($0) },
            "emeth_listJobs": RPCMethod(params: ["filter"], required: 0) { try api.listJobs($0) },
            "emeth_getTicket": RPCMethod(params: ["address"]) { try api.ticket($0) },
            "emeth_getSettlementProof": RPCMethod(params: ["address", "batchIndex"], required: 1) { try api.settlementProof($0) },
            "emeth_getStateProof": RPCMethod(params: ["key", "blockNumber"], required: 1) { try api.stateProof($0) },
            "emeth_getTransactionProof": RPCMethod(params: ["hash"]) { try api.transactionProof($0) },
            "emeth_listBatches": RPCMethod(params: ["limit"], required: 0) { try api.listBatches($0) },
        ]
    }

    /// A dispatcher serving these methods.
    public func dispatcher(limits: RPCLimits = RPCLimits()) -> RPCDispatcher { RPCDispatcher(methods: methods, limits: limits) }
}

extension RPCParams {
    /// The value of a parameter the method declared as required (present after validation).
    func need<T>(_ v: T?, _ name: String) throws(RPCError) -> T {
        guard let v else { throw .invalidParams("missing param \(name)") }
        return v
    }
}
