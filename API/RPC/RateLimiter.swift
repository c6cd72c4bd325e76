import Core
import Foundation

/// Per-client token buckets for `emeth_sendTransaction`. Admission is cheap but not free
/// (signature recovery, a dry run on the pending state), and L2 transactions cost nothing, so
/// one client may not take more than its share: each client (the remote IP address) gets
/// `burst` transactions at once and `perSecond` more each second. Buckets that are full again
/// are forgotten, so memory follows the clients active in the last few seconds.
public final class RateLimiter: Sendable {
    public let perSecond: Double
    public let burst: Double
    private struct Buckets {
        var byClient: [String: (tokens: Double, at: Double)] = [:]
        var lastSweep = 0.0
    }
    private let state = LockedValue(Buckets())
    private let clock: @Sendable () -> Double

    public init(perSecond: Double, burst: Int, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.perSecond = perSecond; self.burst = Double(max(1, burst)); self.clock = clock
    }

    /// Takes one token for `client`; nil when allowed, else the seconds until one is free.
    public func take(_ client: String) -> Double? {
        let now = clock()
        let (perSecond, burst) = (perSecond, burst)
        return state.withLock { s in
            if now - s.lastSweep > 10 {
                // Forget the buckets that are full again.
                s.lastSweep = now
                s.byClient = s.byClient.filter { _, b in b.tokens + (now - b.at) * perSecond < burst }
            }
            var b = s.byClient[client] ?? (burst, now)
            b.tokens = min(burst, b.tokens + (now - b.at) * perSecond)
            b.at = now
            guard b.tokens >= 1 else {
                s.byClient[client] = b
                return (1 - b.tokens) / perSecond
            }
            b.tokens -= 1
            s.byClient[client] = b
            return nil
        }
    }

    /// Clients tracked now (for /metrics and tests).
    public var clients: Int { state.withLock { $0.byClient.count } }
}
