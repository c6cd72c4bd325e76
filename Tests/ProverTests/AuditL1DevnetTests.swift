import Bridge
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The L1 checks reading the real L1: commit and inbox times from L1 blocks, and `Claimed`
/// events — an honest ticket claim passes, a claim with a ticket the Signer signed above the
/// replayed credit is reported as a Signer fault naming the account, the L1 tx and the amounts.
@Suite(.serialized) struct AuditL1DevnetTests {
    typealias F = BridgeFixture

    @Test func aTicketAboveTheReplayedCreditIsASignerFaultAndHonestClaimsPass() async throws {
        let f = try await F(challengePeriod: 3_600)
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(2)
        let store = try BridgeStore(path: f.bridgeDir)
        try await f.postAll(try f.poster(store, try f.txManager(store), maxBlocks: 2))
        let chain = try f.openEngine().store
        let a = f.users[0], b = f.users[1]

        let honest = try #require(try chain.latestTicket(a.address))
        try await f.l1(a).send(to: f.deployment.rollup, data: try RollupContract.claimWithTicket.encodeCall(
            [.address(a.address), .uint(honest.credit), .uint(UInt256(honest.blockNumber)), .bytes(honest.signature)]), what: "claim")
        // The Signer (its key leaked, or it is dishonest) signs b a ticket above b's credit at block 2.
        // L1 pays it only within the committed credit nobody has claimed yet (here the third
        // user's), so it takes 1 wei of another user's credit: L1 cannot tell, the auditor can.
        let real = try #require(try chain.account(b.address)).credit
        let forged = Signer(key: f.signer, chainId: 31337, rollup: f.deployment.rollup).ticket(account: b.address, credit: real + 1, blockNumber: 2)
        let receipt = try await f.l1(b).send(to: f.deployment.rollup, data: try RollupContract.claimWithTicket.encodeCall(
            [.address(b.address), .uint(forged.credit), .uint(UInt256(2)), .bytes(forged.signature)]), what: "claim")

        let source = try await L1Source.open(L1History(rollup: f.rollup, fromBlock: f.deployment.block))
        let facts = try await source.facts()
        #expect(facts.claims.map(\.account) == [a.address, b.address])
        #expect(facts.claims.allSatisfy { $0.method == L1Facts.Claim.ticket })
        #expect(facts.claims[1].credit == forged.credit && facts.claims[1].amount == forged.credit && facts.claims[1].reference == 2)
        let commitBlock = try #require(try await f.eth.block(.number(source.commits[0].l1Block)))
        #expect(facts.commitTimes == [0: commitBlock.timestamp])
        #expect(facts.inboxTimes.keys.sorted() == [0, 1, 2])

        let report = try await Audit.replay(source, genesis: f.genesis)
        #expect(report.divergence == nil && report.batches == 1)
        #expect(report.faults.count == 1)
        let fault = try #require(report.faults.first)
        #expect(fault.party == .signer && fault.divergence.batch == 0 && fault.divergence.block == 2 && fault.divergence.field == "claim.credit")
        #expect(fault.divergence.expected == "≤ \(real)" && fault.divergence.found == forged.credit.description)
        #expect(fault.divergence.detail.contains(b.address.checksummed) && fault.divergence.detail.contains(receipt.transactionHash.hex))
    }
}
