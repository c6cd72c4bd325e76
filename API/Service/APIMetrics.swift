import Core

/// Counters the service keeps for `GET /metrics`. Written from request handlers and the
/// sealing thread at once, hence the lock box; reading takes a consistent snapshot.
public final class APIMetrics: Sendable {
    private let counters = LockedValue(Snapshot())

    public init() {}

    public struct Snapshot: Sendable, Equatable {
        public var received: UInt64 = 0
        public var accepted: UInt64 = 0
        public var rejected: [String: UInt64] = [:]
        public var sealed: UInt64 = 0
        public var lastSealSeconds: Double = 0
        public var lastSealTxs: Int = 0
    }

    public func txReceived() { counters.withLock { $0.received += 1 } }
    public func txAccepted() { counters.withLock { $0.accepted += 1 } }
    /// `reason` is a short label (`bad_signature`, `nonce`, …; docs/API.md lists them).
    public func txRejected(_ reason: String) { counters.withLock { $0.rejected[reason, default: 0] += 1 } }

    public func blockSealed(seconds: Double, txs: Int) {
        counters.withLock { $0.sealed += 1; $0.lastSealSeconds = seconds; $0.lastSealTxs = txs }
    }

    public var snapshot: Snapshot { counters.value }
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

    /// One gauge per label value (e.g. a role: 1 for the current one, 0 for the others).
    public mutating func gauge(_ name: String, _ help: String, label: String, _ values: [String: String]) {
        metric(name, "gauge", help, values.keys.sorted().map { ("\(label)=\"\($0)\"", values[$0]!) })
    }

    public mutating func counter(_ name: String, _ help: String, label: String, _ values: [String: UInt64]) {
        metric(name, "counter", help, values.keys.sorted().map { ("\(label)=\"\($0)\"", String(values[$0]!)) })
    }
}
