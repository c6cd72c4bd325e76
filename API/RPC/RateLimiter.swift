import Foundation

/// Per-client token buckets for `emeth_sendTransaction`. Admission is cheap but not free
/// (signature recovery, a dry run on the pending state), and L2 transactions cost nothing, so
/// one client may not take more than its share: each client (the remote IP address) gets
/// `burst` transactions at once and `perSecond` more each second. Buckets that are full again
/// are forgotten, so memory follows the clients active in the last few seconds.
public final class RateLimiter: @unchecked Sendable {
    public let perSecond: Double
    public let burst: Double
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    private var lastSweep = 0.0
    private let clock: @Sendable () -> Double

    public init(perSecond: Double, burst: Int, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.perSecond = perSecond; self.burst = Double(max(1, burst)); self.clock = clock
    }

    /// Takes one token for `client`; nil when allowed, else the seconds until one is free.
    public func take(_ client: String) -> Double? {
        let now = clock()
        return lock.withLock {
            if now - lastSweep > 10 { sweep(now) }
            var b = buckets[client] ?? (burst, now)
            b.tokens = min(burst, b.tokens + (now - b.at) * perSecond)
            b.at = now
            guard b.tokens >= 1 else {
                buckets[client] = b
                return (1 - b.tokens) / perSecond
            }
            b.tokens -= 1
            buckets[client] = b
            return nil
        }
    }

    /// Clients tracked now (for /metrics and tests).
    public var clients: Int { lock.withLock { buckets.count } }

    private func sweep(_ now: Double) {
        lastSweep = now
        buckets = buckets.filter { _, b in b.tokens + (now - b.at) * perSecond < burst }
    }
}
