import ArgumentParser
import Core
import Foundation
import Sequencer
import Workloads

/// `emeth sequencer …`: operator commands (run, init, rollback) and the crash tests' load.
struct SequencerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sequencer", abstract: "Sequencer operator commands.", subcommands: [SequencerRun.self, SequencerInit.self, SequencerRollback.self, SequencerTransferLeadership.self, Stress.self])
}

/// Drives a data directory with a deterministic signed load, in the sealing pipeline's order
/// (block k+1 executed before block k is written), and prints `ACK <n> <hash>` after each block
/// is durable. The crash-safety tests stop it with `EMETH_FAULT=point:n` (see
/// `Faults`) before or after a block's synced write, mid-block or after an ACK, and check the store.
struct Stress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal blocks of a deterministic signed load into a data directory (testing, benchmarks).")

    @Option(help: "Data directory (RocksDB); resumed when it exists.")
    var data: String

    @Option(help: "Seal until this block number.")
    var blocks: UInt64 = 100

    @Option(help: "Transactions per block.")
    var txsPerBlock = 50

    @Option(help: "Workload seed (same seed, same chain).")
    var seed: UInt64 = 1

    static func genesis(signer: Address) -> Genesis {
        Genesis(chainId: 31337, rollup: try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3"), signer: signer,
                timestamp: 1_700_000_000, roles: Roles())
    }

    static func signerKey(seed: UInt64) -> PrivateKey { try! PrivateKey(bytes: Keccak.hash256(Array("emeth-signer-\(seed)".utf8))) }

    func run() throws {
        let key = Self.signerKey(seed: seed)
        let store = try reporting("cannot open \(data)") { try ChainStore(path: data, genesis: Self.genesis(signer: key.address)) }
        let faults = Faults.fromEnvironment   // EMETH_FAULT=point:n, for the crash tests
        store.faults = faults
        let engine = SequencerEngine(store: store, signerKey: key, policy: SealPolicy(maxTxs: txsPerBlock + 1))
        let workload = Workload(seed: seed, txsPerBlock: txsPerBlock)
        emit("HEAD \(store.head.number) \(store.head.header.hash)")
        try reporting("sealing failed") {
            try workload.run(engine, to: blocks, faults: faults) { b in emit("ACK \(b.number) \(b.hash)") }
        }
    }
}

/// One line to stdout, written at once: a test that kills this process reads every line
/// that was acknowledged before the kill.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
