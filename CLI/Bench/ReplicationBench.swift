import Cluster
import Core
import Dispatch
import Foundation
import Node
import Sequencer
import Workloads

/// What HA mode costs the sealing path: blocks sealed through `EngineHandle` (execute, roots,
/// sign, one synced RocksDB write) alone, against the same with the leader's `EtcdReplicator`
/// (one fenced etcd transaction, committed by a quorum, before the RocksDB write), interleaved
/// round by round on two fresh chains. Each block carries one L1 deposit: the smallest block
/// that is not empty, so the ratio is the worst case (the etcd write costs about the same for
/// any block up to its 80 KiB bound, while sealing costs more for bigger blocks). The etcd
/// cluster is real (`scripts/etcd-cluster up DIR`, then `--etcd "$ETCD_ENDPOINTS"`); the
/// benchmark writes under a chain name of its own and deletes its keys at the end.
enum ReplicationBench {
    static func run(etcd: String, blocks: Int, rounds: Int) throws -> (row: BenchRow, report: String) {
        let client = try EtcdClient(endpointList: etcd)
        let keys = try ClusterKeys(chain: "bench-\(UUID().uuidString.prefix(8))")
        let log = FencedBlockLog(client: client, keys: keys)
        let leadership = try blocking {
            try await Election(client: client, keys: keys, ttlSeconds: 10)
                .campaign(as: try LeaderRecord(nodeID: "bench", apiURL: "http://127.0.0.1:1"), timeout: .seconds(30))
        }
        defer {
            _ = try? blocking {
                try? await leadership.resign()
                _ = try await client.delete(keys.root, rangeEnd: prefixEnd(keys.root))
            }
        }
        let key = Stress.signerKey(seed: 1)
        let genesis = Stress.genesis(signer: key.address)
        var dirs: [String] = []
        defer { dirs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        func chain() throws -> EngineHandle {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-bench-\(UUID().uuidString)").path
            dirs.append(dir)
            let engine = SequencerEngine(store: try ChainStore(path: dir, genesis: genesis), signerKey: key, policy: SealPolicy())
            return EngineHandle(engine: engine)
        }
        let local = try chain(), replicated = try chain()
        replicated.replicate(through: EtcdReplicator(log: log, leadership: leadership))
        var inbox: [ObjectIdentifier: UInt64] = [:]
        func seal(_ handle: EngineHandle, _ count: Int) throws -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<count {
                let index = inbox[ObjectIdentifier(handle), default: 0]
                inbox[ObjectIdentifier(handle)] = index + 1
                try handle.enqueue(InboxMessage(index: index, kind: .deposit, account: key.address, amount: UInt256(1), l1Block: 1))
                handle.sealPending()
                if let why = handle.stoppedReason { throw CLIError("the benchmark's engine stopped: \(why)") }
            }
            return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        _ = try seal(local, 5); _ = try seal(replicated, 5)  // warm-up
        var alone: [Double] = [], withEtcd: [Double] = []
        for _ in 0..<rounds {
            alone.append(try seal(local, blocks))
            withEtcd.append(try seal(replicated, blocks))
        }
        let a = alone.sorted()[rounds / 2], e = withEtcd.sorted()[rounds / 2]
        let report = String(format: "fenced etcd append: %.2f ms per block (%.2f ms sealed alone, %.2f ms with the append; medians of %d rounds of %d blocks)",
                            1000 / e - 1000 / a, 1000 / a, 1000 / e, rounds, blocks)
        return (BenchRow(name: "seal + fenced etcd append", ours: e, raw: a, unit: "blk/s", rawName: "seal without etcd"), report)
    }

    /// Runs `body` on Swift's pool and waits for it on this (non-pool) thread.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = LockedValue<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try result.value!.get()
    }
}
