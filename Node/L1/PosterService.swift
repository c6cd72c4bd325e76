import Bridge
import Core
import Logging
import Sequencer
import ServiceLifecycle

/// Runs the batch poster, one round per interval, in `sequencer run` (beside the API) and in
/// `bridge run` (alone); stops between rounds on shutdown (every round leaves the bridge store
/// consistent). Its `PosterStatus` is what the API learns of batches.
public struct PosterService: Service {
    let poster: BatchPoster
    let status: PosterStatus
    let loop: RetryLoop
    let exitWhenIdle: Bool
    let logger: Logger

    /// Why a poster that was asked to stop once idle stopped without getting there.
    public enum Stuck: Error, CustomStringConvertible {
        /// L1 dropped a batch this poster saw committed (a challenge): it posts nothing more.
        case halted(challengedAtBatch: UInt64)
        /// A sealed block no batch can carry.
        case unpostable(String)

        public var description: String {
            switch self {
            case .halted(let n):
                return "the poster is halted: L1 no longer holds batch \(n); `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`"
            case .unpostable(let reason): return "the poster stopped: \(reason)"
            }
        }
    }

    /// With `exitWhenIdle` the service ends once every sealed block is in a committed batch and
    /// nothing is in flight (tests, a one-off catch-up), and throws `Stuck` if it cannot get there.
    public init(poster: BatchPoster, status: PosterStatus, intervalMs: UInt64 = 1_000, exitWhenIdle: Bool = false, logger: Logger) {
        self.poster = poster; self.status = status; self.exitWhenIdle = exitWhenIdle; self.logger = logger
        loop = RetryLoop(intervalMs: intervalMs, what: "batch poster", logger: logger)
    }

    public func run() async throws {
        var loaded = false
        var stuck: Stuck?
        // A halt persisted by an earlier run shows in /health at once, even while L1 is unreachable.
        if let n = try? await poster.challengedAt() {
            status.setChallenged(n)
            logHalt(n)
        }
        await loop.run {
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
                if exitWhenIdle { stuck = .unpostable(reason) } else { try? await gracefulShutdown() }
                return .stop
            }
            if let n = p.challengedAt, status.challengedAtBatch != n { logHalt(n) }
            status.setChallenged(p.challengedAt)
            for i in p.committed { logger.info("batch committed", metadata: ["batch": "\(i)"]) }
            for i in p.finalized { logger.info("batch final", metadata: ["batch": "\(i)"]) }
            let from = min(before, try await poster.firstOpen())
            status.update(try await poster.records(from: from), from: from, backlogBytes: p.backlogBytes, report: loaded)
            loaded = true
            guard exitWhenIdle else { return .again }
            if let n = p.challengedAt {
                stuck = .halted(challengedAtBatch: n)
                return .stop
            }
            guard p.backlogBlocks == 0, p.inFlight == 0 else { return .again }
            return try await poster.txm.open().isEmpty ? .stop : .again
        }
        if let stuck { throw stuck }
        let (batch, block, _) = try await poster.cursor()
        logger.info("batch poster stopped", metadata: ["nextBatch": "\(batch)", "nextBlock": "\(block)"])
    }

    private func logHalt(_ n: UInt64) {
        logger.critical("batch poster halted: L1 no longer holds a committed batch", metadata: [
            "challengedAtBatch": "\(n)",
            "action": "stop the sequencer, then `emeth sequencer rollback --to-batch \(n)` or `emeth bridge resume`"])
    }
}
