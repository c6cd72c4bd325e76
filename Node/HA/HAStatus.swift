import API
import Core

/// What `/health` says of an HA node (`ClusterStatus`): its role, whether etcd answered its
/// last request, and how many times leadership changed in this process (elected, lost). One
/// per process, shared by the standby and the leader phases.
final class HAStatus: ClusterStatus {
    private struct State {
        var role = "standby"
        var etcdError: String?
        var changes = 0
    }
    private let state = LockedValue(State())
    let nodeID: String

    init(nodeID: String) { self.nodeID = nodeID }

    var role: String { state.value.role }

    var healthFields: [String: JSONValue] {
        let s = state.value
        return ["nodeId": .string(nodeID), "etcd": .string(s.etcdError.map { "unreachable: \($0)" } ?? "ok"),
                "leadershipChanges": .int(s.changes)]
    }

    /// A change of role ("leader", "standby", "stopped"): counted when leadership is won or lost.
    func become(_ role: String) {
        state.withLock { s in
            if (s.role == "leader") != (role == "leader") { s.changes += 1 }
            s.role = role
        }
    }

    /// The outcome of the last etcd request (nil: it answered).
    func etcd(_ error: String?) { state.withLock { $0.etcdError = error } }
}
