import Core

/// A sequencer node's place in an HA cluster (etcd election), for `/health` and `/metrics`:
/// its role ("leader", "standby" or "stopped"), whether etcd answers, how far its store is
/// behind the etcd block log, and how often leadership changed here. Nil on a single node; the
/// node implements it (`Node/HA/HAStatus`). Answers from memory: request handlers call it.
public protocol ClusterStatus: Sendable {
    var role: String { get }
    /// The fields `/health` adds beside `role` (docs/API.md): `etcd`, `leadershipChanges`, `nodeId`.
    var healthFields: [String: JSONValue] { get }
    /// What `/metrics` reports of the cluster (docs/API.md, "Metrics").
    var metrics: ClusterMetrics { get }
}

/// The cluster's numbers for `/metrics`.
public struct ClusterMetrics: Sendable, Equatable {
    /// Whether etcd answered this node's newest request (a standby's read of the log, a
    /// leader's append or lease renewal).
    public var etcdUp: Bool
    /// The etcd block log's head as this node last read it (a standby), nil before its first
    /// read; on the leader nil too (its own head is the log's).
    public var logHead: UInt64?
    /// Times this process won or lost leadership.
    public var leadershipChanges: Int

    public init(etcdUp: Bool, logHead: UInt64?, leadershipChanges: Int) {
        self.etcdUp = etcdUp
        self.logHead = logHead
        self.leadershipChanges = leadershipChanges
    }
}
