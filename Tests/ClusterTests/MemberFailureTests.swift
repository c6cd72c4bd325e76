import Cluster
import Testing

extension ClusterTests {
    @Suite struct MemberFailure {
        /// Killing etcd's own raft leader, one of three members, leaves a quorum: the cluster
        /// keeps electing, appending and reading. Appends interrupted by the raft election are
        /// retried (an append whose answer was lost settles by reading), and the log ends
        /// gapless, without a duplicate.
        @Test func killingOneOfThreeMembersKeepsTheClusterServing() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "members")
            let client = try cluster.client()
            let election = Election(client: client, keys: keys)
            let log = FencedBlockLog(client: client, keys: keys)
            var leadership = try await election.campaign(as: try record("node-a"), timeout: .seconds(30))
            for n in UInt64(1)...5 { try await log.append(n, bytes("block \(n)"), fence: leadership.fence) }

            let victim = try cluster.raftLeader()
            try cluster.kill(victim)
            var retries = 0
            for n in UInt64(6)...15 {
                while true {
                    do {
                        try await log.append(n, bytes("block \(n)"), leadership: leadership)
                        break
                    } catch BlockLogError.fenced {
                        // Renewals failed for most of a TTL during etcd's own election: campaign again.
                        leadership = try await election.campaign(as: try record("node-a"), timeout: .seconds(60))
                    } catch BlockLogError.etcd {
                        retries += 1
                        #expect(retries < 200, "the two surviving members should serve again")
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            let read = try await log.read(from: 1)
            #expect(read.blocks == (1...15).map { LoggedBlock(number: $0, bytes: bytes("block \($0)")) })
            #expect(try await election.leader()?.record == (try record("node-a")))
            // Every surviving member serves the same log on its own.
            for m in cluster.members.indices where m != victim {
                let alone = FencedBlockLog(client: try cluster.client([m]), keys: keys)
                #expect(try await alone.bounds() == FencedBlockLog.Bounds(head: 15, floor: 1))
            }
            // The killed member comes back and catches up.
            try cluster.start(victim)
            let back = FencedBlockLog(client: try cluster.client([victim]), keys: keys)
            try await waitUntil("the restarted member to serve the whole log") { (try? await back.bounds().head) == 15 }
        }
    }
}
