import Core
import Foundation
import Sequencer

/// Serialised access to the (non-thread-safe) `SequencerEngine` and its `ChainStore`.
///
/// Everything that touches the engine or the store's head runs under one lock: mempool
/// admission, sealing and reads. Signature recovery — the expensive part of admission — is
/// pure and runs *before* taking the lock (`admission` is a value copied out), so ingest stays
/// parallel across request handlers. A failed seal (storage error) stops the engine for good:
/// it refuses further work and `/health` reports it, because continuing on a store whose
/// last write failed could acknowledge transactions that are not durable.
public final class EngineHandle: @unchecked Sendable {
    private let lock = NSLock()
    private let engine: SequencerEngine
    private var failure: String?
    public let admission: L2Admission
    /// For lock-free reads of what never changes once written: blocks at or below a head
    /// read under the lock, the transaction index, tickets and records (RocksDB reads are
    /// thread-safe and a block's WriteBatch is atomic). `head`, `totals` and `inboxCursor`
    /// are mutable properties: read them through `withEngine`.
    public let store: ChainStore
    public let genesis: Genesis
    public let signer: Address
    public let metrics: APIMetrics
    /// Milliseconds since 1970 (injectable so tests can control block time).
    public let clock: @Sendable () -> UInt64

    public init(engine: SequencerEngine, metrics: APIMetrics = APIMetrics(),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1_000) }) {
        self.engine = engine
        self.admission = engine.admission
        self.store = engine.store
        self.genesis = engine.store.genesis
        self.signer = engine.producer.signer.address
        self.metrics = metrics
        self.clock = clock
    }

    /// Why the engine stopped, or nil while it runs.
    public var stoppedReason: String? { lock.withLock { failure } }

    /// Runs `body` on the engine under the lock; refuses once the engine has stopped.
    public func withEngine<T>(_ body: (SequencerEngine) throws -> T) throws -> T {
        try lock.withLock {
            if let failure { throw RPCError(code: RPCError.notReadyCode, message: "sequencer stopped: \(failure)") }
            return try body(engine)
        }
    }

    /// Queues an authenticated transaction. Throws `Mempool.Refusal` when the pool refuses it.
    public func add(_ tx: L2Transaction, bytes: Int) throws {
        let now = clock()
        try withEngine { e in
            try e.mempoolAdd(tx, nowMs: now)
            e.notePending(nowMs: now)
        }
    }

    /// Queues an L1 inbox message (what the bridge's inbox watcher calls).
    public func enqueue(_ message: InboxMessage) throws {
        let now = clock()
        try withEngine { e in
            try e.enqueue(message)
            e.notePending(nowMs: now)
        }
    }

    /// One tick of the sealing loop: seals when the policy says so.
    @discardableResult
    public func sealIfDue() -> SealedBlock? {
        seal { e, now in try e.beginSealIfDue(nowMs: now) }
    }

    /// Seals everything pending, block after block (graceful shutdown: nothing accepted is
    /// left behind in memory).
    public func sealPending() {
        while let b = seal({ e, now in try e.beginSeal(timestamp: now / 1_000) }), b.transactions.count + b.inbox.count > 0 {}
    }

    /// Closes the store once the service has stopped: later calls are refused as stopped.
    public func close() {
        lock.withLock {
            if failure == nil { failure = "the service has shut down" }
            engine.store.db.close()
        }
    }

    /// Executes and signs the block under the lock, makes it durable *outside* it (so
    /// admission and reads never wait behind an fsync), then moves the head under the lock:
    /// only then are its transactions acknowledged as sequenced.
    private func seal(_ begin: (SequencerEngine, UInt64) throws -> SequencerEngine.SealInProgress?) -> SealedBlock? {
        let start = DispatchTime.now().uptimeNanoseconds
        let prepared: SequencerEngine.SealInProgress? = lock.withLock {
            guard failure == nil else { return nil }
            do { return try begin(engine, clock()) } catch {
                failure = "sealing failed: \(error)"
                return nil
            }
        }
        guard let prepared else { return nil }
        do { try engine.store.write(prepared.batch) } catch {
            lock.withLock { failure = "sealing failed: \(error)" }
            return nil
        }
        let block = lock.withLock { engine.endSeal(prepared) }
        metrics.blockSealed(seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, txs: block.transactions.count)
        return block
    }
}
