/// How long to wait after consecutive failures of a call to L1: `first` after the first
/// failure, doubling with each further one up to `cap`. An endpoint that is down is waited
/// for, not hammered. One policy for every retry in the codebase: the JSON-RPC client's
/// transport retries and the node's service loops (`RetryLoop` in Node).
public struct Backoff: Sendable, Equatable {
    /// The wait after the first failure (milliseconds).
    public var firstMs: UInt64
    /// The longest wait (milliseconds).
    public var capMs: UInt64
    /// At most this many doublings (so the wait stops growing even below `capMs`).
    public var maxDoublings: Int

    public init(firstMs: UInt64, capMs: UInt64, maxDoublings: Int = 16) {
        self.firstMs = firstMs; self.capMs = capMs; self.maxDoublings = maxDoublings
    }

    /// A loop that runs every `intervalMs`: twice the interval after the first failure, up to
    /// 32 intervals (five doublings) and never more than 30 s.
    public static func polling(intervalMs: UInt64) -> Backoff {
        Backoff(firstMs: intervalMs * 2, capMs: 30_000, maxDoublings: 4)
    }

    /// The wait after `failures` consecutive failures (at least 1).
    public func delayMs(afterFailures failures: Int) -> UInt64 {
        let doublings = min(max(failures, 1) - 1, maxDoublings, 62)
        let (wait, overflow) = firstMs.multipliedReportingOverflow(by: 1 << UInt64(doublings))
        return overflow ? capMs : min(capMs, wait)
    }
}
