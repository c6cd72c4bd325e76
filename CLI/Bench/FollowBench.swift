import Core
import Dispatch
import Foundation
import Node
import Sequencer
import Workloads

/// A follower against its leader on the same load: the leader seals the stress workload as
/// `sequencer run` does (`IngestBench.ingest`: admission on all cores, pipelined with
/// execution, signing and one synced write per block); a follower then verifies and stores
/// the very same blocks as `follower run` does (`FollowerChain.apply`: decode, recover every
/// signature on all cores, check the Signer's, re-execute, compare every root and ticket, one
/// synced write per block), in ranges as `emeth_getBlockRange` hands them out. Each round uses
/// fresh stores; the medians of both rates are reported. The follower must at least keep up.
enum FollowBench {
    static func run(rounds: Int, blocks: Int = 30, txsPerBlock: Int = 400) throws -> BenchRow {
        var leaderRates: [Double] = [], followerRates: [Double] = []
        var sealed = 0
        for _ in 0..<max(1, rounds) {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-follow-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let key = Stress.signerKey(seed: 1)
            let genesis = Stress.genesis(signer: key.address)
            let leader = try ChainStore(path: dir + "/leader", genesis: genesis)
            let engine = SequencerEngine(store: leader, signerKey: key)
            let wire = try IngestBench.load(engine, blocks: blocks, txsPerBlock: txsPerBlock)
            let handle = EngineHandle(engine: engine)
            let t0 = DispatchTime.now().uptimeNanoseconds
            sealed = try IngestBench.ingest(handle, wire: wire, txsPerRound: txsPerBlock)
            leaderRates.append(Double(sealed) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))

            let served = try (1...leader.head.number).map { try leader.storedBlock($0)! }
            let chain = FollowerChain(store: try ChainStore(path: dir + "/follower", genesis: genesis),
                                      leader: URL(string: "http://127.0.0.1:1")!)
            defer { chain.close() }
            try expectApplied(chain.apply([served[0]]), 1)   // block 1 (the deposits) is not timed, as for the leader
            let t1 = DispatchTime.now().uptimeNanoseconds
            for range in ranges(Array(served.dropFirst())) { try expectApplied(chain.apply(range), range.count) }
            followerRates.append(Double(served.count - 1) / (Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9))
            precondition(chain.store.head == leader.head, "the follower ended at another head than the leader")
            leader.db.close()
        }
        return BenchRow(name: "follower apply (\(txsPerBlock) tx/block)", ours: median(followerRates), raw: median(leaderRates),
                        unit: "blk/s", rawName: "the leader sealing the same \(sealed) blocks")
    }

    /// Blocks in the ranges `emeth_getBlockRange` hands out: at most 100 blocks and 2 MiB.
    static func ranges(_ blocks: [Bytes], maxBlocks: Int = 100, maxBytes: Int = 2 << 20) -> [[Bytes]] {
        var out: [[Bytes]] = [], current: [Bytes] = [], bytes = 0
        for b in blocks {
            if !current.isEmpty, current.count == maxBlocks || bytes + b.count > maxBytes {
                out.append(current)
                current = []
                bytes = 0
            }
            current.append(b)
            bytes += b.count
        }
        return current.isEmpty ? out : out + [current]
    }

    static func expectApplied(_ a: FollowerChain.Applied, _ n: Int) throws {
        if let r = a.refusal { throw CLIError("the follower refused a block of the leader's: \(r)") }
        guard a.count == n else { throw CLIError("the follower applied \(a.count) blocks of \(n)") }
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
}
