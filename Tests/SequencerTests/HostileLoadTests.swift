import Core
import Foundation
import Testing
@testable import Sequencer

/// Liveness under hostile load, at the engine: every block fits one L1 batch whatever it
/// holds, an inbox backlog drains over several blocks, and admission refuses what cannot
/// succeed (attacks from the liveness review, each reproduced here).
@Suite struct HostileLoadTests {
    typealias Chain = BatchCodecTests.Chain
    static let emt = UInt256(1_000_000_000_000_000_000)

    /// Seals until nothing is pending; checks every block fits a batch of its own, both as
    /// zstd really compresses it and in the worst case of incompressible contents.
    static func drain(_ c: Chain, limit: Int = 65_536) throws -> [SealedBlock] {
        var out: [SealedBlock] = []
        while c.engine.mempool.count + c.engine.pendingInboxCount > 0 {
            let b = try c.seal()
            let data = try BatchCodec.encode([BatchCodec.Block(b)])
            #expect(data.count <= limit, "block \(b.number): \(data.count) bytes of batch data")
            let raw = RLP.encode(.list([.uint(b.number), .list([BatchCodec.encode(BatchCodec.Block(b))])])).count
            #expect(1 + Zstd.bound(raw) <= limit, "block \(b.number): \(raw) raw bytes could exceed \(limit) compressed")
            out.append(b)
        }
        return out
    }

    /// Review finding: 1,000 Withdraws encode to 65,603 bytes, over the contract's limit, so a
    /// block of them could never be posted. Now the seal policy splits them.
    @Test func attackAThousandWithdrawsNoLongerMakeAnUnpostableBlock() throws {
        let c = try Chain()
        let keys = (0..<1_000).map { c.key("spender-\($0)") }
        for k in keys { try c.deposit(k.address, Self.emt) }
        let funding = try Self.drain(c)
        #expect(funding.map(\.inbox.count) == [512, 488])  // the inbox cap: 512 messages a block
        for k in keys { try c.send(k, .withdraw(amount: 1_000_000_007)) }
        let blocks = try Self.drain(c)
        #expect(blocks.count == 2)
        #expect(blocks.reduce(0) { $0 + $1.transactions.count } == 1_000)
        #expect(blocks.allSatisfy { $0.receipts.allSatisfy { $0.failure == nil } })
        // zstd's bound for 64,993 + 256 bytes is 65,535, plus the version byte: 65,536.
        #expect(BatchCodec.blockPayloadBudget(maxData: 65_536) == 64_993)
        let budget = SealPolicy().blockBudget
        for b in blocks {
            let payload = b.transactions.reduce(0) { $0 + BatchCodec.encodedSize($1) }
            #expect(payload <= budget)
        }
    }

    /// Review finding: ~3,700 backlogged inbox messages after downtime landed in one block.
    /// 4,000 now drain 512 a block; incompressible forced transactions of the largest size
    /// go at most three a block.
    @Test func attackAnInboxBacklogDrainsOverSeveralBlocks() throws {
        let c = try Chain()
        let owner = c.key("owner")
        for _ in 0..<4_000 {
            try c.engine.enqueue(InboxMessage(index: c.inbox, kind: .cancel, account: owner.address, jobId: BatchCodecTests.job(Int(c.inbox)),
                                              l1Block: 9))
            c.inbox += 1
        }
        var rng = SeededGenerator(seed: 41)
        for _ in 0..<10 {
            let junk = (0..<InboxMessage.maxForcedTransactionBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
            try c.engine.enqueue(InboxMessage(index: c.inbox, kind: .forcedTransaction, account: owner.address, l1Block: 9, data: junk))
            c.inbox += 1
        }
        let blocks = try Self.drain(c)
        #expect(blocks.map(\.inbox.count) == [512, 512, 512, 512, 512, 512, 512, 416 + 2, 3, 3, 2])
        #expect(blocks.flatMap(\.inboxFailures).filter { $0 == .forcedTxInvalid }.count == 10)
        #expect(blocks.flatMap(\.inboxFailures).filter { $0 == .unknownJob }.count == 4_000)
        #expect(c.engine.store.inboxCursor == 4_010)
    }

    // MARK: admission

    @Test func anAccountHoldingNothingCannotSend() throws {
        let c = try Chain()
        let spammer = c.key("spammer")
        #expect(throws: AdmissionRefusal.emptyAccount(spammer.address)) { try c.send(spammer, .withdraw(amount: 1)) }
        // A zero-price job would cost nothing to create: still refused, the account holds nothing.
        #expect(throws: AdmissionRefusal.emptyAccount(spammer.address)) {
            try c.send(spammer, .registerJob(.init(jobId: BatchCodecTests.job(1), programId: 1, numParallel: 1, numEpoch: 1,
                                                   dataset: .zero, param: .zero, fuelLimit: 1, fuelPrice: 0, deadline: 5_000)))
        }
        #expect(c.engine.mempool.count == 0 && c.engine.mempool.senderCount == 0)
        #expect(try c.engine.store.account(spammer.address) == nil)
    }

    /// Funds that all sit in an escrow or a node deposit still count: the requester may cancel
    /// and the node may submit with a zero balance.
    @Test func anAccountWhoseFundsAreAllInAJobMayStillAct() throws {
        let c = try Chain()
        let requester = c.key("requester"), node = c.key("node")
        let job = BatchCodecTests.job(3), other = BatchCodecTests.job(4)
        // 1,000 fuel at 1 Gholon: escrow = deposit = 1,050 Gholon.
        try c.deposit(requester.address, 2_100_000_000_000)
        try c.deposit(node.address, 1_050_000_000_000)
        for id in [job, other] {
            try c.send(requester, .registerJob(.init(jobId: id, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
                                                     fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 5_000)))
        }
        try c.send(node, .process(jobId: job))
        try c.seal()
        #expect(try c.engine.store.account(requester.address)?.balance == .zero)
        #expect(try c.engine.store.account(node.address)?.balance == .zero)
        try c.send(node, .submit(jobId: job, result: .zero, fuelUsed: 500))
        try c.send(requester, .cancelJob(jobId: other))
        let b = try c.seal()
        #expect(b.transactions.count == 2 && b.receipts.allSatisfy { $0.failure == nil })
    }

    /// Found by `emeth bench load`: a transaction that arrived ahead of its sender's nonce gap
    /// (a client sending over several connections) ran on the pending state once the gap
    /// filled, but was left out when that state was rebuilt after the next seal, so a
    /// transaction building on it was refused as failing (UNKNOWN_JOB).
    @Test func aTransactionThatArrivedBeforeItsPredecessorStaysInThePendingStateAfterASeal() throws {
        let c = try Chain(policy: SealPolicy(maxTxs: 1, maxBytes: 1_000_000))
        let other = c.key("other"), requester = c.key("requester"), node = c.key("node")
        for k in [other, requester, node] { try c.deposit(k.address, Self.emt) }
        try c.seal()
        let job = BatchCodecTests.job(9)
        try c.send(other, .withdraw(amount: 1))
        try c.send(requester, .registerJob(.init(jobId: job, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
                                                 fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 5_000)), nonce: 1)
        try c.send(requester, .withdraw(amount: 1), nonce: 0)
        let first = try c.seal()  // one transaction a block: the first to arrive
        #expect(first.transactions.map(\.sender) == [other.address])
        try c.send(node, .process(jobId: job))  // admitted against the rebuilt pending state
        let blocks = try Self.drain(c)
        #expect(blocks.flatMap(\.transactions).map(\.sender) == [requester.address, requester.address, node.address])
        #expect(blocks.allSatisfy { $0.receipts.allSatisfy { $0.failure == nil } })
        #expect(try c.engine.store.job(job)?.node == node.address)
    }

    /// The client protocol of `emeth bench load`, with arrivals in random order and seals
    /// (some with admissions during their write) in between: a step goes once its same-sender
    /// predecessor went and its cross-account prerequisite and that one's predecessors were
    /// accepted. Admission must never refuse such a step, and every block must succeed.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func outOfOrderArrivalsOfDependentStepsAreNeverRefused(seed: UInt64) throws {
        let c = try Chain(policy: SealPolicy(maxTxs: 7, maxBytes: 1_000_000))
        var rng = SeededGenerator(seed: TestSeed.value(seed))
        let requesters = (0..<3).map { c.key("r\($0)") }, nodes = (0..<3).map { c.key("n\($0)") }
        for k in requesters + nodes { try c.deposit(k.address, Self.emt) }
        try c.seal()
        struct Step { let key: PrivateKey; let call: L2Call; let after: Int? }
        var steps: [Step] = []
        for j in 0..<40 {
            let id = BatchCodecTests.job(1_000 + j)
            steps.append(Step(key: requesters[j % 3], call: .registerJob(.init(jobId: id, programId: 1, numParallel: 1, numEpoch: 1,
                dataset: .zero, param: .zero, fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 5_000)), after: nil))
            steps.append(Step(key: nodes[(j / 3) % 3], call: .process(jobId: id), after: steps.count - 1))
            steps.append(Step(key: nodes[(j / 3) % 3], call: .submit(jobId: id, result: .zero, fuelUsed: 10), after: nil))
            steps.append(Step(key: c.verifier, call: .verify(jobId: id), after: steps.count - 1))
        }
        var nonce: [Address: UInt64] = [:], previous: [Int?] = [], lastOf: [Address: Int] = [:]
        var envs: [L2Envelope] = []
        for (i, s) in steps.enumerated() {
            let n = nonce[s.key.address, default: 0]
            nonce[s.key.address] = n + 1
            previous.append(lastOf[s.key.address])
            lastOf[s.key.address] = i
            let digest = c.engine.admission.domain.digest(structHash: L2TypedData.structHash(s.call, nonce: n))
            envs.append(L2Envelope(call: s.call, nonce: n, signature: try Secp256k1.sign(digest: digest, key: s.key).rsv))
        }
        var sent = Set<Int>(), accepted = Set<Int>(), inTransit: [Int] = []
        func effective(_ i: Int) -> Bool {
            var k: Int? = i
            while let x = k { guard accepted.contains(x) else { return false }; k = previous[x] }
            return true
        }
        var seal: SequencerEngine.SealInProgress?
        while accepted.count < steps.count {
            for i in steps.indices where !sent.contains(i) && (previous[i].map(sent.contains) ?? true) && (steps[i].after.map(effective) ?? true) {
                sent.insert(i); inTransit.append(i)
            }
            inTransit.shuffle(using: &rng)
            for i in inTransit.prefix(Int.random(in: 1...max(1, inTransit.count), using: &rng)) {
                do { try c.engine.submit(envs[i]) } catch { Issue.record("step \(i) refused: \(error)"); return }
                accepted.insert(i)
            }
            inTransit.removeAll { accepted.contains($0) }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: if seal == nil { seal = try c.engine.beginSeal(timestamp: c.time) }
            case 1: if let p = seal { try c.engine.store.write(p.batch); c.engine.endSeal(p); seal = nil }
            default: break
            }
        }
        if let p = seal { try c.engine.store.write(p.batch); c.engine.endSeal(p) }
        _ = try Self.drain(c)
        #expect(c.engine.failedAfterAdmission == 0)
        for j in 0..<40 { #expect(try c.engine.store.job(BatchCodecTests.job(1_000 + j))?.status == .verified) }
    }

    @Test func aDepositStillInTheInboxFundsTheNextTransaction() throws {
        let c = try Chain()
        let user = c.key("user")
        try c.deposit(user.address, 10)
        try c.send(user, .withdraw(amount: 10))  // the deposit is pending, not sealed: admitted all the same
        let b = try c.seal()
        #expect(b.inbox.count == 1 && b.receipts.map(\.failure) == [nil])
        #expect(try c.engine.store.account(user.address)?.credit == 10)
    }

    @Test func whatWouldFailIsRefusedNamingTheFailure() throws {
        let c = try Chain()
        let requester = c.key("requester"), node = c.key("node")
        try c.deposit(requester.address, Self.emt)
        try c.deposit(node.address, Self.emt)
        let job = BatchCodecTests.job(7)
        try c.send(requester, .registerJob(.init(jobId: job, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
                                                 fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 5_000)))
        // The job exists only in the pending state, yet a node may Process it in the same block.
        try c.send(node, .process(jobId: job))
        #expect(throws: AdmissionRefusal.wouldFail(.wrongStatus)) { try c.send(requester, .cancelJob(jobId: job)) }
        #expect(throws: AdmissionRefusal.wouldFail(.notVerifier)) { try c.send(node, .verify(jobId: job)) }
        #expect(throws: AdmissionRefusal.wouldFail(.insufficientBalance)) { try c.send(node, .withdraw(amount: Self.emt)) }
        try c.send(node, .submit(jobId: job, result: .zero, fuelUsed: 1_000))
        // The verifier processes a job itself: its own Verify is refused.
        try c.deposit(c.verifier.address, Self.emt)
        let own = BatchCodecTests.job(8)
        try c.send(requester, .registerJob(.init(jobId: own, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
                                                 fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 5_000)))
        try c.send(c.verifier, .process(jobId: own))
        try c.send(c.verifier, .submit(jobId: own, result: .zero, fuelUsed: 1_000))
        #expect(throws: AdmissionRefusal.wouldFail(.verifierIsParty)) { try c.send(c.verifier, .verify(jobId: own)) }
        try c.send(c.verifier, .verify(jobId: job))
        let b = try c.seal()
        #expect(b.transactions.count == 7 && b.receipts.allSatisfy { $0.failure == nil })
        #expect(c.engine.failedAfterAdmission == 0)
    }

    @Test func aMinimumFuelPriceMakesZeroPriceJobsInvalid() throws {
        var params = ChainParams()
        params.minFuelPrice = 1_000_000_000
        let stf = StateTransition(params: params, roles: Roles())
        let state = InMemoryState()
        var w = state.begin()
        let a = STFHarness.requester
        try stf.apply(InboxMessage(index: 0, kind: .deposit, account: a, amount: Self.emt, l1Block: 1), time: 1_000, to: &w)
        let register = { (price: UInt256) in
            L2Transaction(call: .registerJob(.init(jobId: STFHarness.jobId(1), programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero,
                                                   param: .zero, fuelLimit: 10, fuelPrice: price, deadline: 5_000)),
                          nonce: try w.account(a).nonce, sender: a, hash: STFHarness.h(UInt8(truncatingIfNeeded: price.uint64 ?? 0)), signature: [])
        }
        #expect(try stf.apply(try register(0), time: 1_000, to: &w) == .priceBelowMinimum)
        #expect(try stf.apply(try register(999_999_999), time: 1_000, to: &w) == .priceBelowMinimum)
        #expect(try stf.apply(try register(1_000_000_000), time: 1_000, to: &w) == nil)
        // The parameter reaches the genesis file and its hash only when set.
        var g = Genesis(chainId: 1, rollup: STFHarness.actor(1), signer: STFHarness.actor(2), timestamp: 1, roles: Roles())
        let plain = g.hash
        #expect(g.json["params"]?["minFuelPrice"] == nil)
        g.params = params
        #expect(g.json["params"]?["minFuelPrice"] == .string("1000000000"))
        #expect(g.hash != plain)
        #expect(try Genesis.parse(g.json).params.minFuelPrice == 1_000_000_000)
    }
}
