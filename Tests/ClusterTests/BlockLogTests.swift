import Cluster
import Testing

extension ClusterTests {
    @Suite struct BlockLog {
        /// One cluster, one leader and its log, for the tests that need nothing else.
        struct Fixture {
            let cluster: LocalEtcdCluster
            let client: EtcdClient
            let keys: ClusterKeys
            let log: FencedBlockLog
            let leadership: Leadership

            init(chain: String = "blocks") async throws {
                cluster = try LocalEtcdCluster()
                client = try cluster.client()
                keys = try ClusterKeys(chain: chain)
                log = FencedBlockLog(client: client, keys: keys)
                leadership = try await Election(client: client, keys: keys, ttlSeconds: stableTTL).campaign(as: try record("node-a"), timeout: .seconds(30))
            }
        }

        static func block(_ n: UInt64) -> [UInt8] { bytes("block \(n)") }

        @Test func appendsAreContiguousAndEachNumberIsWrittenOnce() async throws {
            let f = try await Fixture()
            let fence = f.leadership.fence
            #expect(try await f.log.bounds() == FencedBlockLog.Bounds(head: nil, floor: 0))
            for n in UInt64(1)...3 { try await f.log.append(n, Self.block(n), fence: fence) }
            await #expect(throws: BlockLogError.conflict(number: 5, head: 3)) { try await f.log.append(5, Self.block(5), fence: fence) }
            await #expect(throws: BlockLogError.conflict(number: 3, head: 3)) { try await f.log.append(3, bytes("another 3"), fence: fence) }
            await #expect(throws: BlockLogError.conflict(number: 2, head: 3)) { try await f.log.append(2, bytes("another 2"), fence: fence) }
            // Repeating an append that landed (as after a lost answer) is not a conflict.
            try await f.log.append(3, Self.block(3), fence: fence)
            await #expect(throws: BlockLogError.invalidArgument("block numbers start at 1, got 0")) {
                try await f.log.append(0, [], fence: fence)
            }
            let read = try await f.log.read(from: 1)
            #expect(read.blocks == (1...3).map { LoggedBlock(number: $0, bytes: Self.block($0)) })
            #expect(read.bounds == FencedBlockLog.Bounds(head: 3, floor: 1))
            #expect(try await f.log.read(from: 2, limit: 1).blocks == [LoggedBlock(number: 2, bytes: Self.block(2))])
            #expect(try await f.log.read(from: 4).blocks == [])
            // The raw keys: exactly the three blocks, zero-padded, and the head.
            let raw = try await f.client.range(f.keys.root, rangeEnd: prefixEnd(f.keys.root))
            #expect(raw.kvs.map(\.key) == ["/emeth/blocks/blocks/00000000000000000001", "/emeth/blocks/blocks/00000000000000000002",
                                           "/emeth/blocks/blocks/00000000000000000003", "/emeth/blocks/floor",
                                           "/emeth/blocks/head", "/emeth/blocks/leader"])
            #expect(try await f.client.get(f.keys.head).0?.value == bytes("00000000000000000003"))
        }

        @Test func theFirstBlockFixesWhereTheLogStarts() async throws {
            let f = try await Fixture()
            try await f.log.append(1000, Self.block(1000), fence: f.leadership.fence)
            await #expect(throws: BlockLogError.conflict(number: 1000, head: 1000)) {
                try await f.log.append(1000, bytes("again"), fence: f.leadership.fence)
            }
            try await f.log.append(1001, Self.block(1001), fence: f.leadership.fence)
            #expect(try await f.log.bounds() == FencedBlockLog.Bounds(head: 1001, floor: 1000))
            await #expect(throws: BlockLogError.pruned(requested: 999, floor: 1000)) { try await f.log.read(from: 999) }
        }

        /// The size bound: an entry of exactly `maxEntryBytes` (80 KiB) is accepted by etcd's
        /// default request limit; one byte more is refused before anything is sent.
        @Test func entriesUpToTheBoundFitAndLargerOnesAreRefused() async throws {
            let f = try await Fixture()
            let limit = FencedBlockLog.defaultMaxEntryBytes
            #expect(limit == 81_920)
            let big = (0..<limit).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await f.log.append(1, big, fence: f.leadership.fence)
            await #expect(throws: BlockLogError.tooLarge(bytes: limit + 1, limit: limit)) {
                try await f.log.append(2, big + [0], fence: f.leadership.fence)
            }
            #expect(try await f.log.read(from: 1).blocks == [LoggedBlock(number: 1, bytes: big)])
            #expect(try await f.log.bounds().head == 1)
        }

        @Test func pruneRemovesExactlyTheKeysBelowN() async throws {
            let f = try await Fixture(chain: "prune")
            for n in UInt64(1)...10 { try await f.log.append(n, Self.block(n), fence: f.leadership.fence) }
            #expect(try await f.log.prune(below: 6) == 6)  // the new floor
            let left = try await f.client.range(f.keys.blocksPrefix, rangeEnd: prefixEnd(f.keys.blocksPrefix))
            #expect(left.kvs.map(\.key) == (6...10).map { f.keys.block($0) })
            #expect(left.kvs.map(\.value) == (6...10).map { Self.block($0) })
            #expect(try await f.log.bounds() == FencedBlockLog.Bounds(head: 10, floor: 6))
            await #expect(throws: BlockLogError.pruned(requested: 5, floor: 6)) { try await f.log.read(from: 5) }
            #expect(try await f.log.read(from: 6).blocks.map(\.number) == [6, 7, 8, 9, 10])
            // A standby that needs a pruned block is told so (it must catch up from L1).
            do {
                var blocks = f.log.watch(from: 3).makeAsyncIterator()
                let first = try await blocks.next()
                Issue.record("a watch from a pruned block delivered \(String(describing: first))")
            } catch {
                #expect(error as? BlockLogError == .pruned(requested: 3, floor: 6))
            }
            var fromFloor = f.log.watch(from: 6).makeAsyncIterator()
            #expect(try await fromFloor.next() == LoggedBlock(number: 6, bytes: Self.block(6)))
            #expect(try await f.log.prune(below: 4) == 6)  // the floor only rises
            await #expect(throws: BlockLogError.invalidArgument("cannot prune below 12: the log's head is 10")) {
                try await f.log.prune(below: 12)
            }
            // Pruning keeps the head: the log goes on right after it.
            #expect(try await f.log.prune(below: 11) == 11)
            try await f.log.append(11, Self.block(11), fence: f.leadership.fence)
            #expect(try await f.log.read(from: 11).blocks == [LoggedBlock(number: 11, bytes: Self.block(11))])
        }

        /// A prune whose answer is lost after etcd applied it (the member it went to dies before
        /// answering) is settled by reading from another member: the call returns the floor it
        /// set, the same as a prune that was answered, and nothing is deleted twice.
        @Test func aPruneWhoseAnswerIsLostReturnsTheSameFloor() async throws {
            let f = try await Fixture(chain: "prune-retry")
            for n in UInt64(1)...10 { try await f.log.append(n, Self.block(n), fence: f.leadership.fence) }
            let proxy = try AnswerDroppingProxy(upstream: f.cluster.members[0], dropMarker: "request_delete_range")
            let client = try EtcdClient(endpoints: [proxy.url, f.cluster.members[1]])
            let log = FencedBlockLog(client: client, keys: f.keys)
            #expect(try await log.prune(below: 6) == 6)
            #expect(proxy.droppedCount == 1)
            let left = try await f.client.range(f.keys.blocksPrefix, rangeEnd: prefixEnd(f.keys.blocksPrefix))
            #expect(left.kvs.map(\.key) == (6...10).map { f.keys.block($0) })
            #expect(try await f.log.bounds() == FencedBlockLog.Bounds(head: 10, floor: 6))
            // Sent again, as a caller that did not trust the first answer would: the same floor.
            #expect(try await log.prune(below: 6) == 6)
        }

        /// A standby's watch: every block in order, exactly once, across the loss of the member it
        /// was streaming from (it reconnects to another and reads what it missed). The member
        /// lost is one of etcd's followers, so the writer's leadership is not at stake here
        /// (MemberFailure kills etcd's raft leader).
        @Test func watchDeliversEveryBlockInOrderAcrossAReconnect() async throws {
            let cluster = try LocalEtcdCluster()
            let keys = try ClusterKeys(chain: "watch")
            let raftLeader = try cluster.raftLeader()
            let victim = (raftLeader + 1) % 3, other = (raftLeader + 2) % 3
            let writer = try cluster.client([raftLeader, other])
            let log = FencedBlockLog(client: writer, keys: keys)
            let leadership = try await Election(client: writer, keys: keys, ttlSeconds: stableTTL).campaign(as: try record("node-a"), timeout: .seconds(30))
            for n in UInt64(1)...5 { try await log.append(n, Self.block(n), fence: leadership.fence) }

            // The standby streams from the victim first.
            let standby = FencedBlockLog(client: try cluster.client([victim, raftLeader, other]), keys: keys)
            let got = Seen()
            let watcher = Task {
                for try await block in standby.watch(from: 2, idleTimeout: .seconds(2)) {
                    await got.add("\(block.number) \(String(decoding: block.bytes, as: UTF8.self))")
                }
            }
            defer { watcher.cancel() }
            for n in UInt64(6)...10 { try await log.append(n, Self.block(n), fence: leadership.fence) }
            try await waitUntil("blocks 2...10 at the standby") { await got.names.count >= 9 }
            try cluster.kill(victim)
            for n in UInt64(11)...20 { try await log.append(n, Self.block(n), fence: leadership.fence) }
            try await waitUntil("blocks 11...20 at the standby", timeout: .seconds(60)) { await got.names.count >= 19 }
            #expect(await got.names == (2...20).map { "\($0) block \($0)" })
            #expect(leadership.isLeading)
        }
    }
}
