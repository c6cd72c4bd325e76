import Bridge
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// `emeth exit` on a devnet: the sequencer stops, and two users take out exactly what the
/// escape state and the inbox owe them — balance + credit − claimed, their open jobs' escrow
/// (as owner) and node deposit (as node), and deposits no batch included — from L1 alone.
@Suite(.serialized) struct EscapeExitDevnetTests {
    typealias F = BridgeFixture
    static let escapeDelay: UInt64 = 120

    func jobID(_ n: Int, _ i: Int) throws -> JobID { try JobID(bytes: Array(Keccak.hash256(Array("job-\(n)-\(i)".utf8)).prefix(16))) }

    /// What `u` is owed in the sequencer's own final state (not the replay's), before netting.
    func entitlement(_ u: Address, _ store: ChainStore) throws -> UInt256 {
        var total = try store.account(u).map { $0.balance + $0.credit } ?? .zero
        try store.db.forEach("state") { _, value in
            if value.count == StateEncoding.jobRecordSize, let j = try? StateEncoding.decodeJob(value), j.status.rawValue < 4 {
                if j.owner == u { total = total + j.escrow }
                if j.node == u { total = total + j.nodeDeposit }
            }
            return true
        }
        return total
    }

    @Test func twoUsersExitWithExactlyWhatTheyAreOwed() async throws {
        let f = try await F(challengePeriod: 10, settings: { $0.escapeDelay = Self.escapeDelay })
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(2)   // per block and user: a REQUESTED job and a withdrawal
        let e = try f.openEngine()
        let (a, b, c) = (f.users[0], f.users[1], f.users[2])
        // Jobs in several statuses: b processes a's job (PROCESSING, b is its node), c processes
        // and submits another of a's (SUBMITTED), b and c cancel one of theirs (CANCELED: terminal).
        try e.submit(try f.sign(b, .process(jobId: try jobID(1, 0)), e))
        try e.submit(try f.sign(c, .process(jobId: try jobID(2, 0)), e))
        try e.submit(try f.sign(c, .cancelJob(jobId: try jobID(1, 2)), e))
        _ = try e.seal(timestamp: f.genesis.timestamp + 3)
        try e.submit(try f.sign(c, .submit(jobId: try jobID(2, 0), result: try Hash32(bytes: Keccak.hash256([1])), fuelUsed: 10), e))
        try e.submit(try f.sign(b, .cancelJob(jobId: try jobID(1, 1)), e))
        _ = try e.seal(timestamp: f.genesis.timestamp + 4)
        #expect(try e.store.job(try jobID(1, 0))?.status == .processing)
        #expect(try e.store.job(try jobID(2, 0))?.status == .submitted)
        #expect(try e.store.job(try jobID(1, 1))?.status == .canceled)
        let store = try BridgeStore(path: f.bridgeDir)
        try await f.postAll(try f.poster(store, try f.txManager(store), maxBlocks: 2))
        #expect(try await f.rollup.batchCount() == 2)

        // a claims part of its credit first (netted by the escape), then deposits again after
        // the last batch: that deposit is never included.
        let ticket = try #require(try e.store.latestTicket(a.address))
        try await f.l1(a).send(to: f.deployment.rollup, data: try RollupContract.claimWithTicket.encodeCall(
            [.address(a.address), .uint(ticket.credit), .uint(UInt256(ticket.blockNumber)), .bytes(ticket.signature)]), what: "claim")
        let late = UInt256(7) * F.emt
        let mint = try ABIFunction(signature: "mint(address,uint256)"), approve = try ABIFunction(signature: "approve(address,uint256)")
        try await f.l1(f.owner).send(to: f.deployment.token, data: try mint.encodeCall([.address(a.address), .uint(late)]), what: "mint")
        try await f.l1(a).send(to: f.deployment.token, data: try approve.encodeCall([.address(f.deployment.rollup), .uint(late)]), what: "approve")
        try await f.l1(a).send(to: f.deployment.rollup, data: try RollupContract.deposit.encodeCall([.uint(late)]), what: "deposit")

        // The sequencer stops. Its final state is what each user is owed.
        let owedA = try entitlement(a.address, e.store) - ticket.credit + late
        let owedB = try entitlement(b.address, e.store)
        let owedC = try entitlement(c.address, e.store)
        #expect(try e.store.job(try jobID(1, 0)).map { $0.escrow > .zero && $0.nodeDeposit > .zero } == true)
        f.closeEngine()

        func exit(_ k: PrivateKey, dryRun: Bool, _ lines: LogLines) -> EscapeExit {
            EscapeExit(rollup: f.rollup, genesis: f.genesis, fromBlock: f.deployment.block, sender: dryRun ? nil : f.l1(k), logger: lines.logger)
        }
        // Too early: a clear error with the time it becomes possible.
        let at = try await f.rollup.escapeActivatableAt()
        await #expect(throws: EscapeExit.Failure.self) { try await exit(a, dryRun: false, LogLines()).run(account: a.address) }
        do { _ = try await exit(a, dryRun: false, LogLines()).run(account: a.address) } catch let err as EscapeExit.Failure {
            guard case .notActivatable(let when, _) = err else { Issue.record("wrong failure \(err)"); return }
            #expect(when == at && err.description.contains("can be activated from L1 time \(at)"))
        }
        #expect(try await f.rollup.escapeMode() == false)
        let cli = ["--rpc", f.devnet.url.absoluteString, "--deployment", f.dir + "/deployment.json"]
        let early = try AuditCLI.run(["exit"] + cli + ["--genesis", f.dir + "/genesis.json", "--account", a.address.checksummed, "--dry-run"])
        #expect(early.status == 1 && early.stderr.contains("not in escape mode yet") && early.stderr.contains("from L1 time \(at)"))

        _ = try await f.devnetCall("evm_increaseTime", [.string("0x" + String(Self.escapeDelay * 2, radix: 16))])
        _ = try await f.devnetCall("evm_mine")

        // The CLI, from an exported archive: b's items and total, nothing sent.
        let export = try AuditCLI.run(["audit", "export", "--from-l1", f.devnet.url.absoluteString, "--deployment", f.dir + "/deployment.json", "--out", f.dir + "/archive"])
        #expect(export.status == 0)
        let cliDry = try AuditCLI.run(["exit"] + cli + ["--genesis", f.dir + "/genesis.json", "--archive", f.dir + "/archive", "--account", b.address.checksummed, "--dry-run"])
        #expect(cliDry.status == 0 && cliDry.stdout.contains("would pay \(Amount.format(owedB)) (\(owedB) base units) to \(b.address.checksummed) in 3 L1 transactions"))
        #expect(cliDry.stdout.contains("would activate escape mode") && cliDry.stdout.contains("node deposit"))
        #expect(try await f.rollup.escapeMode() == false)

        // A dry run lists the items and the total and sends nothing.
        let token = f.deployment.token
        let before = (try await f.rollup.tokenBalance(a.address, token: token), try await f.rollup.tokenBalance(b.address, token: token))
        let beforeC = try await f.rollup.tokenBalance(c.address, token: token)
        let dry = LogLines()
        let planned = try await exit(a, dryRun: true, dry).run(account: a.address)
        #expect(planned.plan.net == owedA)
        #expect(planned.plan.items.map(\.kind) == [.account, .job, .job, .deposit])   // job 2-0 is SUBMITTED, 1-0 PROCESSING
        #expect(dry.text.contains("would activate escape mode") && dry.text.contains("would prove the escape root of batch 1"))
        #expect(dry.text.contains("would pay \(Amount.format(owedA)) (\(owedA) base units)"))
        #expect(dry.text.contains("deposit #3") && dry.text.contains("already paid on L1 by claims"))
        #expect(try await f.rollup.escapeMode() == false)
        #expect(try await f.rollup.tokenBalance(a.address, token: token) == before.0)

        // a exits: activation, root, payouts.
        let runA = try await exit(a, dryRun: false, LogLines()).run(account: a.address)
        #expect(runA.activated && runA.provedRoot)
        #expect(try await f.rollup.tokenBalance(a.address, token: token) - before.0 == owedA)
        // b exits after: escape mode and root are already there. b's node deposit in a's
        // PROCESSING job was paid by a's escapeJob (it pays both parties); b takes the rest.
        let runB = try await exit(b, dryRun: false, LogLines()).run(account: b.address)
        #expect(!runB.activated && !runB.provedRoot)
        let processing = try jobID(1, 0)
        #expect(runB.plan.items.map(\.kind) == [.account, .job] && runB.plan.alreadyTaken == ["job \(processing) escaped"])
        #expect(try await f.rollup.tokenBalance(b.address, token: token) - before.1 == owedB)
        // c exits with the CLI, replaying from L1 calldata, with its own key.
        let cliC = try AuditCLI.run(["exit"] + cli + ["--genesis", f.dir + "/genesis.json"], env: ["EMETH_PRIVATE_KEY": F.devKeys[5]])
        #expect(cliC.status == 0 && cliC.stdout.contains("escape mode is active") && cliC.stdout.contains("paid "), "\(cliC.stderr)")
        #expect(try await f.rollup.tokenBalance(c.address, token: token) - beforeC == owedC)
        // Again: already taken.
        do {
            _ = try await exit(a, dryRun: false, LogLines()).run(account: a.address)
            Issue.record("a second exit succeeded")
        } catch let err as EscapeExit.Failure {
            guard case .alreadyTaken = err else { Issue.record("wrong failure \(err)"); return }
            #expect(err.description.hasPrefix("already taken"))
        }
        // An account the chain never touched has nothing to take.
        do {
            _ = try await exit(f.verifier, dryRun: true, LogLines()).run(account: f.verifier.address)
            Issue.record("an untouched account had something to take")
        } catch let err as EscapeExit.Failure {
            #expect(err == .nothingToTake(f.verifier.address) && err.description.hasPrefix("nothing to take for \(f.verifier.address.checksummed)"))
        }
    }
}
