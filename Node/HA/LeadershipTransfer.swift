import Cluster
import Core
import Foundation
import Sequencer

/// `emeth sequencer transfer-leadership`: moves leadership off the current leader for
/// maintenance. It revokes the leader's lease in etcd, which deletes the leader key: the leader
/// finds its lease gone at its next renewal (within a third of the TTL), stops sealing — an
/// append it was making is refused by the fence, so nothing it acknowledged is lost — and exits
/// (restarted, it rejoins as a standby); a standby that is caught up wins the campaign at once.
/// Returns the old and the new leader once another node leads.
public enum LeadershipTransfer {
    public struct Outcome: Sendable {
        public let from: String
        public let to: String
    }

    public static func run(etcd: String, genesis path: String, timeout: Duration = .seconds(30)) async throws -> Outcome {
        let genesis = try Genesis.load(path: path)
        let client: EtcdClient
        do { client = try EtcdClient(endpointList: etcd) } catch { throw NodeError("etcd \"\(etcd)\": \(error)") }
        let election = Election(client: client, keys: try ClusterKeys(chain: "\(genesis.chainId)"))
        guard let old = try await election.leader() else { throw NodeError("no node leads chain \(genesis.chainId): nothing to transfer") }
        do { try await client.revokeLease(old.fence.lease) } catch { throw NodeError("revoking the leader's lease: \(error)") }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let now = try? await election.leader(), now.fence != old.fence {
                return Outcome(from: old.record.description, to: now.record.description)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NodeError("\(old.record) resigned but no standby took over within \(timeout): is a standby running and caught up (/health role \"standby\")?")
    }
}
