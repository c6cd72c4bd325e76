import ArgumentParser
import COpenSSL
import Core
import Foundation
import Sequencer

/// `emeth bench`: throughput of our primitives against the raw library limit, measured in
/// one run and reported as ratios (absolute numbers drift on shared 2-core machines;
/// ratios of interleaved measurements do not).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark primitives against their raw limits (run a release build).",
        subcommands: [LoadBench.self])

    @Option(help: "Measurement rounds per benchmark (the median is reported).")
    var rounds = 7

    @Option(help: "Which benchmarks to run: keccak, recover, ingest, block-read, follow, smt, replication (needs --etcd), or all.")
    var only = "all"

    @Option(help: "Replication benchmark: etcd client URLs, comma-separated (e.g. from scripts/etcd-cluster).")
    var etcd: String?

    @Flag(help: "Small sizes and one round: shows every benchmark runs, in seconds (figures not comparable).")
    var quick = false

    @Option(help: "State-tree benchmark: records in the tree (e.g. 1000000).")
    var records = 100_000

    @Option(help: "State-tree benchmark: changed keys per block.")
    var dirty = 1_000

    @Option(help: "State-tree benchmark: measured blocks.")
    var blocks = 20

    @Option(help: "State-tree benchmark: node cache bound, in nodes (default: the store's default).")
    var cacheNodes: Int?

    @Option(help: "State-tree benchmark: subtrees hashed at once (default: one per core; 1 = serial).")
    var treeWidth: Int?

    func run() throws {
        let rounds = quick ? 1 : self.rounds
        let ingest = quick ? (blocks: 3, txs: 200) : (blocks: 20, txs: 2_000)
        let reads = quick ? (blocks: 3, txs: 50) : (blocks: 30, txs: 400)
        let follow = quick ? (blocks: 3, txs: 50) : (blocks: 30, txs: 400)
        let tree = quick ? (keys: 5_000, blocks: 3, dirty: 100) : (keys: records, blocks: blocks, dirty: dirty)
        #if DEBUG
        print("warning: this is a debug build; figures are meaningless (use `swift build -c release`)")
        #endif
        var rows: [BenchRow] = []
        if only == "all" || only == "keccak" { rows.append(KeccakBench.run(rounds: rounds)) }
        if only == "all" || only == "recover" { rows.append(RecoverBench.run(rounds: rounds)) }
        if only == "all" || only == "ingest" { rows += try IngestBench.run(blocks: ingest.blocks, txsPerBlock: ingest.txs, rounds: min(rounds, 3)) }
        if only == "all" || only == "block-read" {
            rows += try BlockReadBench.run(blocks: reads.blocks, txsPerBlock: reads.txs, rounds: rounds)
        }
        if only == "all" || only == "follow" {
            rows.append(try FollowBench.run(rounds: min(rounds, 5), blocks: follow.blocks, txsPerBlock: follow.txs))
        }
        var notes: [String] = []
        if only == "replication" || (only == "all" && etcd != nil) {
            guard let etcd else { throw CLIError("the replication benchmark needs --etcd URLS (scripts/etcd-cluster up DIR prints them)") }
            let r = try ReplicationBench.run(etcd: etcd, blocks: quick ? 10 : 100, rounds: rounds)
            rows.append(r.row)
            notes.append(r.report)
        }
        BenchRow.printTable(rows)
        notes.forEach { print($0) }
        if only == "all" || only == "smt" {
            if let treeWidth { SparseMerkleTree.parallelWidth = max(1, treeWidth) }
            let r = try StateTreeBench.run(records: tree.keys, blocks: tree.blocks, dirty: tree.dirty,
                                           cacheNodes: cacheNodes ?? RocksDBNodeStore.defaultCacheNodes)
            print(r.report)
        }
    }
}

struct BenchRow {
    let name: String
    let ours: Double
    let raw: Double
    let unit: String
    let rawName: String

    static func printTable(_ rows: [BenchRow]) {
        guard !rows.isEmpty else { return }
        let raws = rows.map(\.rawName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        print("benchmark                         ours            raw limit       ratio  (raw = \(raws.joined(separator: "; ")))")
        for r in rows {
            let line = r.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: "%10.0f %@  %10.0f %@  %5.2f", r.ours, r.unit, r.raw, r.unit, r.ours / r.raw)
            print(line)
        }
    }
}

/// Runs `a` and `b` alternately for `rounds` rounds and returns their median rates (ops/s).
func interleaved(rounds: Int, ops: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    var ra: [Double] = [], rb: [Double] = []
    a(); b() // warm-up
    for _ in 0..<rounds {
        let t0 = DispatchTime.now().uptimeNanoseconds
        a()
        let t1 = DispatchTime.now().uptimeNanoseconds
        b()
        let t2 = DispatchTime.now().uptimeNanoseconds
        ra.append(Double(ops) / (Double(t1 - t0) / 1e9))
        rb.append(Double(ops) / (Double(t2 - t1) / 1e9))
    }
    return (ra.sorted()[rounds / 2], rb.sorted()[rounds / 2])
}

enum KeccakBench {
    /// Our Keccak-256 vs OpenSSL's SHA3-256 (same Keccak-f[1600] permutation, different
    /// padding) on 64-byte inputs: the size of a Merkle node.
    static func run(rounds: Int) -> BenchRow {
        let n = 200_000
        var input = Bytes(repeating: 0xab, count: 64)
        var sink: UInt8 = 0
        let md = EVP_sha3_256()
        let ctx = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(ctx) }
        var out = Bytes(repeating: 0, count: 32)
        let (ours, raw) = interleaved(rounds: rounds, ops: n, {
            for i in 0..<n {
                input[0] = UInt8(truncatingIfNeeded: i)
                sink ^= Keccak.hash256(input)[0]
            }
        }, {
            for i in 0..<n {
                input[0] = UInt8(truncatingIfNeeded: i)
                var len: UInt32 = 0
                EVP_DigestInit_ex(ctx, md, nil)
                EVP_DigestUpdate(ctx, input, 64)
                EVP_DigestFinal_ex(ctx, &out, &len)
                sink ^= out[0]
            }
        })
        if sink == 0x5a { print("") } // keep the work observable
        return BenchRow(name: "keccak256 64-byte inputs", ours: ours, raw: raw, unit: "h/s", rawName: "OpenSSL SHA3-256")
    }
}
