import Cluster
import Testing

extension ClusterTests {
    @Suite struct ElectionBehaviour {
        /// A leader cut off from etcd (its only member frozen) stops leading by itself, before a
        /// second campaigner can win, and the second wins once the lease has expired.
        @Test func leaseExpiryHandsLeadershipToASecondCampaigner() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "expiry")
            let a = Election(client: try cluster.client([0]), keys: keys, ttlSeconds: 2)
            let b = Election(client: try cluster.client([1, 2]), keys: keys, ttlSeconds: 2)
            let ra = try record("node-a", port: 8001), rb = try record("node-b", port: 8002)

            let la = try await a.campaign(as: ra, timeout: .seconds(30))
            #expect(la.ttl == 2)
            #expect(try await b.tryCampaign(as: rb) == nil)
            let seen = try await b.leader()
            #expect(seen == Leader(record: ra, fence: la.fence))

            try cluster.kill(0, signal: "STOP")
            let lb = try await b.campaign(as: rb, timeout: .seconds(60))
            #expect(la.lossReason != nil, "the cut-off leader stops leading before a successor can win")
            guard case .renewalFailed = await la.waitUntilLost() else {
                Issue.record("lost for \(String(describing: la.lossReason)), expected a failed renewal")
                return
            }
            #expect(lb.isLeading)
            #expect(lb.fence.revision > la.fence.revision)
            #expect(try await b.leader() == Leader(record: rb, fence: lb.fence))
            // The old fence is dead for good, even though node A never heard so.
            let log = FencedBlockLog(client: try cluster.client([1, 2]), keys: keys)
            await #expect(throws: BlockLogError.fenced) { try await log.append(1, bytes("from a"), fence: la.fence) }
            // B's own fence appends. (Freezing member 0 may have cost etcd its raft leader; B's
            // renewals can fail during etcd's re-election and depose B too — that is the fence
            // working, so B campaigns again and appends under its new fence.)
            var fence = lb.fence
            for _ in 0..<3 {
                do { try await log.append(1, bytes("from b"), fence: fence); break } catch BlockLogError.fenced {
                    fence = try await b.campaign(as: rb, timeout: .seconds(60)).fence
                }
            }
            #expect(try await log.read(from: 1).blocks == [LoggedBlock(number: 1, bytes: bytes("from b"))])
            try cluster.start(0)
        }

        /// Two nodes campaigning for the same chain over and over: at no moment do both lead,
        /// and the blocks each appends while leading form one gapless log.
        @Test func twoConcurrentCampaignersNeverBothLead() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "contest")
            let referee = Referee()
            let terms = 3, blocksPerTerm = 3
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (id, members) in [("node-a", [0, 1, 2]), ("node-b", [2, 1, 0])] {
                    let client = try cluster.client(members)
                    group.addTask {
                        let election = Election(client: client, keys: keys, ttlSeconds: stableTTL)
                        let log = FencedBlockLog(client: client, keys: keys)
                        for term in 0..<terms {
                            let leadership = try await election.campaign(as: try record(id), timeout: .seconds(60))
                            await referee.enter(id)
                            for k in 0..<blocksPerTerm {
                                let next = (try await log.bounds().head ?? 0) + 1
                                try await log.append(next, bytes("\(id) term \(term) block \(k)"), fence: leadership.fence)
                            }
                            await referee.exit(id)
                            try await leadership.resign()
                            #expect(leadership.lossReason == .resigned)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await referee.overlaps == [])
            let termsSeen = await referee.terms
            #expect(termsSeen.count == 2 * terms)
            let log = FencedBlockLog(client: try cluster.client(), keys: keys)
            let read = try await log.read(from: 1, limit: 100)
            #expect(read.blocks.map(\.number) == Array(1...UInt64(2 * terms * blocksPerTerm)))
            // Each term's blocks are consecutive and carry that term's leader.
            for (t, id) in termsSeen.enumerated() {
                let slice = read.blocks[(t * blocksPerTerm)..<((t + 1) * blocksPerTerm)]
                #expect(slice.allSatisfy { String(decoding: $0.bytes, as: UTF8.self).hasPrefix(id + " ") })
            }
        }

        /// A leader whose lease is gone (here revoked, as an expiry would) learns it, and its
        /// appends fail with `.fenced` before and after a successor is elected.
        @Test func aDeposedLeadersAppendIsFenced() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "deposed")
            let client = try cluster.client()
            let election = Election(client: client, keys: keys, ttlSeconds: stableTTL)
            let log = FencedBlockLog(client: client, keys: keys)
            let la = try await election.campaign(as: try record("node-a"), timeout: .seconds(30))
            try await log.append(1, bytes("a1"), fence: la.fence)
            try await log.append(2, bytes("a2"), fence: la.fence)

            try await client.revokeLease(la.fence.lease)
            await #expect(throws: BlockLogError.fenced) { try await log.append(3, bytes("a3"), fence: la.fence) }
            let reason = await la.waitUntilLost()
            #expect(reason == .leaseExpired || reason == .keyChanged)
            await #expect(throws: BlockLogError.fenced) { try await log.append(3, bytes("a3"), leadership: la) }

            let lb = try await election.campaign(as: try record("node-b"), timeout: .seconds(30))
            try await log.append(3, bytes("b3"), fence: lb.fence)
            await #expect(throws: BlockLogError.fenced) { try await log.append(4, bytes("a4"), fence: la.fence) }
            await #expect(throws: BlockLogError.fenced) { try await log.append(3, bytes("a3"), fence: la.fence) }
            let read = try await log.read(from: 1)
            #expect(read.blocks == [LoggedBlock(number: 1, bytes: bytes("a1")), LoggedBlock(number: 2, bytes: bytes("a2")),
                                    LoggedBlock(number: 3, bytes: bytes("b3"))])
            #expect(read.bounds == FencedBlockLog.Bounds(head: 3, floor: 1))
        }

        /// Resigning deletes the key at once, so a second campaigner need not wait out the TTL,
        /// and observers see each change.
        @Test func resignHandsOverAndObserversSeeEveryLeader() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "observe")
            let election = Election(client: try cluster.client(), keys: keys, ttlSeconds: stableTTL)
            let seen = Seen()
            let observer = Task {
                for await leader in election.observe() { await seen.add(leader?.record.nodeID ?? "none") }
            }
            defer { observer.cancel() }
            try await waitUntil("the observer to report no leader") { await seen.names == ["none"] }
            let la = try await election.campaign(as: try record("node-a"), timeout: .seconds(30))
            let waiting = Task { try await election.campaign(as: try record("node-b"), timeout: .seconds(30)) }
            try await la.resign()
            #expect(try await election.leader()?.record.nodeID != "node-a", "resigning deletes the key at once")
            let lb = try await waiting.value
            #expect(try await election.leader()?.record == (try record("node-b")))
            try await lb.resign()
            #expect(try await election.leader() == nil)
            try await waitUntil("the observer to see the last change") { await seen.names.count >= 5 }
            #expect(await seen.names == ["none", "node-a", "none", "node-b", "none"])
        }

        /// `vacancy(within:)`, what a standby waits on before it checks its readiness again:
        /// true at once when nobody leads, false while a leader holds the key, true once the
        /// key goes; it never takes the key itself.
        @Test func vacancyReportsTheLeaderKeyGoingWithoutCampaigning() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "vacancy")
            let election = Election(client: try cluster.client(), keys: keys, ttlSeconds: stableTTL)
            #expect(await election.vacancy(within: .seconds(5)))
            #expect(try await election.leader() == nil)
            let la = try await election.campaign(as: try record("node-a"), timeout: .seconds(30))
            #expect(await election.vacancy(within: .milliseconds(300)) == false)
            #expect(try await election.leader() == Leader(record: try record("node-a"), fence: la.fence))
            let waiting = Task { await election.vacancy(within: .seconds(30)) }
            try await la.resign()
            #expect(await waiting.value)
            #expect(try await election.leader() == nil)
        }

        @Test func badRecordsAreRefused() throws {
            #expect(throws: ElectionError.invalidRecord("node id must be 1 to 128 characters, got \"\"")) {
                try LeaderRecord(nodeID: "", apiURL: "http://127.0.0.1:1")
            }
            #expect(throws: ElectionError.invalidRecord("API URL \"127.0.0.1:8547\" is not an http(s) URL")) {
                try LeaderRecord(nodeID: "a", apiURL: "127.0.0.1:8547")
            }
            #expect(throws: EtcdError.invalidArgument("chain name \"a/b\" must be 1 to 64 letters, digits, '-', '_' or '.'")) {
                try ClusterKeys(chain: "a/b")
            }
        }
    }
}

/// Tracks who leads, from the leaders' own point of view, and records any overlap.
actor Referee {
    private var holder: String?
    private(set) var overlaps: [String] = []
    private(set) var terms: [String] = []

    func enter(_ id: String) {
        if let holder { overlaps.append("\(id) leads while \(holder) does") }
        holder = id
        terms.append(id)
    }

    func exit(_ id: String) {
        if holder == id { holder = nil }
    }
}

actor Seen {
    private(set) var names: [String] = []
    func add(_ name: String) { names.append(name) }
}
