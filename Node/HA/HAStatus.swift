import API
import Cluster
import Core
import Logging

/// What `/health` and `/metrics` say of an HA node (`ClusterStatus`): its role, whether etcd
/// answered its newest request, the block log's head as a standby last read it, and how many
/// times leadership changed in this process (elected, lost). One per process, shared by the
/// standby and the leader phases; each change of leadership is logged here, with the node,
/// its fence (lease and revision) and its head.
public final class HAStatus: ClusterStatus {
    private struct State {
        var role = "standby"
        var etcdError: String?
        var logHead: UInt64?
        var changes = 0
        /// While leading: the fence won, and whether the lease's renewals reach etcd.
        var fence: Fence?
        var renewalError: (@Sendable () -> String?)?
    }
    private let state = LockedValue(State())
    public let nodeID: String
    let logger: Logger

    public init(nodeID: String, logger: Logger = Logger(label: "emeth.ha")) {
        self.nodeID = nodeID
        self.logger = logger
    }

    public var role: String { state.value.role }

    public var healthFields: [String: JSONValue] {
        let s = state.value
        return ["nodeId": .string(nodeID), "etcd": .string(Self.etcdError(s).map { "unreachable: \($0)" } ?? "ok"),
                "leadershipChanges": .int(s.changes)]
    }

    public var metrics: ClusterMetrics {
        let s = state.value
        return ClusterMetrics(etcdUp: Self.etcdError(s) == nil, logHead: s.logHead, leadershipChanges: s.changes)
    }

    private static func etcdError(_ s: State) -> String? { s.etcdError ?? s.renewalError?() }

    /// Elected: the node leads under `leadership` from block `head` on.
    public func elected(_ leadership: Leadership, head: UInt64) {
        become("leader", fence: leadership.fence, head: head, renewalError: { [weak leadership] in leadership?.renewalError })
    }

    /// Leadership lost (`reason`) at block `head`: the node stops (and exits).
    public func lost(_ reason: LossReason, head: UInt64?) {
        become("stopped", fence: nil, head: head, reason: "\(reason)")
    }

    /// The one place the role changes: counted when leadership is won or lost, and logged.
    /// `fence`: the one won (nil: the one held until now); `renewalError`: while leading,
    /// whether the lease's renewals reach etcd.
    func become(_ role: String, fence: Fence?, head: UInt64?, reason: String? = nil,
                renewalError: (@Sendable () -> String?)? = nil) {
        let logged: Fence? = state.withLock { s in
            if (s.role == "leader") != (role == "leader") { s.changes += 1 }
            let shown = fence ?? s.fence
            s.role = role
            s.fence = fence
            s.renewalError = renewalError
            if role == "leader" { s.logHead = nil; s.etcdError = nil }  // it just won an election in etcd
            return shown
        }
        var metadata: Logger.Metadata = ["node": "\(nodeID)", "role": "\(role)", "head": "\(head.map(String.init) ?? "unknown")",
                                         "lease": "\(logged.map { String($0.lease) } ?? "none")",
                                         "revision": "\(logged.map { String($0.revision) } ?? "none")"]
        if let reason { metadata["reason"] = "\(reason)" }
        if role == "leader" {
            logger.notice("leadership changed: this node leads", metadata: metadata)
        } else {
            logger.warning("leadership changed: this node no longer leads", metadata: metadata)
        }
    }

    /// A standby saw the leader key change (`leader` nil: nobody leads for now).
    func observed(_ leader: Leader?, head: UInt64?) {
        logger.notice("leadership changed: the cluster's leader", metadata: [
            "node": "\(nodeID)", "leader": "\(leader?.record.nodeID ?? "none")", "api": "\(leader?.record.apiURL ?? "none")",
            "lease": "\(leader.map { String($0.fence.lease) } ?? "none")",
            "revision": "\(leader.map { String($0.fence.revision) } ?? "none")", "head": "\(head.map(String.init) ?? "unknown")"])
    }

    /// The outcome of the newest etcd request (nil: it answered).
    func etcd(_ error: String?) { state.withLock { $0.etcdError = error } }

    /// The block log's head, as a standby's newest read found it.
    func logHead(_ head: UInt64?) { state.withLock { $0.logHead = head } }
}
