import Bridge
import Core
import Logging
import Sequencer
import ServiceLifecycle

/// Feeds confirmed L1 inbox messages (deposits, cancels, forced transactions) into the engine,
/// exactly once and in index order: the engine's cursor plus what it holds pending says which
/// message is next.
public struct InboxFeed: Service {
    let engine: EngineHandle
    let watcher: InboxWatcher
    let loop: RetryLoop
    let logger: Logger

    public init(engine: EngineHandle, watcher: InboxWatcher, intervalMs: UInt64 = 1_000, logger: Logger) {
        self.engine = engine; self.watcher = watcher; self.logger = logger
        loop = RetryLoop(intervalMs: intervalMs, what: "inbox watcher", logger: logger)
    }

    public func run() async throws {
        var w = watcher
        // Transactions a rollback dropped wait until the inbox is back where their blocks had it.
        var readmitted = ((try? readmit()) ?? nil) != nil
        await loop.run {
            let next = try engine.withEngine { $0.store.inboxCursor + UInt64($0.pendingInboxCount) }
            let messages = try await w.poll(next: next)
            for m in messages { try engine.enqueue(m) }
            if !readmitted, let r = try readmit() {
                readmitted = true
                logger.notice("rolled-back transactions", metadata: ["readmitted": "\(r.accepted.count)", "refused": "\(r.refused.count)"])
                for (hash, reason) in r.refused { logger.warning("rolled-back transaction dropped", metadata: ["hash": "\(hash)", "reason": "\(reason)"]) }
            }
            if !messages.isEmpty { logger.info("inbox", metadata: ["messages": "\(messages.count)", "next": "\(next + UInt64(messages.count))"]) }
            return .again
        }
    }

    private func readmit() throws -> ChainRollback.Readmission? {
        try engine.withEngine { try ChainRollback.readmit($0, nowMs: engine.clock(), waitForInbox: true) }
    }
}
