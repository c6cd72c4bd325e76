import API
import Core
import Dispatch
import Foundation
import Sequencer

/// Serialised access to the (non-thread-safe) `SequencerEngine` and its `ChainStore`, and the
/// two-stage sealing pipeline.
///
/// Everything that touches the engine or the store's head runs under one lock: mempool
/// admission, block execution and reads. Signature recovery — the expensive part of admission — is
/// pure and runs *before* taking the lock (`admission` is a value copied out), so ingest stays
/// parallel across request handlers. A failed seal (storage error) stops the engine for good:
/// it refuses further work (`Stopped`) and `/health` reports it, because continuing on a store
/// whose last write failed could acknowledge transactions that are not durable.
///
/// Sealing is a pipeline of depth one. Stage one, on the sealing thread under the lock,
/// executes block k+1 (the state machine, the tree update, its records) on block k's in-memory
/// state while stage two (`DurabilityStage`, its own thread) makes block k durable: signs it
/// and its tickets, replicates it (HA mode), writes its synced batch and only then acknowledges
/// it. Stage two handles blocks strictly in order and refuses everything after a failure, so
/// what is acknowledged is exactly what it was without the pipeline: a durable prefix of the
/// chain. The blocks themselves are the same, since k+1 executes on the same state either way.
///
/// The engine is handed over at `init` (`sending`): from then on the lock is the only way to
/// it, which the compiler checks.
public final class EngineHandle: Sendable {
    /// Why the handle refuses work: the engine stopped (a failed seal) or the node shut down.
    public struct Stopped: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "sequencer stopped: \(reason)" }
    }

    private struct Guarded {
        let engine: SequencerEngine
        var failure: String?
    }

    private let guarded: LockedValue<Guarded>
    /// In HA mode, where each block goes before it is written (nil: a single node).
    private let replicator = LockedValue<(any BlockReplicator)?>(nil)
    /// Signs blocks and tickets in stage two (the engine's `Signer`: a key and a domain, no state).
    private let blockSigner: Signer
    private let durability = DurabilityStage()
    /// Where the sealing thread sleeps until a block is due (`SealingLoop`).
    let sealWakeup = SealWakeup()
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
    /// Told of every block once it is durable and acknowledged, with the jobs it changed (the
    /// API's subscriptions). Called on the sealing thread outside the lock: it must return at
    /// once (`SubscriptionHub.blockSealed` only queues).
    let onSealed: @Sendable (SealedBlock, () -> [Job]) -> Void

    public init(engine: sending SequencerEngine, metrics: APIMetrics = APIMetrics(),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1_000) },
                onSealed: @escaping @Sendable (SealedBlock, () -> [Job]) -> Void = { _, _ in }) {
        self.admission = engine.admission
        self.store = engine.store
        self.genesis = engine.store.genesis
        self.signer = engine.signer.address
        self.blockSigner = engine.signer
        self.metrics = metrics
        self.clock = clock
        self.onSealed = onSealed
        self.guarded = LockedValue(Guarded(engine: engine))
    }

    /// From now on every sealed block is replicated through `replicator` before it is written
    /// (`BlockReplicator`); set before sealing starts.
    public func replicate(through replicator: any BlockReplicator) {
        self.replicator.set(replicator)
    }

    /// Stops the engine for good with `reason` (leadership lost): nothing more is sealed,
    /// replicated or admitted (a block already being written finishes); reads are still served.
    public func stop(reason: String) {
        guarded.withLock { g in if g.failure == nil { g.failure = reason } }
        sealWakeup.wake()
    }

    /// Why the engine stopped, or nil while it runs.
    public var stoppedReason: String? { guarded.withLock { $0.failure } }

    /// Runs `body` on the engine under the lock; throws `Stopped` once the engine has stopped.
    public func withEngine<T: Sendable>(_ body: (SequencerEngine) throws -> T) throws -> T {
        try guarded.withLock { g in
            if let failure = g.failure { throw Stopped(reason: failure) }
            return try body(g.engine)
        }
    }

    /// Queues an authenticated transaction. Throws `Mempool.Refusal` or `AdmissionRefusal`
    /// when the engine refuses it.
    public func add(_ tx: L2Transaction, bytes: Int) throws {
        let now = clock()
        try withEngine { e in
            try e.mempoolAdd(tx, nowMs: now)
            pendingChanged(e, nowMs: now)
        }
    }

    /// Queues authenticated transactions in order under one acquisition of the lock (a
    /// JSON-RPC batch: one lock instead of one per transaction, and no sealing between them);
    /// returns each one's refusal (`Mempool.Refusal`, `AdmissionRefusal`) or nil once queued.
    /// Throws `Stopped` once the engine has stopped.
    public func add(_ txs: [L2Transaction]) throws -> [(any Error)?] {
        let now = clock()
        return try withEngine { e in
            var refusals: [(any Error)?] = []
            refusals.reserveCapacity(txs.count)
            for tx in txs {
                do {
                    try e.mempoolAdd(tx, nowMs: now)
                    refusals.append(nil)
                } catch { refusals.append(error) }
            }
            if refusals.contains(where: { $0 == nil }) { pendingChanged(e, nowMs: now) }
            return refusals
        }
    }

    /// Queues an L1 inbox message (what the inbox feed calls).
    public func enqueue(_ message: InboxMessage) throws {
        let now = clock()
        try withEngine { e in
            try e.enqueue(message)
            pendingChanged(e, nowMs: now)
        }
    }

    /// Under the engine's lock, after something became pending: the seal policy's clock starts
    /// (if nothing was pending) and the sealing thread wakes if a block is now due sooner.
    private func pendingChanged(_ e: SequencerEngine, nowMs now: UInt64) {
        e.notePending(nowMs: now)
        sealWakeup.wakeIfEarlier(e.nextSealDueMs(nowMs: now))
    }

    /// One round of the sealing loop: executes a block when the policy says so and hands it to
    /// the durability stage once the block before it is durable. Returns the executed block
    /// (not yet durable or acknowledged), or nil. Under the same lock it notes when the next
    /// block is due, which `sleepUntilDue` then waits for.
    @discardableResult
    public func sealIfDue() -> ExecutedBlock? {
        execute { e, now in
            let executed = try e.executeSealIfDue(nowMs: now)
            sealWakeup.expect(e.nextSealDueMs(nowMs: now))
            return executed
        }
    }

    /// The sealing thread: sleeps until the block `sealIfDue` noted is due, or until an
    /// admission, an inbox message or an acknowledgement makes one due earlier, or `wakeSealer`.
    public func sleepUntilDue() {
        sealWakeup.sleep(clock: clock)
    }

    /// Wakes the sealing thread now (shutdown).
    public func wakeSealer() {
        sealWakeup.wake()
    }

    /// Seals everything pending, block after block, and returns the blocks executed — once all
    /// of them are durable unless `untilDurable` is false (graceful shutdown waits: nothing
    /// accepted is left behind in memory; a benchmark admits its next round meanwhile).
    @discardableResult
    public func sealPending(untilDurable: Bool = true) -> [ExecutedBlock] {
        var executed: [ExecutedBlock] = []
        while let b = execute({ e, now in try e.executeSeal(timestamp: now / 1_000) }) {
            executed.append(b)
            if b.transactions.isEmpty && b.inbox.isEmpty { break }
        }
        if untilDurable { durability.waitUntilIdle() }
        return executed
    }

    /// Returns once every executed block is durable and acknowledged (or refused).
    public func waitUntilDurable() {
        durability.waitUntilIdle()
    }

    /// Closes the store once the service has stopped: later calls are refused as stopped.
    public func close() {
        durability.waitUntilIdle()   // never close the store under a block's write
        guarded.withLock { g in
            if g.failure == nil { g.failure = "the service has shut down" }
            g.engine.store.db.close()
        }
    }

    /// Stage one: executes the block under the lock, then queues it for stage two, waiting
    /// until the block before it has left stage two (so at most one block executes ahead).
    private func execute(_ begin: (SequencerEngine, UInt64) throws -> SequencerEngine.ExecutedSeal?) -> ExecutedBlock? {
        let start = DispatchTime.now().uptimeNanoseconds
        let executed: SequencerEngine.ExecutedSeal? = guarded.withLock { g in
            guard g.failure == nil else { return nil }
            do { return try begin(g.engine, clock()) } catch {
                g.failure = "sealing failed: \(error)"
                return nil
            }
        }
        guard let executed else { return nil }
        durability.submit { self.makeDurable(executed, start: start) }
        return executed.executed
    }

    /// Stage two, on the durability thread: signs the block and its tickets (the second core,
    /// while stage one executes the next block), replicates it (HA mode) and makes it durable
    /// *outside* the lock (so admission and reads never wait behind etcd or an fsync), then
    /// acknowledges it under the lock: only then are its transactions sequenced, and the block
    /// reported. A block after a failed, refused or stopped one is never replicated or written.
    private func makeDurable(_ executed: SequencerEngine.ExecutedSeal, start: UInt64) {
        guard stoppedReason == nil else { return }
        let prepared = executed.signed(by: blockSigner)
        if let replicator = replicator.value {
            // Replicated before it is durable here: a block etcd refused (fenced: another node
            // leads) is never written, so never served, acknowledged or posted.
            do { try replicator.replicate(number: prepared.block.number, bytes: prepared.bytes) } catch {
                guarded.withLock { g in if g.failure == nil { g.failure = "replication failed: \(error)" } }
                sealWakeup.wake()   // the sealing thread reports the stop
                return
            }
        }
        do { try store.write(prepared.batch) } catch {
            guarded.withLock { $0.failure = "sealing failed: \(error)" }
            sealWakeup.wake()
            return
        }
        let block = guarded.withLock { g in
            let block = g.engine.endSeal(prepared)
            // With `maxInFlight` blocks in flight the next one waited for this acknowledgement.
            sealWakeup.wakeIfEarlier(g.engine.nextSealDueMs(nowMs: clock()))
            return block
        }
        metrics.blockSealed(seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, txs: block.transactions.count)
        // Only now — durable, and its transactions acknowledged — may anyone hear of it.
        onSealed(block) { prepared.changedJobs }
    }
}
