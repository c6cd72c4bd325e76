import Core

/// A sequencer node's place in an HA cluster (etcd election), for `/health`: its role
/// ("leader" or "standby"), whether etcd answers, and how often leadership changed here.
/// Nil on a single node; the node implements it (`Node/HA/HAStatus`).
public protocol ClusterStatus: Sendable {
    var role: String { get }
    /// The fields `/health` adds beside `role` (docs/API.md): `etcd`, `leadershipChanges`, `nodeId`.
    var healthFields: [String: JSONValue] { get }
}
