import Core
import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// The follower's loop: asks its `BlockSource` for the blocks after its head, verifies and
/// stores them (`FollowerChain.apply`), and at once asks again while the source has more (a
/// follower back from downtime catches up at full speed), else after the poll interval. An
/// unreachable source is retried with backoff; a refused block is asked for again every
/// interval, in case the source changes its mind (a leader replaced, a fixed relay) — it is
/// never stored. Verification and the synced writes run on a thread of their own, off Swift's
/// cooperative pool, which the API's request handlers need.
struct FollowerService: Service {
    let chain: FollowerChain
    let source: any BlockSource
    let loop: RetryLoop
    let logger: Logger
    private let applier = DispatchQueue(label: "emeth-follower-apply")

    init(chain: FollowerChain, source: any BlockSource, intervalMs: UInt64, logger: Logger) {
        self.chain = chain; self.source = source; self.logger = logger
        loop = RetryLoop(intervalMs: intervalMs, what: "follower", logger: logger)
    }

    func run() async throws {
        logger.info("following", metadata: ["source": "\(source.name)", "head": "\(chain.head.number)"])
        var behind = false
        var warnedBehind = false
        var failure: Error?
        await loop.run {
            let from = chain.head.number + 1
            let served: ServedBlocks
            do { served = try await source.blocks(from: from) } catch {
                chain.noteLeader(head: nil, error: "\(error)")
                throw error
            }
            chain.noteLeader(head: served.head, error: nil)
            if served.head < from - 1, !warnedBehind {
                // A leader rolled back after a challenge, or another node of another history:
                // its next blocks will not link to ours, and will be refused when they come.
                logger.warning("the source's head is behind this follower's", metadata: [
                    "sourceHead": "\(served.head)", "head": "\(from - 1)", "source": "\(source.name)"])
            }
            warnedBehind = served.head < from - 1
            guard !served.blocks.isEmpty else { return .again }
            let applied: FollowerChain.Applied
            do { applied = try await onApplier { try chain.apply(served.blocks) } } catch {
                failure = error
                logger.critical("follower stopped: the store failed", metadata: ["error": "\(error)"])
                return .stop
            }
            let head = chain.head.number
            if applied.count > 0 {
                logger.debug("applied", metadata: ["blocks": "\(applied.count)", "head": "\(head)", "leaderHead": "\(served.head)"])
            }
            guard applied.refusal == nil else { return .again }
            if served.head > head {
                if !behind { logger.info("catching up", metadata: ["head": "\(head)", "leaderHead": "\(served.head)"]) }
                behind = true
                return .now
            }
            if behind { logger.info("caught up", metadata: ["head": "\(head)"]) }
            behind = false
            return .again
        }
        // A failed store stops the follower for good; /health says why until shutdown.
        if failure != nil { try? await gracefulShutdown() }
    }

    /// Runs `body` on the applying thread and waits for it.
    private func onApplier<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in applier.async { c.resume(with: Result { try body() }) } }
    }
}
