import Foundation

/// Counters the service keeps for `GET /metrics`. Written from request handlers on any
/// thread, hence the lock; reading takes a consistent snapshot.
public final class APIMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var received: UInt64 = 0
    private var accepted: UInt64 = 0
    private var rejected: [String: UInt64] = [:]
    private var sealed: UInt64 = 0
    private var lastSealSeconds: Double = 0
    private var lastSealTxs: Int = 0

    public init() {}

    public struct Snapshot: Sendable, Equatable {
        public var received: UInt64
        public var accepted: UInt64
        public var rejected: [String: UInt64]
        public var sealed: UInt64
        public var lastSealSeconds: Double
        public var lastSealTxs: Int
    }

    public func txReceived() { lock.withLock { received += 1 } }
    public func txAccepted() { lock.withLock { accepted += 1 } }
    /// `reason` is a short label (`bad_signature`, `nonce`, …; docs/API.md lists them).
    public func txRejected(_ reason: String) { lock.withLock { rejected[reason, default: 0] += 1 } }

    public func blockSealed(seconds: Double, txs: Int) {
        lock.withLock { sealed += 1; lastSealSeconds = seconds; lastSealTxs = txs }
    }

    public var snapshot: Snapshot {
        lock.withLock {
            Snapshot(received: received, accepted: accepted, rejected: rejected, sealed: sealed,
                     lastSealSeconds: lastSealSeconds, lastSealTxs: lastSealTxs)
        }
    }
}

/// Prometheus text exposition format 0.0.4, written by hand (a handful of gauges and
/// counters need no client library).
public struct PrometheusText {
    private(set) var text = ""

    public init() {}

    mutating func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for s in samples { text += name + (s.labels.isEmpty ? "" : "{\(s.labels)}") + " " + s.value + "\n" }
    }

    public mutating func counter(_ name: String, _ help: String, _ value: UInt64) { metric(name, "counter", help, [("", String(value))]) }
    public mutating func gauge(_ name: String, _ help: String, _ value: String) { metric(name, "gauge", help, [("", value)]) }

    public mutating func counter(_ name: String, _ help: String, label: String, _ values: [String: UInt64]) {
        metric(name, "counter", help, values.keys.sorted().map { ("\(label)=\"\($0)\"", String(values[$0]!)) })
    }
}
