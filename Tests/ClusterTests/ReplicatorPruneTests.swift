@testable import Bridge
import Cluster
import Core
import Dispatch
import Logging
@testable import Node
import Testing

extension ClusterTests {
    /// The leader's replicator prunes the etcd block log below what L1 made final (but for the
    /// newest `recent` blocks), and in any case to its newest `retained` blocks, against a real
    /// etcd cluster.
    @Suite struct ReplicatorPrune {
        /// Appends blocks `range` through `replicator` on a thread of its own (it blocks, as on the
        /// sealing thread).
        static func replicate(_ replicator: EtcdReplicator, _ range: ClosedRange<UInt64>) async throws {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                DispatchQueue.global().async {
                    c.resume(with: Result { for n in range { try replicator.replicate(number: n, bytes: bytes("block \(n)")) } })
                }
            }
        }

        /// Polls until the log's floor is `floor` (pruning runs in the background).
        static func waitFloor(_ log: FencedBlockLog, _ floor: UInt64) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while clock.now < deadline {
                if try await log.bounds().floor == floor { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("the floor is \(try await log.bounds().floor), not \(floor)")
        }

        @Test func theTargetIsWhicheverOfFinalityAndTheHardBoundRemovesMore() {
            func floor(_ head: UInt64, _ final: UInt64?) -> UInt64? { PruneTarget.floor(head: head, finalBlock: final, retained: 8, recent: 2) }
            #expect(floor(5, nil) == nil)
            #expect(floor(10, nil) == 3)  // keeps 3…10
            #expect(floor(10, 1) == 3)
            #expect(floor(10, 3) == 4)
            #expect(floor(10, 12) == 9)  // final beyond the head: the newest `recent` stay
            #expect(floor(10, 10) == 9)
            #expect(floor(5, 0) == nil)
            let defaults = (retained: FencedBlockLog.retainedBlocks, recent: PruneTarget.recentBlocks)
            #expect(PruneTarget.floor(head: 20_000, finalBlock: nil, retained: defaults.retained, recent: defaults.recent) == 10_001)
            #expect(PruneTarget.floor(head: 20_000, finalBlock: 19_990, retained: defaults.retained, recent: defaults.recent) == 19_001)
            #expect(PruneTarget.floor(head: 20_000, finalBlock: 15_000, retained: defaults.retained, recent: defaults.recent) == 15_001)
        }

        /// The poster's records: a final batch over each of `ranges`, then one committed but not
        /// yet final over `committed`, which must not count.
        static func batches(_ ranges: [ClosedRange<UInt64>], committed: ClosedRange<UInt64>) -> [BatchRecord] {
            func record(_ i: Int, _ blocks: ClosedRange<UInt64>, _ status: BatchRecord.Status) -> BatchRecord {
                var r = BatchRecord(index: UInt64(i), firstBlock: blocks.lowerBound, lastBlock: blocks.upperBound, txId: "batch/\(i)/0",
                                    calldata: [], dataBytes: 0, decidedAtMs: 0)
                r.status = status
                r.l1TxHash = Keccak.hash256([UInt8(i)])
                return r
            }
            return ranges.enumerated().map { record($0.offset, $0.element, .final) } + [record(ranges.count, committed, .committed)]
        }

        @Test func prunesBelowFinalityAndToTheHardBound() async throws {
            let f = try await BlockLog.Fixture(chain: "replicator-prune")
            let poster = PosterStatus()
            let replicator = EtcdReplicator(log: f.log, leadership: f.leadership, retained: 8, recent: 2, pruneEvery: 5,
                                            finalBlock: PruneTarget.finality(poster), logger: Logger(label: "test.replicator"))
            // Nothing final and fewer than 8 blocks: nothing goes.
            try await Self.replicate(replicator, 1...5)
            #expect(try await f.log.bounds() == FencedBlockLog.Bounds(head: 5, floor: 1))
            // Blocks 1…3 final (4…6 only committed): at block 10, blocks 1…3 go (the hard bound
            // alone would keep 3…10).
            poster.update(Self.batches([1...3], committed: 4...6), from: 0, backlogBytes: 0, report: false)
            try await Self.replicate(replicator, 6...10)
            try await Self.waitFloor(f.log, 4)
            // Finality stalls at 3: the hard bound takes over — the newest 8 at block 20.
            try await Self.replicate(replicator, 11...20)
            try await Self.waitFloor(f.log, 13)
            // Finality moves past the hard bound: everything through block 21 goes at block 25.
            poster.update(Self.batches([1...3, 4...21], committed: 22...24), from: 0, backlogBytes: 0, report: false)
            try await Self.replicate(replicator, 21...25)
            try await Self.waitFloor(f.log, 22)
            #expect(try await f.log.read(from: 22).blocks.map(\.number) == [22, 23, 24, 25])
            await #expect(throws: BlockLogError.pruned(requested: 21, floor: 22)) { try await f.log.read(from: 21) }
            // Everything final: the newest 2 (`recent`) stay for a standby that was away.
            poster.update(Self.batches([1...3, 4...21, 22...30], committed: 31...31), from: 0, backlogBytes: 0, report: false)
            try await Self.replicate(replicator, 26...30)
            try await Self.waitFloor(f.log, 29)
            let left = try await f.client.range(f.keys.blocksPrefix, rangeEnd: prefixEnd(f.keys.blocksPrefix))
            #expect(left.kvs.map(\.key) == (29...30).map { f.keys.block($0) })
        }
    }
}
