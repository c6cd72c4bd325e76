import ArgumentParser
import Bridge
import Core
import Foundation
import Node
import Prover
import Sequencer

/// `emeth audit export`: writes the batch archive a replay can run from offline — from L1
/// (events + calldata: what anyone can verify) or from a sequencer's own chain store.
struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every live batch (and the L1 inbox) into an archive directory; re-running resumes.")

    @Option(name: .customLong("from-l1"), help: "L1 JSON-RPC endpoint to read the rollup's events and calldata from.")
    var fromL1: String?

    @Option(help: "deployment.json of the rollup (with --from-l1).")
    var deployment: String?

    @Option(name: .customLong("from-db"), help: "A sequencer's chain data directory (stop the sequencer first: RocksDB allows one opener).")
    var fromDB: String?

    @Option(help: "Genesis file of the chain (with --from-db).")
    var genesis: String?

    @Option(name: .customLong("bridge-data"), help: "The bridge's data directory: use its posted batch ranges (with --from-db).")
    var bridgeData: String?

    @Option(name: .customLong("blocks-per-batch"), help: "Blocks per batch where no bridge record says otherwise (with --from-db).")
    var blocksPerBatch: UInt64 = 100

    @Option(help: "The archive directory to write.")
    var out: String

    func validate() throws {
        guard (fromL1 == nil) != (fromDB == nil) else { throw ValidationError("give exactly one of --from-l1 URL or --from-db DIR") }
        if fromL1 != nil && deployment == nil { throw ValidationError("--from-l1 needs --deployment FILE") }
        if fromDB != nil && genesis == nil { throw ValidationError("--from-db needs --genesis FILE") }
    }

    func run() async throws {
        try await AuditExit.guarding {
            let archive = try BatchArchive(directory: out)
            let exporter = ArchiveExporter(archive: archive, logger: NodeLogging.lines("emeth.audit", to: .stderr, timestamps: true))
            let s: ArchiveExporter.Summary
            if let fromL1 {
                let d = try Deployment.load(deployment!)
                let eth = EthClient(url: try auditURL(fromL1, flag: "--from-l1"))
                _ = try await eth.requireChainId(d.chainId)
                s = try await exporter.exportFromL1(L1History(rollup: RollupContract(address: d.rollup, eth: eth), fromBlock: d.block), deployment: d)
            } else {
                let g = try loadGenesis(genesis!)
                let dir = fromDB!
                guard FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("CURRENT")) else {
                    throw CLIError("\(dir) is not a chain data directory (no RocksDB CURRENT file)")
                }
                let chain = try ChainStore(path: dir, genesis: g)
                defer { chain.db.close() }
                var records: [BatchRecord] = []
                if let bridgeData {
                    let store = try BridgeStore(path: bridgeData)
                    defer { store.db.close() }
                    records = try store.db.entries("batches").map { try BatchRecord(encoded: $0.value) }
                }
                s = try exporter.exportFromStore(chain, records: records, blocksPerBatch: blocksPerBatch)
            }
            print("archive \(out): \(s.written.count) batches written, \(s.skipped.count) already present, \(s.inboxMessages) inbox messages")
        }
    }
}

/// An http(s) URL from a flag, or a CLI error naming the flag.
func auditURL(_ text: String, flag: String) throws -> URL {
    guard let u = URL(string: text), u.scheme == "http" || u.scheme == "https" else { throw CLIError("invalid \(flag) URL: \(text)") }
    return u
}
