import Cluster
import Testing

/// Every test here starts its own etcd cluster (three members on free loopback ports, through
/// scripts/etcd-cluster). They run one at a time: leases and elections depend on timely
/// renewals, which a machine busy with three other clusters would starve.
@Suite(.serialized, .enabled(if: LocalEtcdCluster.runnable, LocalEtcdCluster.skipReason))
struct ClusterTests {}

/// The lease TTL of tests that are not about expiry: long enough that a machine busy with
/// other suites never starves a renewal into a spurious loss of leadership.
let stableTTL: Int64 = 10

func record(_ id: String, port: Int = 8547) throws -> LeaderRecord {
    try LeaderRecord(nodeID: id, apiURL: "http://127.0.0.1:\(port)")
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
