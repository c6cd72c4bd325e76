import Core
import Foundation
import Sequencer
import Workloads

/// A real chain on a temporary RocksDB, sealed by `SequencerEngine` from the deterministic
/// `Workload` (8 users: deposits in block 1, then Withdraw / RegisterJob / CancelJob), with a
/// snapshot of every user's account and every job after each block — the independent
/// record of history the proofs are checked against.
final class ChainFixture: @unchecked Sendable {
    static let signerKey = try! PrivateKey(bytes: Keccak.hash256(Array("emeth-prover-test-signer".utf8)))
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")

    let dir: String
    let genesis: Genesis
    private(set) var store: ChainStore?
    let workload: Workload
    /// blocks[n] is block n (block 0 included).
    var blocks: [SealedBlock] = []
    /// accounts[n][a]: user a's account after block n (nil: absent).
    var accounts: [[Address: Account?]] = []
    /// jobs[n][id]: job id after block n (nil: not registered yet).
    var jobs: [[JobID: Job?]] = []
    var jobIds: [JobID] = []
    var totals: [Totals] = []

    /// Seals blocks 1…`blocks` (block 1 holds the deposits only).
    init(blocks count: UInt64 = 6, txsPerBlock: Int = 24, seed: UInt64 = 3) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-prover-\(UUID().uuidString)").path
        genesis = Genesis(chainId: 31337, rollup: Self.rollup, signer: Self.signerKey.address, timestamp: 1_000, roles: Roles())
        let store = try ChainStore(path: dir, genesis: genesis)
        self.store = store
        workload = Workload(seed: seed, users: 8, txsPerBlock: txsPerBlock)
        let engine = SequencerEngine(store: store, signerKey: Self.signerKey, policy: SealPolicy(maxTxs: txsPerBlock + 1))
        blocks.append(try store.block(0)!)
        try snapshot()
        for k in 1...count {
            try workload.run(engine, to: k) { blocks.append($0) }
            for tx in blocks[Int(k)].transactions {
                if case .registerJob(let r) = tx.call, !jobIds.contains(r.jobId) { jobIds.append(r.jobId) }
            }
            try snapshot()
        }
        precondition(blocks.count == Int(count) + 1, "the workload sealed \(blocks.count - 1) blocks, not \(count)")
    }

    private func snapshot() throws {
        let s = store!
        var a: [Address: Account?] = [:]
        for u in workload.users { a[u.address] = try s.account(u.address) }
        accounts.append(a)
        var j: [JobID: Job?] = [:]
        for id in jobIds { j[id] = try s.job(id) }
        jobs.append(j)
        totals.append(s.totals)
    }

    var chain: ChainStore { store! }
    var head: UInt64 { UInt64(blocks.count - 1) }
    var users: [Address] { workload.users.map(\.address) }

    /// Closes the store so another process (the CLI) can open the directory.
    func close() {
        store?.db.close()
        store = nil
    }

    /// The genesis as the file `emeth prove --genesis` reads.
    func writeGenesis() throws -> String {
        let path = dir + "-genesis.json"
        try Data(genesis.json.serialized.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    deinit {
        store?.db.close()
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: dir + "-genesis.json")
    }

    /// One chain shared by the read-only tests (building it signs ~120 transactions). A static
    /// is never deinitialised, so its directory is removed when the test process exits.
    static let shared: ChainFixture = {
        let f = try! ChainFixture()
        sharedDir = f.dir
        atexit {
            if let d = ChainFixture.sharedDir { try? FileManager.default.removeItem(atPath: d) }
        }
        return f
    }()

    nonisolated(unsafe) static var sharedDir: String?
}
