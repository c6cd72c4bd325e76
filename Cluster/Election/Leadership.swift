import Core
import Logging
import NIOCore
import NIOPosix

/// Why a node stopped leading.
public enum LossReason: Sendable, Equatable, CustomStringConvertible {
    /// `resign()` was called.
    case resigned
    /// etcd answered a renewal with "no such lease": it expired (we were frozen or cut off
    /// for longer than the TTL) or was revoked.
    case leaseExpired
    /// No renewal succeeded for (nearly) one TTL; the lease may expire any moment, so we stop
    /// before it can: a successor can only be elected after it does.
    case renewalFailed(String)
    /// The leader key is no longer the one we created (deleted by an operator, or replaced).
    case keyChanged

    public var description: String {
        switch self {
        case .resigned: return "resigned"
        case .leaseExpired: return "lease expired"
        case .renewalFailed(let why): return "lease not renewed within its TTL (\(why))"
        case .keyChanged: return "leader key deleted or replaced"
        }
    }
}

/// A won election, kept alive: renews the lease every TTL/3 and checks that the leader key is
/// still ours. It is a reference, not a value, because it owns that running loop; its
/// `fence` is the value writes carry.
///
/// Loss is decided locally and early: if no renewal has succeeded for TTL − TTL/8 since the
/// last successful renewal was *sent*, we count leadership as lost. etcd's expiry runs from
/// when it *received* that renewal (and a new etcd leader extends every lease), so we always
/// stop before etcd can let a successor in. That is for prompt stopping; what rules out a fork
/// is the fence: a write under it succeeds only while our key, and so no successor's, exists.
/// `FencedBlockLog.append(_:_:leadership:)` refuses at once after a local loss. Dropping the
/// last reference stops renewing (the lease then expires).
public final class Leadership: Sendable {
    public let record: LeaderRecord
    public let fence: Fence
    /// The granted TTL in seconds.
    public let ttl: Int64
    private let client: EtcdClient
    private let keys: ClusterKeys
    private let logger: Logger

    private struct State {
        var lost: LossReason?
        var waiters: [CheckedContinuation<LossReason, Never>] = []
        var expiry: ContinuousClock.Instant
        var tasks: [Task<Void, Never>] = []
        var watchdog: Scheduled<Void>?
        var lastError: String?
    }
    private let state: LockedValue<State>

    init(client: EtcdClient, keys: ClusterKeys, record: LeaderRecord, fence: Fence, ttl: Int64,
         renewedAt: ContinuousClock.Instant, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
        self.record = record
        self.fence = fence
        self.ttl = ttl
        state = LockedValue(State(expiry: renewedAt + Self.localTTL(ttl)))
        // The renewal loop holds the leadership weakly between steps, so dropping it stops.
        let renew = Task { [weak self] in
            let clock = ContinuousClock()
            var renewedAt = renewedAt
            while !Task.isCancelled {
                guard let next = await self?.renew(renewedAt: &renewedAt) else { return }
                try? await Task.sleep(until: next, clock: clock)
            }
        }
        state.withLock { $0.tasks = [renew] }
        armWatchdog()
    }

    deinit {
        let (tasks, watchdog) = state.withLock { s in (s.tasks, s.watchdog) }
        tasks.forEach { $0.cancel() }
        watchdog?.cancel()
    }

    static func localTTL(_ ttl: Int64) -> Duration {
        let full = Duration.seconds(ttl)
        return full - full / 8
    }

    /// nil while leading.
    public var lossReason: LossReason? { state.withLock { $0.lost } }
    public var isLeading: Bool { lossReason == nil }
    /// Why the newest renewal failed, nil once one succeeds again: etcd connectivity as the
    /// leader sees it between appends (`/metrics`).
    public var renewalError: String? { state.withLock { $0.lastError } }

    /// Returns once leadership is lost, with the reason.
    public func waitUntilLost() async -> LossReason {
        await withCheckedContinuation { continuation in
            let lost: LossReason? = state.withLock { s in
                if let lost = s.lost { return lost }
                s.waiters.append(continuation)
                return nil
            }
            if let lost { continuation.resume(returning: lost) }
        }
    }

    /// Stops leading now (callers stop sealing first), then revokes the lease, which deletes the
    /// leader key so a successor takes over at once instead of after the TTL.
    public func resign() async throws(EtcdError) {
        lose(.resigned)
        try await client.revokeLease(fence.lease)
    }

    private func lose(_ reason: LossReason) {
        let taken: (waiters: [CheckedContinuation<LossReason, Never>], tasks: [Task<Void, Never>], watchdog: Scheduled<Void>?)? =
            state.withLock { s in
                guard s.lost == nil else { return nil }
                s.lost = reason
                defer { s.waiters = []; s.tasks = []; s.watchdog = nil }
                return (s.waiters, s.tasks, s.watchdog)
            }
        guard let taken else { return }
        let metadata: Logger.Metadata = ["chain": "\(keys.chain)", "node": "\(record.nodeID)", "lease": "\(fence.lease)"]
        if reason == .resigned {
            logger.info("resigned leadership", metadata: metadata)
        } else {
            logger.warning("leadership lost: \(reason)", metadata: metadata)
        }
        taken.tasks.forEach { $0.cancel() }
        taken.watchdog?.cancel()
        taken.waiters.forEach { $0.resume(returning: reason) }
        if reason != .resigned {
            // Hand over sooner if etcd can still hear us: the key goes with the lease.
            let client = self.client, lease = fence.lease
            Task { try? await client.revokeLease(lease) }
        }
    }

    /// One renewal and check of the key; returns when to renew next (nil: lost, stop).
    private func renew(renewedAt: inout ContinuousClock.Instant) async -> ContinuousClock.Instant? {
        guard isLeading else { return nil }
        let clock = ContinuousClock()
        let interval = Duration.seconds(ttl) / 3
        let expiry = renewedAt + Self.localTTL(ttl)
        let sent = clock.now
        do {
            let left = try await client.keepAliveOnce(fence.lease, timeout: min(interval, max(.milliseconds(50), expiry - sent)))
            if left <= 0 { lose(.leaseExpired); return nil }
            renewedAt = sent
            state.withLock { s in
                s.expiry = sent + Self.localTTL(ttl)
                s.lastError = nil
            }
            let (kv, _) = try await client.get(keys.leader)
            if kv?.lease != fence.lease || kv?.modRevision != fence.revision { lose(.keyChanged); return nil }
            return sent + interval
        } catch {
            if error.isLeaseNotFound { lose(.leaseExpired); return nil }
            let first = state.withLock { s in
                defer { s.lastError = error.description }
                return s.lastError == nil
            }
            if first {
                logger.warning("lease renewal failed, retrying until the lease would expire: \(error)",
                               metadata: ["chain": "\(keys.chain)", "lease": "\(fence.lease)"])
            }
            return clock.now + .milliseconds(100)
        }
    }

    /// Declares leadership lost once the local expiry passes without a renewal, wherever the
    /// renewal is (a request to a frozen member can hang until its own timeout). The timer runs
    /// on an event loop thread, not in Swift's cooperative pool, so CPU-bound work filling the
    /// pool cannot postpone it: a node whose renewals are starved is deposed, never late.
    private func armWatchdog() {
        let expiry = state.withLock { $0.expiry }
        let delay = max(.zero, expiry - ContinuousClock.now)
        let next = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(HTTPExchange.nanoseconds(delay))) {
            [weak self] in
            self?.checkExpiry()
            return ()
        }
        let previous = state.withLock { s in
            defer { s.watchdog = next }
            return s.watchdog
        }
        previous?.cancel()
    }

    private func checkExpiry() {
        let (expiry, lastError, lost) = state.withLock { ($0.expiry, $0.lastError, $0.lost) }
        guard lost == nil else { return }
        if ContinuousClock.now >= expiry {
            lose(.renewalFailed(lastError ?? "no answer from etcd"))
        } else {
            armWatchdog()  // renewed since this timer was set
        }
    }
}
