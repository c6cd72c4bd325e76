import Bridge
import Logging
import ServiceLifecycle

/// The one loop every long-running part of a node runs in (the inbox feed, the batch poster,
/// in `sequencer run` and `bridge run` alike): a round every `intervalMs` until the service
/// group shuts down, backing off (`Backoff.polling`) while rounds fail — an L1 endpoint that
/// is down is waited for, not hammered. A round is never interrupted: shutdown takes effect
/// between rounds, where every part leaves its store consistent; the wait between rounds is.
public struct RetryLoop: Sendable {
    public let intervalMs: UInt64
    /// What the loop drives, for its log lines ("inbox watcher", "batch poster").
    public let what: String
    public let logger: Logger

    public init(intervalMs: UInt64, what: String, logger: Logger) {
        self.intervalMs = intervalMs; self.what = what; self.logger = logger
    }

    /// What a round asks of the loop.
    public enum Next: Sendable {
        /// The next round after the interval.
        case again
        /// The next round at once (the round left work it can do now, e.g. a follower catching up).
        case now
        case stop
    }

    /// Runs `round` until shutdown, cancellation, or a round that answers `.stop`.
    public func run(_ round: () async throws -> Next) async {
        let backoff = Backoff.polling(intervalMs: intervalMs)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                switch try await round() {
                case .stop: return
                case .now:
                    failures = 0
                    continue
                case .again: failures = 0
                }
            } catch {
                failures += 1
                logger.warning("\(what)", metadata: ["error": "\(error)", "retry": "\(failures)"])
            }
            let wait = failures == 0 ? intervalMs : backoff.delayMs(afterFailures: failures)
            // The wait (up to 30 s while L1 is down) ends early at shutdown.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: wait * 1_000_000) }
        }
    }
}
