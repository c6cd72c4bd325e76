import Core
import Testing
@testable import Sequencer

/// docs/PROTOCOL.md §3, row by row, on the white paper's job: 120,000 fuel at 120 Gholon.
/// feeLimit = 14,400,000 Gholon = 0.0144 EMT; verifier fee 5% = 720,000 Gholon;
/// escrow = node deposit = 15,120,000 Gholon; penalty 25% = 3,600,000 Gholon.
@Suite struct WhitePaperJobTests {
    typealias H = STFHarness
    let job = H.jobId(1)
    static let feeLimit = UInt256(14_400_000) * .gholon
    static let vFee = UInt256(720_000) * .gholon
    static let escrow = UInt256(15_120_000) * .gholon
    static let penalty = UInt256(3_600_000) * .gholon
    static let funds = UInt256(1) * .emt

    func chain(processing: Bool = false, submitted: UInt256? = nil) -> H {
        let c = H()
        c.deposit(H.requester, Self.funds)
        c.deposit(H.node, Self.funds)
        #expect(c.send(H.requester, H.register(job, fuelLimit: 120_000, fuelPrice: 120 * .gholon, deadline: 2_000)) == nil)
        if processing || submitted != nil { #expect(c.send(H.node, .process(jobId: job)) == nil) }
        if let fuel = submitted { #expect(c.send(H.node, .submit(jobId: job, result: H.h(0xaa), fuelUsed: fuel)) == nil) }
        return c
    }

    @Test func registerLocksFeeLimitPlusVerifierFee() {
        let c = chain()
        #expect(Self.feeLimit == UInt256(14_400_000_000_000_000)) // 0.0144 EMT
        #expect(c.balance(H.requester) == Self.funds - Self.escrow)
        #expect(c.job(job).escrow == UInt256(15_120_000_000_000_000))
        #expect(c.job(job).status == .requested)
        #expect(c.job(job).owner == H.requester)
        #expect(c.nonce(H.requester) == 1)
    }

    @Test func processLocksTheNodeDeposit() {
        let c = chain(processing: true)
        #expect(c.balance(H.node) == Self.funds - Self.escrow)
        #expect(c.job(job).nodeDeposit == Self.escrow)
        #expect(c.job(job).node == H.node)
        #expect(c.job(job).status == .processing)
    }

    @Test func verifyPaysNodeOwnerAndVerifier() {
        let c = chain(submitted: 100_000)
        #expect(c.send(H.verifier, .verify(jobId: job)) == nil)
        let earned = UInt256(12_000_000) * .gholon // 100,000 fuel × 120 Gholon
        #expect(c.balance(H.node) == Self.funds + earned)                      // deposit back + earnings
        #expect(c.balance(H.requester) == Self.funds - Self.vFee - earned)     // unused 2,400,000 Gholon back
        #expect(c.balance(H.requester) == UInt256(987_280_000_000_000_000))
        #expect(c.balance(H.verifier) == Self.vFee)
        #expect(c.job(job).status == .verified)
        #expect(c.job(job).escrow.isZero && c.job(job).nodeDeposit.isZero)
        #expect(c.state.totals.totalBurned.isZero)
    }

    @Test func declineRefundsOwnerAndBurnsAQuarterOfTheFeeLimit() {
        let c = chain(processing: true)
        #expect(c.send(H.node, .decline(jobId: job)) == nil)
        #expect(c.balance(H.requester) == Self.funds)
        #expect(c.balance(H.node) == Self.funds - Self.penalty)
        #expect(c.balance(H.node) == UInt256(996_400_000_000_000_000))
        #expect(c.state.totals.totalBurned == Self.penalty)
        #expect(c.job(job).status == .declined)
    }

    @Test func rejectRefundsOwnerPaysVerifierFromTheDepositAndBurns() {
        let c = chain(submitted: 120_000)
        #expect(c.send(H.verifier, .reject(jobId: job)) == nil)
        #expect(c.balance(H.requester) == Self.funds)
        #expect(c.balance(H.verifier) == Self.vFee)
        #expect(c.balance(H.node) == Self.funds - Self.vFee - Self.penalty)
        #expect(c.state.totals.totalBurned == Self.penalty)
        #expect(c.job(job).status == .failed)
    }

    @Test func timeoutOfAProcessingJob() {
        let c = chain(processing: true)
        c.time = 1_999
        #expect(c.send(H.verifier, .timeout(jobId: job)) == .deadlineNotReached)
        c.time = 2_000
        #expect(c.send(H.verifier, .timeout(jobId: job)) == nil)
        #expect(c.balance(H.requester) == Self.funds)
        #expect(c.balance(H.node) == Self.funds - Self.penalty)
        #expect(c.balance(H.verifier).isZero)
        #expect(c.state.totals.totalBurned == Self.penalty)
        #expect(c.job(job).status == .timeout)
    }

    @Test func timeoutOfARequestedJobBurnsNothing() {
        let c = chain()
        c.time = 2_500
        #expect(c.send(H.verifier, .timeout(jobId: job)) == nil)
        #expect(c.balance(H.requester) == Self.funds)
        #expect(c.state.totals.totalBurned.isZero)
    }

    @Test func cancelOnL2AndThroughTheL1Inbox() {
        let c = chain()
        #expect(c.send(H.stranger, .cancelJob(jobId: job)) == .notOwner)
        #expect(c.send(H.requester, .cancelJob(jobId: job)) == nil)
        #expect(c.balance(H.requester) == Self.funds)
        #expect(c.job(job).status == .canceled)
        #expect(c.send(H.requester, .cancelJob(jobId: job)) == .wrongStatus)

        let c2 = chain()
        #expect(c2.l1Cancel(H.stranger, job) == .notOwner)
        #expect(c2.l1Cancel(H.requester, job) == nil)
        #expect(c2.balance(H.requester) == Self.funds)
        #expect(c2.job(job).status == .canceled)
        #expect(c2.state.inboxCursor == 4)
    }

    @Test func withdrawMovesBalanceToCredit() {
        let c = chain(submitted: 100_000)
        #expect(c.send(H.verifier, .verify(jobId: job)) == nil)
        let before = c.balance(H.node)
        #expect(c.send(H.node, .withdraw(amount: 0)) == .zeroAmount)
        #expect(c.send(H.node, .withdraw(amount: before + 1)) == .insufficientBalance)
        #expect(c.send(H.node, .withdraw(amount: 5 * .gholon)) == nil)
        #expect(c.balance(H.node) == before - 5 * .gholon)
        #expect(c.credit(H.node) == 5 * .gholon)
        #expect(c.state.totals.totalCredit == 5 * .gholon)
        #expect(c.state.totals.totalDeposited == 2 * Self.funds)
    }
}

@Suite struct FailureRuleTests {
    typealias H = STFHarness
    let job = H.jobId(2)

    func funded() -> H {
        let c = H()
        c.deposit(H.requester, 1 * .emt)
        c.deposit(H.node, 1 * .emt)
        return c
    }

    /// A failing transaction costs its nonce and nothing else.
    @Test func failureChangesNothingButTheNonce() {
        let c = funded()
        #expect(c.send(H.requester, H.register(job, fuelLimit: 10, fuelPrice: 1, deadline: 5_000)) == nil)
        let before = c.state.accounts, jobs = c.state.jobs, totals = c.state.totals
        #expect(c.send(H.stranger, .verify(jobId: job)) == .notVerifier)
        #expect(c.state.jobs == jobs)
        #expect(c.state.totals == totals)
        #expect(c.nonce(H.stranger) == 1)
        for (a, acc) in before { #expect(c.state.accounts[a] == acc) }
    }

    @Test func registerFailures() {
        let c = funded()
        #expect(c.send(H.requester, H.register(job, fuelLimit: 120_000, fuelPrice: 120 * .gholon, deadline: 1_000)) == .deadlinePassed)
        #expect(c.send(H.requester, H.register(job, fuelLimit: 1_000_000, fuelPrice: 1 * .emt, deadline: 5_000)) == .insufficientBalance)
        #expect(c.send(H.requester, H.register(job, fuelLimit: .max, fuelPrice: 2, deadline: 5_000)) == .arithmeticOverflow)
        #expect(c.send(H.requester, H.register(.zero, fuelLimit: 1, fuelPrice: 1, deadline: 5_000)) == .invalidArguments)
        #expect(c.send(H.requester, H.register(job, fuelLimit: 1, fuelPrice: 1, deadline: 5_000)) == nil)
        #expect(c.send(H.node, H.register(job, fuelLimit: 1, fuelPrice: 1, deadline: 5_000)) == .jobExists)
        var withParent = L2Call.RegisterJob(jobId: H.jobId(9), programId: 1, numParallel: 1, numEpoch: 1, dataset: H.h(1),
                                            param: H.h(2), fuelLimit: 1, fuelPrice: 1, deadline: 5_000)
        withParent.parentJob = job
        #expect(c.send(H.requester, .registerJob(withParent)) == .invalidParent)
        #expect(c.nonce(H.requester) == 6)
    }

    @Test func processAndSubmitFailures() {
        let c = funded()
        c.send(H.requester, H.register(job, fuelLimit: 100, fuelPrice: 1 * .gholon, deadline: 2_000))
        #expect(c.send(H.node, .process(jobId: H.jobId(3))) == .unknownJob)
        #expect(c.send(H.requester, .process(jobId: job)) == .ownerCannotProcess)
        #expect(c.send(H.stranger, .process(jobId: job)) == .insufficientBalance)
        #expect(c.send(H.node, .submit(jobId: job, result: H.h(1), fuelUsed: 1)) == .wrongStatus)
        c.time = 2_000
        #expect(c.send(H.node, .process(jobId: job)) == .deadlinePassed)
        c.time = 1_500
        #expect(c.send(H.node, .process(jobId: job)) == nil)
        #expect(c.send(H.node, .process(jobId: job)) == .wrongStatus)
        #expect(c.send(H.stranger, .submit(jobId: job, result: H.h(1), fuelUsed: 1)) == .notAssignedNode)
        #expect(c.send(H.node, .submit(jobId: job, result: H.h(1), fuelUsed: 101)) == .fuelExceedsLimit)
        #expect(c.send(H.stranger, .decline(jobId: job)) == .notAssignedNode)
        c.time = 2_001
        #expect(c.send(H.node, .submit(jobId: job, result: H.h(1), fuelUsed: 100)) == .deadlinePassed)
        c.time = 2_000
        #expect(c.send(H.node, .submit(jobId: job, result: H.h(1), fuelUsed: 100)) == nil)
        #expect(c.send(H.verifier, .timeout(jobId: job)) == .wrongStatus)
        #expect(c.send(H.node, .verify(jobId: job)) == .notVerifier)
        #expect(c.send(H.node, .reject(jobId: job)) == .notVerifier)
        #expect(c.send(H.node, .timeout(jobId: job)) == .notVerifier)
        #expect(c.send(H.verifier, .verify(jobId: job)) == nil)
        #expect(c.send(H.verifier, .verify(jobId: job)) == .wrongStatus)
        #expect(c.send(H.verifier, .reject(jobId: job)) == .wrongStatus)
    }

    /// The nonce check is what keeps a replayed transaction out of a block.
    @Test func replayedNonceIsInvalid() throws {
        let c = funded()
        c.send(H.node, .withdraw(amount: 1))
        var w = c.state.begin()
        let replay = L2Transaction(call: .withdraw(amount: 1), nonce: 0, sender: H.node, hash: H.h(9), signature: [])
        #expect(throws: StateTransition.Invalid.wrongNonce(sender: H.node, expected: 1, got: 0)) {
            try c.stf.apply(replay, time: c.time, to: &w)
        }
        #expect(w.accounts.isEmpty)
    }
}

@Suite struct SplitAggregateTests {
    typealias H = STFHarness
    let parent = H.jobId(0x50)
    let children = (1...4).map { H.jobId($0) }

    func splitChain() -> H {
        let c = H()
        c.deposit(H.requester, 1 * .emt)
        c.deposit(H.node, 1 * .emt)
        #expect(c.send(H.requester, H.register(parent, fuelLimit: 100_000, fuelPrice: 10 * .gholon, deadline: 9_000, numParallel: 4)) == nil)
        return c
    }

    func split(_ limits: [UInt256]) -> L2Call {
        .split(.init(parentJob: parent, jobIds: Array(children.prefix(limits.count)),
                     datasets: (0..<limits.count).map { H.h(UInt8(0x60 + $0)) }, fuelLimits: limits))
    }

    @Test func splitIntoFourRefundsTheLeftoverAndAggregatesWhenAllVerified() {
        let c = splitChain()
        // Parent escrow: 1,000,000 Gholon fee limit + 50,000 verifier fee.
        #expect(c.job(parent).escrow == 1_050_000 * .gholon)
        #expect(c.send(H.stranger, split([20_000, 20_000, 20_000, 30_000])) == .notSplitter)
        #expect(c.send(H.splitter, split([20_000, 20_000, 20_000, 50_000])) == .childrenExceedParent)
        #expect(c.send(H.splitter, split([20_000, 20_000, 20_000, 30_000])) == nil)
        // Children: 90,000 fuel × 10 Gholon = 900,000 + 45,000 fees; leftover 105,000 Gholon back.
        #expect(c.balance(H.requester) == 1 * .emt - 945_000 * .gholon)
        #expect(c.job(parent).status == .split)
        #expect(c.job(parent).escrow.isZero)
        #expect(c.job(children[3]).escrow == 315_000 * .gholon)
        #expect(c.job(children[0]).parentJob == parent)
        #expect(c.job(children[0]).owner == H.requester)
        #expect(c.job(children[2]).dataset == H.h(0x62))
        #expect(c.send(H.splitter, split([1])) == .wrongStatus)

        for (k, child) in children.enumerated() {
            #expect(c.send(H.node, .process(jobId: child)) == nil)
            #expect(c.send(H.node, .submit(jobId: child, result: H.h(UInt8(k)), fuelUsed: 10_000)) == nil)
            #expect(c.send(H.verifier, .verify(jobId: child)) == nil)
            if k < 3 { #expect(c.send(H.aggregator, .aggregate(parentJob: parent, result: H.h(0xff))) == .childrenNotVerified) }
        }
        #expect(c.send(H.node, .aggregate(parentJob: parent, result: H.h(0xff))) == .notAggregator)
        #expect(c.send(H.aggregator, .aggregate(parentJob: parent, result: H.h(0xff))) == nil)
        #expect(c.job(parent).status == .completed)
        #expect(c.job(parent).result == H.h(0xff))
        // Node earned 4 × 10,000 fuel × 10 Gholon; requester got 4 × unused fee back.
        #expect(c.balance(H.node) == 1 * .emt + 400_000 * .gholon)
        #expect(c.balance(H.requester) == 1 * .emt - 45_000 * .gholon - 400_000 * .gholon)
        #expect(c.balance(H.verifier) == 45_000 * .gholon)
    }

    @Test func splitArgumentChecks() {
        let c = splitChain()
        #expect(c.send(H.splitter, .split(.init(parentJob: parent, jobIds: [children[0], children[0]],
                                                datasets: [H.h(1), H.h(2)], fuelLimits: [1, 1]))) == .invalidArguments)
        #expect(c.send(H.splitter, .split(.init(parentJob: parent, jobIds: [children[0]],
                                                datasets: [], fuelLimits: [1]))) == .invalidArguments)
        #expect(c.send(H.splitter, .split(.init(parentJob: parent, jobIds: [parent],
                                                datasets: [H.h(1)], fuelLimits: [1]))) == .childExists)
        let single = H.jobId(0x77)
        c.send(H.requester, H.register(single, fuelLimit: 10, fuelPrice: 1, deadline: 9_000))
        #expect(c.send(H.splitter, .split(.init(parentJob: single, jobIds: [children[0]],
                                                datasets: [H.h(1)], fuelLimits: [1]))) == .notSplittable)
    }
}
