import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The checks that bind the replayed chain to L1: block times against the L1 commit times,
/// L1 claims against the replayed credits (Signer faults), and inbox messages left out past
/// the force-inclusion delay (sequencer faults). The local chain's block n is dated 1000 + 10·n;
/// batches are 0 (blocks 1–2), 1 (3–4), 2 (5–6), 3 (7–8); inbox 0–3 in block 1, 4 in block 5.
@Suite(.serialized) struct AuditL1ChecksTests {
    typealias C = AuditLocalChain
    static let chain = try! AuditLocalChain()
    var c: AuditLocalChain { Self.chain }

    func replay(_ facts: L1Facts, inbox: [InboxMessage]? = nil) throws -> AuditReport {
        let r = try Replayer(genesis: c.genesis, inbox: try InboxLog(inbox ?? c.inbox))
        defer { r.close() }
        r.facts = facts
        for b in c.batches where try r.check(b) != nil { break }
        return r.report
    }

    @Test func aBlockDatedAfterItsL1CommitPlusTheSkewDiverges() throws {
        var facts = L1Facts()
        facts.commitTimes = [0: 900, 1: 2_000, 2: 2_000, 3: 2_000]   // block 2 (1020) ≤ 900 + 120: allowed
        #expect(try replay(facts).ok)
        facts.commitTimes[0] = 899
        let d = try #require(try replay(facts).divergence)
        #expect(d.batch == 0 && d.block == 2 && d.tx == nil && d.field == "timestamp")
        #expect(d.expected == "≤ 1019" && d.found == "1020")
        #expect(d.detail.contains("L1 time 899 + 120 s"))
        facts.timestampSkew = 121
        #expect(try replay(facts).ok)
    }

    @Test func aClaimAboveTheReplayedCreditIsASignerFault() throws {
        let u1 = C.users[1].address
        // u1's credit after block 2 (its Withdraw of 5 EMT) and after block 4, the end of batch 1.
        let atBlock2 = try #require(c.blocks[1].tickets.first { $0.account == u1 }).credit
        #expect(atBlock2 == UInt256(5) * C.emt)
        let tx1 = Bytes(repeating: 0xA1, count: 32), tx2 = Bytes(repeating: 0xB2, count: 32)
        var facts = L1Facts()
        facts.claims = [L1Facts.Claim(account: u1, amount: atBlock2, credit: atBlock2, method: 2, reference: 2, l1TxHash: tx1, l1Block: 40),
                        L1Facts.Claim(account: u1, amount: .zero, credit: atBlock2, method: 1, reference: 1, l1TxHash: tx2, l1Block: 41)]
        #expect(try replay(facts).ok)

        let over = atBlock2 + UInt256(1)
        facts.claims = [L1Facts.Claim(account: u1, amount: over, credit: over, method: 2, reference: 2, l1TxHash: tx1, l1Block: 40),
                        L1Facts.Claim(account: u1, amount: UInt256(1), credit: over, method: 1, reference: 0, l1TxHash: tx2, l1Block: 41)]
        let r = try replay(facts)
        #expect(r.divergence == nil && !r.ok && r.batches == 4)   // not a divergence: the chain itself is right
        #expect(r.faults.count == 2)
        let ticket = r.faults[0], proof = r.faults[1]
        #expect(ticket.party == .signer && ticket.divergence.batch == 0 && ticket.divergence.block == 2)
        #expect(ticket.divergence.field == "claim.credit" && ticket.divergence.expected == "≤ \(atBlock2)" && ticket.divergence.found == over.description)
        #expect(ticket.divergence.detail.contains(u1.checksummed) && ticket.divergence.detail.contains(tx1.hex)
                && ticket.divergence.detail.contains("Signer ticket for block 2"))
        #expect(proof.party == .signer && proof.divergence.batch == 0 && proof.divergence.block == 2 && proof.divergence.detail.contains(tx2.hex)
                && proof.divergence.detail.contains("proof against batch 0"))
        #expect(r.json["faults"]?.arrayValue?.first?["party"] == .string("signer"))
        #expect(r.summary.hasPrefix("FAULT (signer) at batch 0, block 2: claim.credit"))
    }

    @Test func anInboxMessageLeftOutPastTheDelayIsASequencerFault() throws {
        // Message 5 is on L1 but no block applies it; batch 3 (cursor 5) is committed at L1 time 5000.
        let extra = InboxMessage(index: 5, kind: .deposit, account: C.users[0].address, amount: UInt256(9) * C.emt, l1Block: 90)
        var facts = L1Facts()
        facts.commitTimes = [3: 5_000]
        facts.inboxTimes = [5: 4_400]
        facts.forceInclusionDelay = 600
        #expect(try replay(facts, inbox: c.inbox + [extra]).ok)       // waited exactly the delay: not overdue
        facts.inboxTimes[5] = 4_399
        let r = try replay(facts, inbox: c.inbox + [extra])
        #expect(r.divergence == nil && r.faults.count == 1)
        let f = try #require(r.faults.first)
        #expect(f.party == .sequencer && f.divergence.batch == 3 && f.divergence.block == nil && f.divergence.field == "inboxCursor")
        #expect(f.divergence.found == "5" && f.divergence.detail.contains("inbox message 5 was appended on L1 at time 4399, 601 s before"))
        // Unknown delay (a contract without forceInclusionDelay): the check is skipped.
        facts.forceInclusionDelay = nil
        #expect(try replay(facts, inbox: c.inbox + [extra]).ok)
    }
}
