import Core
import Testing
@testable import Sequencer

/// A block's state reads each record of its base once (absent ones included), shares what it
/// read with its copies, and its own changes always win over what it read.
@Suite struct WorldStateReadsTests {
    final class CountingSource: StateSource {
        var accounts: [Address: Account] = [:]
        var jobs: [JobID: Job] = [:]
        var accountReads = 0, jobReads = 0
        func account(_ a: Address) throws -> Account? { accountReads += 1; return accounts[a] }
        func job(_ id: JobID) throws -> Job? { jobReads += 1; return jobs[id] }
    }

    static let alice = try! Address("0x" + String(repeating: "11", count: 20))
    static let bob = try! Address("0x" + String(repeating: "22", count: 20))
    static let jobId = try! JobID(bytes: Bytes(repeating: 7, count: 16))

    static func job(escrow: UInt256) -> Job {
        Job(id: jobId, owner: alice, parentJob: .zero, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
            fuelLimit: 100, fuelPrice: 5, deadline: 9_000, status: .requested, node: .zero, fuelUsed: .zero, result: .zero,
            escrow: escrow, nodeDeposit: .zero, childCount: 0, verifiedChildren: 0, createdAt: 10, updatedAt: 10)
    }

    @Test func accountsAreReadFromTheBaseOnce() throws {
        let base = CountingSource()
        base.accounts[Self.alice] = Account(balance: 500, nonce: 3)
        var totals = Totals()
        totals.totalBalances = 500
        var s = WorldState(base: base, totals: totals, inboxCursor: 0)
        #expect(try s.account(Self.alice) == Account(balance: 500, nonce: 3))
        #expect(try s.account(Self.alice) == Account(balance: 500, nonce: 3))
        #expect(try s.baseAccount(Self.alice) == Account(balance: 500, nonce: 3))
        #expect(base.accountReads == 1)
        // An absent record is remembered as absent.
        #expect(try s.account(Self.bob) == .empty)
        #expect(try s.baseAccount(Self.bob) == nil)
        #expect(base.accountReads == 2)
        // A copy shares what was read.
        let copy = s
        #expect(try copy.account(Self.alice).nonce == 3)
        #expect(base.accountReads == 2)
        // The state's own change wins; the base's value is still the base's; the sums moved once.
        try s.setAccount(Self.alice, Account(balance: 120, nonce: 4))
        #expect(try s.account(Self.alice) == Account(balance: 120, nonce: 4))
        #expect(try s.baseAccount(Self.alice) == Account(balance: 500, nonce: 3))
        #expect(try copy.account(Self.alice) == Account(balance: 500, nonce: 3))
        #expect(s.totals.totalBalances == 120)
        #expect(base.accountReads == 2)
    }

    @Test func jobsAreReadFromTheBaseOnceAbsentOrPresent() throws {
        let base = CountingSource()
        var s = WorldState(base: base, totals: Totals(), inboxCursor: 0)
        // Registering: looked up (absent), then set (the sums read the old version again).
        #expect(try s.job(Self.jobId) == nil)
        try s.setJob(Self.job(escrow: 700))
        #expect(base.jobReads == 1)
        #expect(try s.baseJob(Self.jobId) == nil)
        #expect(try s.job(Self.jobId)?.escrow == 700)
        #expect(s.totals.totalEscrow == 700)
        #expect(base.jobReads == 1)

        // A job that exists in the base: read once for the check, the sums and the job index.
        base.jobs[Self.jobId] = Self.job(escrow: 700)
        var t = WorldState(base: base, totals: s.totals, inboxCursor: 0)
        #expect(try t.job(Self.jobId)?.escrow == 700)
        try t.setJob(Self.job(escrow: 0))
        #expect(try t.baseJob(Self.jobId)?.escrow == 700)
        #expect(try t.job(Self.jobId)?.escrow == 0)
        #expect(t.totals.totalEscrow == 0)
        #expect(base.jobReads == 2)
    }
}
