import Bridge
import Core
import Foundation
import Logging
import Sequencer
import ServiceLifecycle

/// Feeds confirmed L1 inbox messages (deposits, cancels) into the engine, exactly once and in
/// index order: the engine's cursor plus what it holds pending says which message is next.
public struct InboxFeed: Service {
    let engine: EngineHandle
    let watcher: InboxWatcher
    let intervalMs: UInt64
    let logger: Logger

    public init(engine: EngineHandle, watcher: InboxWatcher, intervalMs: UInt64 = 1_000, logger: Logger) {
        self.engine = engine; self.watcher = watcher; self.intervalMs = intervalMs; self.logger = logger
    }

    public func run() async throws {
        var w = watcher
        // Transactions a rollback dropped wait until the inbox is back where their blocks had it.
        var readmitted = ((try? engine.withEngine { try ChainRollback.readmit($0, nowMs: engine.clock(), waitForInbox: true) }) ?? nil) != nil
        await pollUntilShutdown(intervalMs: intervalMs, logger: logger, what: "inbox watcher") {
            let next = try engine.withEngine { $0.store.inboxCursor + UInt64($0.pendingInboxCount) }
            let messages = try await w.poll(next: next)
            for m in messages { try engine.enqueue(m) }
            if !readmitted, let r = try engine.withEngine({ try ChainRollback.readmit($0, nowMs: engine.clock(), waitForInbox: true) }) {
                readmitted = true
                logger.notice("rolled-back transactions", metadata: ["readmitted": "\(r.accepted.count)", "refused": "\(r.refused.count)"])
                for (hash, reason) in r.refused { logger.warning("rolled-back transaction dropped", metadata: ["hash": "\(hash)", "reason": "\(reason)"]) }
            }
            if !messages.isEmpty { logger.info("inbox", metadata: ["messages": "\(messages.count)", "next": "\(next + UInt64(messages.count))"]) }
        }
    }
}

/// The poster's batch records, kept in memory for the API's receipts and proofs (its
/// `BatchStatusProvider`), refreshed by `PosterService` after every round.
public final class PosterStatus: BatchStatusProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var live: [BatchStatus] = []
    private var backlog: UInt64?
    private var gas: UInt64?
    private var gasUsed: [UInt64] = []
    private var challenged: UInt64?

    public init() {}

    /// What the poster's last round said about a halt (nil: posting).
    func setChallenged(_ batch: UInt64?) { lock.withLock { challenged = batch } }

    private var alarm: (block: UInt64, reason: String)?
    func setAlarm(_ a: (block: UInt64, reason: String)?) { lock.withLock { alarm = a } }
    public var postingAlarm: (block: UInt64, reason: String)? { lock.withLock { alarm } }

    public var challengedAtBatch: UInt64? { lock.withLock { challenged } }

    /// Replaces what it knows from batch `from` on with `records` (the poster's records from
    /// that index); batches below `from` are final and do not change.
    func update(_ records: [BatchRecord], from: UInt64, backlogBytes: UInt64) {
        let fresh = records.filter { $0.status != .reverted && $0.status != .decided }
        let statuses = fresh.map {
            BatchStatus(index: $0.index, firstBlock: $0.firstBlock, lastBlock: $0.lastBlock,
                        l1TxHash: $0.status == .posted ? nil : try? Hash32(bytes: $0.l1TxHash), final: $0.status == .final)
        }
        let gasOf = fresh.map { $0.status == .committed || $0.status == .final ? $0.gasUsed : 0 }
        lock.withLock {
            let kept = live.prefix { $0.index < from }.count
            live = Array(live.prefix(kept)) + statuses
            gasUsed = Array(gasUsed.prefix(kept)) + gasOf
            gas = gasUsed.reduce(0, +)
            backlog = backlogBytes
        }
    }

    /// Only committed or final batches count: a receipt says "committed" once L1 holds it.
    public func batch(containing block: UInt64) -> BatchStatus? {
        lock.withLock {
            // `live` is in index order, so its block ranges ascend: binary search.
            var lo = 0, hi = live.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if live[mid].lastBlock < block { lo = mid + 1 } else { hi = mid }
            }
            guard lo < live.count, live[lo].contains(block), live[lo].l1TxHash != nil else { return nil }
            return live[lo]
        }
    }

    public func batch(index: UInt64) -> BatchStatus? {
        lock.withLock {
            var lo = 0, hi = live.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if live[mid].index < index { lo = mid + 1 } else { hi = mid }
            }
            guard lo < live.count, live[lo].index == index, live[lo].l1TxHash != nil else { return nil }
            return live[lo]
        }
    }

    public var latestFinal: BatchStatus? { lock.withLock { live.last { $0.final } } }

    /// Stored bytes of the sealed blocks not yet in a batch.
    public var backlogBytes: UInt64? { lock.withLock { backlog } }

    public var l1GasSpent: UInt64? { lock.withLock { gas } }
}

/// Runs the batch poster in the sequencer's process, one round per interval; stops between
/// rounds on shutdown (every round leaves the bridge store consistent).
public struct PosterService: Service {
    let poster: BatchPoster
    let status: PosterStatus
    let intervalMs: UInt64
    let logger: Logger

    public init(poster: BatchPoster, status: PosterStatus, intervalMs: UInt64 = 1_000, logger: Logger) {
        self.poster = poster; self.status = status; self.intervalMs = intervalMs; self.logger = logger
    }

    public func run() async throws {
        var loaded = false
        // A halt persisted by an earlier run shows in /health at once, even while L1 is unreachable.
        if let n = try? await poster.challengedAt() {
            status.setChallenged(n)
            logger.critical("batch poster halted: L1 no longer holds a committed batch", metadata: [
                "challengedAtBatch": "\(n)",
                "action": "stop the sequencer, then `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`"])
        }
        await pollUntilShutdown(intervalMs: intervalMs, logger: logger, what: "batch poster") {
            // Re-read every record the round may have changed: from the first open batch before
            // it (batches it made final) or after it (batches a challenge reverted), whichever is
            // lower. The first round loads them all.
            let before = loaded ? try await poster.firstOpen() : 0
            let p: BatchPoster.Progress
            do { p = try await poster.step() } catch BatchAssembler.Error.tooLarge(let block, let bytes, let limit) {
                // No retry can shrink a sealed block: raise the alarm once and stop posting.
                let reason = "block \(block) alone encodes to \(bytes) bytes of batch data, over L1's limit of \(limit): no batch can carry it"
                status.setAlarm((block, reason))
                logger.critical("batch poster stopped: a block cannot be posted", metadata: [
                    "block": "\(block)", "bytes": "\(bytes)", "limit": "\(limit)",
                    "action": "the store was sealed without the batch-size bound; restore it from a build that bounds blocks"])
                await gracefulShutdownOrCancelled()
                return
            }
            if let n = p.challengedAt, status.challengedAtBatch != n {
                logger.critical("batch poster halted: L1 no longer holds a committed batch", metadata: [
                    "challengedAtBatch": "\(n)",
                    "action": "stop the sequencer, then `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`"])
            }
            status.setChallenged(p.challengedAt)
            for i in p.committed { logger.info("batch committed", metadata: ["batch": "\(i)"]) }
            for i in p.finalized { logger.info("batch final", metadata: ["batch": "\(i)"]) }
            let from = min(before, try await poster.firstOpen())
            status.update(try await poster.records(from: from), from: from, backlogBytes: p.backlogBytes)
            loaded = true
        }
        logger.info("batch poster stopped")
    }
}

/// Runs `round` every `intervalMs` until a graceful shutdown, backing off exponentially (to
/// 30 s) while it fails: an L1 endpoint that is down is waited for, not hammered.
func pollUntilShutdown(intervalMs: UInt64, logger: Logger, what: String, _ round: () async throws -> Void) async {
    var failures = 0
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        do {
            try await round()
            failures = 0
        } catch {
            failures += 1
            logger.warning("\(what)", metadata: ["error": "\(error)", "retry": "\(failures)"])
        }
        let wait = failures == 0 ? intervalMs : min(30_000, intervalMs << UInt64(min(failures, 5)))
        try? await Task.sleep(nanoseconds: wait * 1_000_000)
    }
}

/// Waits until the service group shuts down (for a service that has nothing left to do).
func gracefulShutdownOrCancelled() async {
    try? await gracefulShutdown()
}
