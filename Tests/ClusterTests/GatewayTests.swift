import Cluster
import Testing

extension ClusterTests {
    /// The JSON gateway client against real etcd: every request shape the election and the
    /// block log use, with the exact values etcd answers.
    @Suite struct Gateway {
        @Test func keysValuesAndRangesRoundTripEveryByte() async throws {
            let cluster = try LocalEtcdCluster()
            let client = try cluster.client()
            let all = (0...255).map { UInt8($0) }
            let put = try await client.put("/t/a", all)
            try await client.put("/t/b", [])
            try await client.put("/t/c", bytes("c"))
            try await client.put("/u", bytes("outside"))

            let (a, header) = try await client.get("/t/a")
            #expect(a?.value == all)
            #expect(a?.createRevision == put.revision)
            #expect(a?.version == 1)
            #expect(header.revision == put.revision + 3)
            let (missing, _) = try await client.get("/t/zz")
            #expect(missing == nil)

            let range = try await client.range("/t/", rangeEnd: prefixEnd("/t/"))
            #expect(range.kvs.map(\.key) == ["/t/a", "/t/b", "/t/c"])
            #expect(range.kvs[1].value == [])
            #expect(range.more == false)
            let limited = try await client.range("/t/", rangeEnd: prefixEnd("/t/"), limit: 2)
            #expect(limited.kvs.map(\.key) == ["/t/a", "/t/b"])
            #expect(limited.more == true)

            #expect(try await client.delete("/t/", rangeEnd: prefixEnd("/t/")) == 3)
            #expect(try await client.range("/t/", rangeEnd: prefixEnd("/t/")).kvs.isEmpty)
        }

        @Test func transactionsCompareAndChooseABranch() async throws {
            let cluster = try LocalEtcdCluster()
            let client = try cluster.client()
            let created = try await client.txn([Compare("/k", .create(0))], success: [.put("/k", bytes("one"))],
                                               failure: [.get("/k")])
            #expect(created.succeeded)
            #expect(created.responses == [.put])
            let again = try await client.txn([Compare("/k", .create(0))], success: [.put("/k", bytes("two"))],
                                             failure: [.get("/k")])
            #expect(!again.succeeded)
            #expect(again.responses.first?.single?.value == bytes("one"))
            #expect(again.responses.first?.single?.modRevision == created.header.revision)
            // VALUE compares are bytewise; on a missing key they fail (etcd's rule).
            let byValue = try await client.txn([Compare("/k", .value(bytes("one")))], success: [.put("/k", bytes("three"))])
            #expect(byValue.succeeded)
            let onMissing = try await client.txn([Compare("/nope", .value([]))], success: [.put("/nope", bytes("x"))])
            #expect(!onMissing.succeeded)
            #expect(try await client.get("/nope").0 == nil)
            let greater = try await client.txn([Compare("/k", .version(1), .greater)], success: [.get("/k")])
            #expect(greater.succeeded)
            #expect(greater.responses.first?.single?.value == bytes("three"))
            #expect(greater.responses.first?.single?.version == 2)
        }

        @Test func leasesExpireTheirKeysAndRevokeDeletesAtOnce() async throws {
            let cluster = try LocalEtcdCluster()
            let client = try cluster.client()
            let lease = try await client.grantLease(ttl: 2)
            #expect(lease.ttl == 2)
            try await client.put("/leased", bytes("v"), lease: lease.id)
            #expect(try await client.get("/leased").0?.lease == lease.id)
            #expect(try await client.keepAliveOnce(lease.id) == 2)
            try await waitUntil("the unrenewed lease to delete its key") { try await client.get("/leased").0 == nil }
            #expect(try await client.keepAliveOnce(lease.id) == 0)
            #expect(try await client.leaseTimeToLive(lease.id) == -1)

            let second = try await client.grantLease(ttl: 30)
            try await client.put("/leased", bytes("w"), lease: second.id)
            try await client.revokeLease(second.id)
            #expect(try await client.get("/leased").0 == nil)
            try await client.revokeLease(second.id)  // revoking twice is not an error
            await #expect(throws: EtcdError.server(code: 5, message: "etcdserver: requested lease not found")) {
                try await client.put("/leased", bytes("x"), lease: second.id)
            }
        }

        @Test func watchStreamsPutsAndDeletesInRevisionOrder() async throws {
            let cluster = try LocalEtcdCluster()
            let client = try cluster.client()
            let start = try await client.put("/w/0", bytes("before"))
            let collector = Task {
                var seen: [String] = []
                for try await response in client.watch("/w/", rangeEnd: prefixEnd("/w/"), startRevision: start.revision + 1) {
                    for e in response.events { seen.append("\(e.kind == .put ? "put" : "delete") \(e.kv.key) \(String(decoding: e.kv.value, as: UTF8.self))") }
                    if seen.count == 4 { return seen }
                }
                return seen
            }
            try await client.put("/w/1", bytes("a"))
            try await client.put("/x", bytes("outside the range"))
            try await client.put("/w/2", bytes("b"))
            try await client.put("/w/1", bytes("c"))
            try await client.delete("/w/2")
            #expect(try await collector.value == ["put /w/1 a", "put /w/2 b", "put /w/1 c", "delete /w/2 "])
        }

        @Test func badEndpointsAndDeadMembersAreNamed() async throws {
            #expect(throws: EtcdError.invalidArgument("endpoint \"127.0.0.1:2379\" is not of the form http://host:port")) {
                try EtcdClient(endpoints: ["127.0.0.1:2379"])
            }
            #expect(throws: EtcdError.invalidArgument("no etcd endpoint given")) { try EtcdClient(endpointList: ",") }
            let cluster = try LocalEtcdCluster(members: 1)
            let url = cluster.members[0]
            try cluster.kill(0)
            let client = try EtcdClient(endpoints: [url])
            await #expect {
                try await client.get("/k")
            } throws: { error in
                guard case .unreachable(let m) = error as? EtcdError else { return false }
                return m.contains(url.replacingOccurrences(of: "http://", with: ""))
            }
        }
    }
}
