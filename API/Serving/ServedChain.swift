import Core
import Sequencer

/// The chain a node serves, as the API sees it. The API owns this interface and the `Node`
/// target implements it (for a sequencer: the engine behind its lock, `EngineHandle`), so the
/// API needs neither the engine's locking nor the bridge or the prover to answer requests.
///
/// Implementations are called from request handlers on any thread. Once the node has stopped
/// (a storage failure, or shutdown) the throwing requirements throw an error that converts to
/// JSON-RPC -32005 (`RPCErrorConvertible`), and `stoppedReason` says why.
public protocol ServedChain: Sendable {
    /// For lock-free reads of what never changes once written: blocks at or below a head read
    /// through `withConsistentStore`, the transaction index, tickets and records. The head and
    /// the totals move: read them through `withConsistentStore`.
    var store: ChainStore { get }
    var genesis: Genesis { get }
    /// The Signer's address (what signs blocks and tickets).
    var signer: Address { get }
    /// Authenticates transactions in this chain's EIP-712 domain (pure; no lock needed).
    var admission: L2Admission { get }
    /// The counters behind `GET /metrics`.
    var metrics: APIMetrics { get }
    /// Why the node stopped serving, or nil while it runs.
    var stoppedReason: String? { get }

    /// Runs `body` while the head and the totals stand still.
    func withConsistentStore<T: Sendable>(_ body: (ChainStore) throws -> T) throws -> T
    /// The nonce `address` signs its next transaction with: the committed one plus its
    /// transactions queued without a gap.
    func pendingNonce(_ address: Address) throws -> UInt64
    /// Whether `hash` waits to be sequenced (in the mempool, or in the block being made durable).
    func isPending(_ hash: Hash32) throws -> Bool
    /// Queues an authenticated transaction of `bytes` wire bytes. Throws `Mempool.Refusal` or
    /// `AdmissionRefusal` when it is refused.
    func submit(_ tx: L2Transaction, bytes: Int) throws
    /// Queues authenticated transactions in order, as `submit(_:bytes:)` one after the other
    /// would; returns each one's refusal (nil: queued). Throws only if none can be queued (the
    /// node stopped). The engine does it under one acquisition of its lock.
    func submit(_ txs: [L2Transaction]) throws -> [(any Error)?]
    /// The chain's and the mempool's gauges for `GET /metrics`.
    func gauges() throws -> ChainGauges
}

extension ServedChain {
    public func submit(_ txs: [L2Transaction]) throws -> [(any Error)?] {
        txs.map { tx in
            do { try submit(tx, bytes: tx.encoded.count); return nil } catch { return error }
        }
    }

    /// The head block's number.
    public func headNumber() throws -> UInt64 { try withConsistentStore { $0.head.number } }
}

/// What `GET /metrics` shows of the chain and the mempool.
public struct ChainGauges: Sendable, Equatable {
    public var head: UInt64
    public var mempool: Int
    public var ready: Int
    public var senders: Int
    public var expired: Int
    public var evicted: Int
    /// Transactions admitted against the pending state that failed in their block.
    public var failedAfterAdmission: Int

    public init(head: UInt64, mempool: Int, ready: Int, senders: Int, expired: Int, evicted: Int, failedAfterAdmission: Int) {
        self.head = head; self.mempool = mempool; self.ready = ready; self.senders = senders
        self.expired = expired; self.evicted = evicted; self.failedAfterAdmission = failedAfterAdmission
    }
}
