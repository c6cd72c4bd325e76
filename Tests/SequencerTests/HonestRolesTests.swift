import Core
import Testing
@testable import Sequencer

/// The verifier is a third party: it may not Verify or Reject a job it processed or owns.
/// Before this rule a verifier could Process a job, Submit fuelUsed = fuelLimit and Verify
/// it, taking the whole fee limit plus the verifier fee for no work.
@Suite struct HonestRolesTests {
    typealias H = STFHarness
    let job = H.jobId(9)
    static let funds = UInt256(1) * .emt

    /// A job owned by `owner`, processed and submitted by `node` (120,000 fuel at 120 Gholon).
    func submitted(owner: Address, node: Address) -> H {
        let c = H()
        for a in [H.requester, H.node, H.verifier] { c.deposit(a, Self.funds) }
        #expect(c.send(owner, H.register(job, fuelLimit: 120_000, fuelPrice: 120 * .gholon, deadline: 2_000)) == nil)
        #expect(c.send(node, .process(jobId: job)) == nil)
        #expect(c.send(node, .submit(jobId: job, result: H.h(0xaa), fuelUsed: 120_000)) == nil)
        return c
    }

    @Test(arguments: [true, false])
    func attackVerifierApprovesItsOwnWork(reject: Bool) {
        let c = submitted(owner: H.requester, node: H.verifier)
        let balanceBefore = c.balance(H.verifier)
        let call: L2Call = reject ? .reject(jobId: job) : .verify(jobId: job)
        #expect(c.send(H.verifier, call) == .verifierIsParty)
        #expect(c.job(job).status == .submitted)
        #expect(c.balance(H.verifier) == balanceBefore)
        #expect(c.job(job).nodeDeposit == UInt256(15_120_000) * .gholon)
        #expect(c.nonce(H.verifier) == 3)
    }

    @Test(arguments: [true, false])
    func verifierMayNotJudgeTheJobItOwns(reject: Bool) {
        let c = submitted(owner: H.verifier, node: H.node)
        let call: L2Call = reject ? .reject(jobId: job) : .verify(jobId: job)
        #expect(c.send(H.verifier, call) == .verifierIsParty)
        #expect(c.job(job).status == .submitted)
        #expect(c.job(job).escrow == UInt256(15_120_000) * .gholon)
    }

    @Test func aThirdPartyVerifierStillVerifies() {
        let c = submitted(owner: H.requester, node: H.node)
        #expect(c.send(H.verifier, .verify(jobId: job)) == nil)
        #expect(c.job(job).status == .verified)
        #expect(c.balance(H.verifier) == Self.funds + UInt256(720_000) * .gholon)
    }

    /// The role check comes first: a stranger gets NOT_VERIFIER, not VERIFIER_IS_PARTY.
    @Test func theRoleCheckComesFirst() {
        let c = submitted(owner: H.requester, node: H.node)
        #expect(c.send(H.node, .verify(jobId: job)) == .notVerifier)
    }
}
