import ArgumentParser
import Core
import Foundation
import Prover
import Sequencer
import Workloads

/// `emeth audit bench-replay` (hidden): replay throughput from an archive against the raw
/// libsecp256k1 recover rate on all cores, measured in the same run. Recovery is the floor
/// of a replay's cost (one per transaction); the ratio says how much the rest (decoding,
/// execution, the state tree, RocksDB) adds on top.
struct AuditBenchReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-replay", abstract: "Measure replay tx/s from an archive against raw signature recovery.", shouldDisplay: false)

    @Option(help: "An archive written by `emeth audit export`.")
    var archive: String

    @Option(help: "Genesis file of the chain (default: DIR/genesis.json, as --generate writes it).")
    var genesis: String?

    @Option(help: "First build a chain of this many blocks from the deterministic workload and export it into --archive.")
    var generate: UInt64?

    @Option(name: .customLong("txs-per-block"), help: "Transactions per generated block.")
    var txsPerBlock = 500

    @Option(help: "Rounds of the recover measurement (median).")
    var rounds = 5

    @Option(name: .customLong("snapshot-at"), help: "Also snapshot the state after this batch and time a replay that resumes from it.")
    var snapshotAt: UInt64?

    func run() async throws {
        try await AuditExit.guarding {
            #if DEBUG
            print("warning: this is a debug build; figures are meaningless (use `swift build -c release`)")
            #endif
            if let generate { try Self.generate(blocks: generate, txsPerBlock: txsPerBlock, into: archive) }
            let g = try loadGenesis(genesis ?? (archive as NSString).appendingPathComponent("genesis.json"))
            let a = try BatchArchive(directory: archive, create: false)
            let t0 = Date()
            let report = try await Audit.replay(ArchiveSource(a), genesis: g)
            let seconds = Date().timeIntervalSince(t0)
            guard report.ok else { throw CLIError("the archive does not replay cleanly: \(report.divergence!)") }
            let replayRate = Double(report.transactions) / seconds
            let recover = RecoverBench.run(rounds: rounds)
            let cores = Double(min(2, ProcessInfo.processInfo.activeProcessorCount))
            let raw = recover.raw * cores
            print(String(format: "replay: %llu txs in %llu blocks, %.2f s: %.0f tx/s", report.transactions, report.blocks, seconds, replayRate))
            print(String(format: "raw libsecp256k1 recover: %.0f op/s per core × %.0f cores = %.0f op/s", recover.raw, cores, raw))
            print(String(format: "replay / raw recover: %.2f", replayRate / raw))
            if let snapshotAt { try await SnapshotBench.run(ArchiveSource(a), genesis: g, at: snapshotAt, fullSeconds: seconds, full: report) }
        }
    }

    /// A chain sealed from `Workload` (8 users, Withdraw / RegisterJob / CancelJob) on a
    /// temporary store, exported in batches the contract would accept, plus its genesis.
    static func generate(blocks: UInt64, txsPerBlock: Int, into dir: String) throws {
        let signer = try PrivateKey(bytes: Keccak.hash256(Array("emeth-bench-replay-signer".utf8)))
        let g = Genesis(chainId: 31337, rollup: try Address("0x5FbDB2315678afecb367f032d93F642f64180aa3"), signer: signer.address,
                        timestamp: 1_000, roles: Roles())
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-bench-chain-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let store = try ChainStore(path: tmp, genesis: g)
        defer { store.db.close() }
        let engine = SequencerEngine(store: store, signerKey: signer, policy: SealPolicy(maxTxs: txsPerBlock + 1))
        try Workload(seed: 1, users: 8, txsPerBlock: txsPerBlock).run(engine, to: blocks) { _ in }
        let archive = try BatchArchive(directory: dir)
        // At most 8 blocks per batch: the exporter halves an oversized range until it fits, and
        // each try compresses the whole range, so 1,000 (one try per halving of up to 1,000
        // full blocks, for every batch) made a 2,000-block export take hours.
        _ = try ArchiveExporter(archive: archive).exportFromStore(store, blocksPerBatch: 8)
        try Data((g.json.serialized + "\n").utf8).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("genesis.json")))
        print("generated \(blocks) blocks of \(txsPerBlock) transactions into \(dir) (\(try archive.indices().count) batches)")
    }
}
