import Core
import Dispatch
import Foundation
import Sequencer
import Workloads

/// Reading sealed blocks back from the store (`ChainStore.block`, what `emeth_getBlockByNumber`,
/// proofs, the poster and rollback do), against the raw limit: RocksDB gets of the same stored
/// bytes without decoding them. The chain is the stress workload's (Withdraw, RegisterJob,
/// CancelJob) in blocks of `txsPerBlock`, which must fit one batch's byte budget.
enum BlockReadBench {
    static func run(blocks: Int = 30, txsPerBlock: Int = 400, rounds: Int) throws -> [BenchRow] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-blockread-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = Stress.signerKey(seed: 1)
        let store = try ChainStore(path: dir, genesis: Stress.genesis(signer: key.address))
        let engine = SequencerEngine(store: store, signerKey: key)
        let workload = Workload(seed: 1, users: 64, txsPerBlock: txsPerBlock)
        try workload.run(engine, to: UInt64(blocks + 1)) { _ in }
        let numbers = Array(2...UInt64(blocks + 1))
        var txs = 0
        for n in numbers { txs += try store.block(n)?.transactions.count ?? 0 }
        precondition(txs == blocks * txsPerBlock, "the chain holds \(txs) transactions, not \(blocks * txsPerBlock)")

        var sink = 0
        let (ours, raw) = interleaved(rounds: rounds, ops: txs, {
            for n in numbers { sink &+= try! store.block(n)!.transactions.count }
        }, {
            for n in numbers { sink &+= try! store.storedBlockSize(n)! }
        })
        if sink == 42 { print("") }
        return [BenchRow(name: "block read (\(txsPerBlock) tx/block)", ours: ours, raw: raw, unit: "tx/s",
                         rawName: "RocksDB get of the stored block")]
    }
}
