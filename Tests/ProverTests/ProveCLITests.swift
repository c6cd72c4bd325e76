import Core
import Foundation
import Prover
import Sequencer
import Testing

/// `emeth prove …` end to end: the built binary on stores made by the tests, exact exit codes.
@Suite(.serialized) struct ProveCLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct Timeout: Error, CustomStringConvertible { let description: String }

    static var emeth: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emeth")
    }

    /// Runs emeth with output in files (a full pipe cannot block it) and polls for the exit:
    /// `waitUntilExit` hangs inside Swift Testing.
    static func emeth(_ args: [String]) throws -> Run {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-cli-\(UUID().uuidString)")
        let out = tmp.appendingPathExtension("out"), err = tmp.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        let p = Process()
        p.executableURL = emeth
        p.arguments = args
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline { usleep(5_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            while p.isRunning { usleep(5_000) }
            throw Timeout(description: "emeth \(args.joined(separator: " ")) did not finish in 120 s")
        }
        return Run(status: p.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func requireBinary() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: emeth.path) else {
            Issue.record("\(emeth.path) is missing: build the package first (swift build --build-tests)")
            return false
        }
        return true
    }

    @Test func proofsFromAStoreVerifyAndTamperingIsReportedWithExitCodes() throws {
        guard Self.requireBinary() else { return }
        let f = try ChainFixture(blocks: 5, txsPerBlock: 12, seed: 11)
        let genesis = try f.writeGenesis()
        let store = ["--data", f.dir, "--genesis", genesis]
        let account = try #require(f.blocks[3].tickets.first).account
        let expectedSettlement = try #require(try SettlementProof.build(store: f.chain, account: account, blocks: 2...5, batchIndex: nil))
        let expectedAccount = try StateProof.account(account, store: f.chain, block: 3)
        let job = try #require(f.jobIds.first)
        let expectedJob = try StateProof.job(job, store: f.chain)
        let tx = f.blocks[4].transactions[11].hash
        let expectedTx = try #require(try TransactionProof.build(store: f.chain, txHash: tx))
        f.close()

        let file = f.dir + "-claim.json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var r = try Self.emeth(["prove", "settlement", account.checksummed] + store + ["--blocks", "2-5", "--out", file])
        #expect(r.status == 0, "\(r.stderr)")
        let written = try JSONValue.parse(try #require(FileManager.default.contents(atPath: file)))
        #expect(written == expectedSettlement.json)

        r = try Self.emeth(["prove", "verify", file])
        #expect(r.status == 0)
        #expect(r.stdout == "valid: settlement: \(account.checksummed) has credit \(expectedSettlement.credit) in blocks 2-5 under root \(expectedSettlement.root.bytes.hex)\n")

        // Tampered: the credit raised (leaf and proof left as they were).
        var o = written.objectValue!
        o["credit"] = .string((expectedSettlement.credit + 1).description)
        try Data(JSONValue.object(o).serialized.utf8).write(to: URL(fileURLWithPath: file))
        r = try Self.emeth(["prove", "verify", file])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("invalid: \"leaf\" is "))
        // Unreadable: not JSON, and no file at all.
        try Data("{\"type\":".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try Self.emeth(["prove", "verify", file]).status == 2)
        r = try Self.emeth(["prove", "verify", file + ".missing"])
        #expect(r.status == 2 && r.stderr == "unreadable: cannot read \(file).missing\n")

        // A batch: the index is carried into the file.
        r = try Self.emeth(["prove", "settlement", account.checksummed] + store + ["--batch", "3", "--batch-range", "2-5"])
        #expect(r.status == 0)
        var batch = expectedSettlement
        batch.batchIndex = 3
        #expect(try JSONValue.parse(r.stdout) == batch.json)

        // State and transaction proofs print the same JSON the library builds.
        r = try Self.emeth(["prove", "account", account.checksummed] + store + ["--block", "3"])
        #expect(r.status == 0)
        #expect(try JSONValue.parse(r.stdout) == expectedAccount.json)
        r = try Self.emeth(["prove", "job", job.description] + store)
        #expect(try JSONValue.parse(r.stdout) == expectedJob.json)
        r = try Self.emeth(["prove", "tx", tx.bytes.hex] + store + ["--out", file])
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(try JSONValue.parse(try #require(FileManager.default.contents(atPath: file))) == expectedTx.json)
        #expect(try Self.emeth(["prove", "verify", file, "--signer", ChainFixture.signerKey.address.checksummed]).status == 0)
        r = try Self.emeth(["prove", "verify", file, "--signer", "0x00000000000000000000000000000000000000aa"])
        #expect(r.status == 1)
        #expect(r.stderr == "invalid: block 4 was signed by \(ChainFixture.signerKey.address.checksummed), not by the expected signer \(try Address("0x00000000000000000000000000000000000000aa").checksummed)\n")
    }

    @Test func errorsNameTheProblem() throws {
        guard Self.requireBinary() else { return }
        let f = try ChainFixture(blocks: 3, txsPerBlock: 6, seed: 12)
        let genesis = try f.writeGenesis()
        let store = ["--data", f.dir, "--genesis", genesis]
        let user = f.users[0].checksummed
        f.close()

        // No credit change in block 1 (deposits only).
        var r = try Self.emeth(["prove", "settlement", user] + store + ["--blocks", "1-1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(user)'s credit did not change in blocks 1-1: no settlement proof"))
        // A range beyond the head.
        r = try Self.emeth(["prove", "settlement", user] + store + ["--blocks", "2-9"])
        #expect(r.status == 1 && r.stderr.contains("block 9 does not exist (the chain's head is block 3)"))
        // Usage errors: both range forms, or a batch without its range.
        #expect(try Self.emeth(["prove", "settlement", user] + store + ["--blocks", "2-3", "--batch", "1"]).status == 64)
        r = try Self.emeth(["prove", "settlement", user] + store + ["--batch", "1"])
        #expect(r.status == 64 && r.stderr.contains("--batch needs --batch-range FIRST-LAST"))
        // An unknown transaction.
        r = try Self.emeth(["prove", "tx", "0x" + String(repeating: "11", count: 32)] + store)
        #expect(r.status == 1 && r.stderr.contains("is not in the chain store"))
        // No store in the directory: refused, not created.
        let empty = f.dir + "-empty"
        r = try Self.emeth(["prove", "account", user, "--data", empty, "--genesis", genesis])
        #expect(r.status == 1 && r.stderr.contains("no chain store at \(empty)"))
        #expect(!FileManager.default.fileExists(atPath: empty))

        // A store held open (as by a running sequencer): the lock error is explained.
        let running = try ChainStore(path: f.dir, genesis: f.genesis)
        r = try Self.emeth(["prove", "account", user] + store)
        running.db.close()
        #expect(r.status == 1)
        #expect(r.stderr.contains("the data directory \(f.dir) is in use by a running sequencer; use the API's emeth_getSettlementProof or stop it"))
    }

    /// `emeth sequencer stress` writes a real store; the proofs of it verify and the root is the
    /// one BatchSettlement computes from the same blocks.
    @Test func proofsOfAStressStore() throws {
        guard Self.requireBinary() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-prove-stress-\(UUID().uuidString)").path
        let genesisPath = dir + "-genesis.json", file = dir + "-claim.json"
        defer { for p in [dir, genesisPath, file] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(try Self.emeth(["sequencer", "stress", "--data", dir, "--blocks", "5", "--txs-per-block", "12", "--seed", "9"]).status == 0)
        let genesis = Genesis(chainId: 31337, rollup: ChainFixture.rollup,
                              signer: try PrivateKey(bytes: Keccak.hash256(Array("emeth-signer-9".utf8))).address,
                              timestamp: 1_700_000_000, roles: Roles())
        try Data(genesis.json.serialized.utf8).write(to: URL(fileURLWithPath: genesisPath))
        var store: ChainStore? = try ChainStore(path: dir, genesis: genesis)
        let settlement = BatchSettlement(blocks: try (2...5).map { try #require(try store!.block($0)) })
        store!.db.close()
        store = nil
        let account = try #require(settlement.credits.first).account
        var r = try Self.emeth(["prove", "settlement", account.checksummed, "--data", dir, "--genesis", genesisPath,
                                "--batch", "0", "--batch-range", "2-5", "--out", file])
        #expect(r.status == 0, "\(r.stderr)")
        let proof = try SettlementProof(json: try JSONValue.parse(try #require(FileManager.default.contents(atPath: file))))
        #expect(proof.root == settlement.root && proof.credit == settlement.credit(of: account))
        r = try Self.emeth(["prove", "verify", file])
        #expect(r.status == 0 && r.stdout.hasPrefix("valid: settlement: \(account.checksummed)"))
    }
}
