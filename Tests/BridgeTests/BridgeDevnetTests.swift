import Core
import Foundation
import Testing
@testable import Bridge
@testable import Sequencer

/// The bridge against the real local L1: deployment, the inbox watcher, batch posting with the
/// commitment read back, claims, an L1 reorg, a fee bump and an endpoint outage.
@Suite(.serialized) struct BridgeDevnetTests {
    typealias F = BridgeFixture

    @Test func depositsFlowThroughTheWatcherExactlyOnceAndInOrder() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        var watcher = InboxWatcher(rollup: f.rollup, confirmations: 1)
        let all = try await watcher.poll(next: 0)
        #expect(all.map(\.index) == [0, 1, 2])
        #expect(all.map(\.account) == f.users.map(\.address))
        #expect(all.allSatisfy { $0.kind == .deposit && $0.amount == UInt256(100) * F.emt && $0.jobId == .zero })
        #expect(try await watcher.poll(next: 3) == [])
        // A restarted sequencer that sealed only message 0 asks again from 1: it gets 1 and 2.
        var fresh = InboxWatcher(rollup: f.rollup, confirmations: 1)
        #expect(try await fresh.poll(next: 1).map(\.index) == [1, 2])
        // A deeper confirmation depth holds back the newest messages.
        var deep = InboxWatcher(rollup: f.rollup, confirmations: 4)
        let held = try await deep.poll(next: 0)
        #expect(held.count < 3)
        // The engine takes them once: a second delivery of the same index is refused.
        let e = try f.openEngine()
        for m in all { try e.enqueue(m) }
        #expect(throws: ChainStore.Error.self) { try e.enqueue(all[0]) }
        try e.seal(timestamp: f.genesis.timestamp + 1)
        for u in f.users { #expect(try e.store.account(u.address)?.balance == UInt256(100) * F.emt) }
        #expect(e.store.inboxCursor == 3)
        #expect(try await watcher.poll(next: e.store.inboxCursor) == [])
    }

    @Test func batchesArePostedAndTheirCommitmentsEqualTheHeaders() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        let blocks = try await f.sealBlocks(5)
        let store = try BridgeStore(path: f.bridgeDir)
        let txm = try f.txManager(store)
        let poster = try f.poster(store, txm, maxBlocks: 2)
        try await f.postAll(poster)
        let chain = try f.openEngine().store
        #expect(try await f.rollup.batchCount() == 3)  // blocks 1–2, 3–4, 5
        var first: UInt64 = 1
        for i in UInt64(0)..<3 {
            let b = try await f.rollup.batch(i)
            let range = first...min(first + 1, 5)
            let sealed = try range.map { try #require(try chain.block($0)) }
            let totals = try #require(try chain.totals(at: range.upperBound))
            #expect(b.firstBlock == range.lowerBound && b.lastBlock == range.upperBound)
            #expect(b.settlementRoot == BatchSettlement(blocks: sealed).root)
            #expect(b.totalCredit == totals.totalCredit && b.totalBurned == totals.totalBurned)
            #expect(b.inboxCursor == 3)
            let record = try #require(try await poster.record(i))
            #expect(record.status == .committed)
            // The calldata on L1 decodes to exactly these blocks.
            let tx = try await f.eth.rpc.call("eth_getTransactionByHash", [.string(record.l1TxHash.hex)])
            let input = try Hex.decode(try #require(tx["input"]?.stringValue))
            let c = try BatchCommitment(calldata: input)
            #expect(c.lastBlockHash == sealed.last!.hash && c.stateRoot == sealed.last!.header.stateRoot)
            #expect(try BatchCodec.decode(c.data) == sealed.map(BatchCodec.Block.init))
            // And the stored commitment hash binds all of it.
            let committedAt = b.committedAt
            let encoded = try ABIFunction(signature: "f(uint256,uint256,uint256,bytes32,bytes32,bytes32,uint256,uint256,uint256,bytes32,uint256)")
                .encodeCall([.uint(UInt256(i)), .uint(UInt256(c.firstBlock)), .uint(UInt256(c.lastBlock)), .fixedBytes(c.lastBlockHash.bytes),
                             .fixedBytes(c.stateRoot.bytes), .fixedBytes(c.settlementRoot.bytes), .uint(c.totalCredit), .uint(c.totalBurned),
                             .uint(UInt256(c.inboxCursor)), .fixedBytes(c.dataHash.bytes), .uint(UInt256(committedAt))]).dropFirst(4)
            #expect(b.commitment.bytes == Keccak.hash256(Array(encoded)))
            first = range.upperBound + 1
        }
        // Exactly one L1 transaction per batch: no duplicate, no reverted post.
        #expect(try await f.eth.transactionCount(of: f.sequencer.address) == 3)
        _ = blocks
    }

    @Test func batchesWaitForSizeAgeOrBlockCount() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(3)
        let store = try BridgeStore(path: f.bridgeDir)
        let txm = try f.txManager(store)
        let clock = TestClock()
        clock.ms = (f.genesis.timestamp + 10) * 1000   // the blocks are 7–9 s old
        var policy = BatchPolicy()
        policy.minDataBytes = 1_000_000
        policy.maxAgeMs = 60_000
        policy.maxBlocks = 4
        let poster = BatchPoster(chain: try f.openEngine().store, store: store, rollup: f.rollup, txm: txm, policy: policy,
                                 now: { clock.ms })
        #expect(try await poster.step().decided == [])          // small, young, under maxBlocks: wait
        try await f.sealBlocks(1)
        #expect(try await poster.step().decided == [0])         // four blocks: maxBlocks reached
        #expect(try await poster.record(0)?.lastBlock == 4)
        try await f.sealBlocks(1)
        #expect(try await poster.step().decided == [])
        clock.ms += 61_000
        #expect(try await poster.step().decided == [1])         // the oldest waiting block is over a minute old
    }

    @Test func claimsByTicketAndByProofPayExactlyOnce() async throws {
        let f = try await F(challengePeriod: 5)
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(3)
        let store = try BridgeStore(path: f.bridgeDir)
        let poster = try f.poster(store, try f.txManager(store), maxBlocks: 3)
        try await f.postAll(poster)
        _ = try await f.devnetCall("evm_increaseTime", [.string("0x10")])
        _ = try await f.devnetCall("evm_mine")
        #expect(try await f.rollup.isFinal(0))
        // The poster sees it final, and its rounds start after it from now on.
        #expect(try await poster.step().finalized == [0])
        #expect(try await poster.record(0)?.status == .final)
        #expect(try await poster.firstOpen() == 1)
        let chain = try f.openEngine().store
        let token = f.deployment.token
        let a = f.users[0], b = f.users[1]

        // By ticket: the Signer's latest ticket for a.
        let ticket = try #require(try chain.latestTicket(a.address))
        let before = try await f.rollup.tokenBalance(a.address, token: token)
        let byTicket = try RollupContract.claimWithTicket.encodeCall([.address(a.address), .uint(ticket.credit), .uint(UInt256(ticket.blockNumber)), .bytes(ticket.signature)])
        try await f.l1(a).send(to: f.deployment.rollup, data: byTicket, what: "claim")
        #expect(try await f.rollup.tokenBalance(a.address, token: token) == before + ticket.credit)
        await #expect(throws: L1Sender.Error.self) { try await f.l1(a).send(to: f.deployment.rollup, data: byTicket, what: "claim") }

        // By proof against final batch 0, for b (submitted by a stranger: b is paid).
        let settlement = BatchSettlement(blocks: try (1...3).map { try #require(try chain.block($0)) })
        let (credit, proof) = try #require(settlement.proof(for: b.address))
        #expect(credit == (try chain.account(b.address))?.credit)
        let byProof = try RollupContract.claim.encodeCall([.address(b.address), .uint(credit), .uint(0), .array(proof.map { .fixedBytes($0.bytes) })])
        let bBefore = try await f.rollup.tokenBalance(b.address, token: token)
        try await f.l1(f.owner).send(to: f.deployment.rollup, data: byProof, what: "claim")
        #expect(try await f.rollup.tokenBalance(b.address, token: token) == bBefore + credit)
        #expect(try await f.rollup.claimed(b.address) == credit)
        await #expect(throws: L1Sender.Error.self) { try await f.l1(b).send(to: f.deployment.rollup, data: byProof, what: "claim") }
        // b's ticket of the same credit pays nothing now either.
        let bTicket = try #require(try chain.latestTicket(b.address))
        #expect(bTicket.credit == credit)
        await #expect(throws: L1Sender.Error.self) {
            try await f.l1(b).send(to: f.deployment.rollup, data: try RollupContract.claimWithTicket.encodeCall(
                [.address(b.address), .uint(bTicket.credit), .uint(UInt256(bTicket.blockNumber)), .bytes(bTicket.signature)]), what: "claim")
        }
    }

    @Test func anL1ReorgAfterTheBatchWasMinedIsDetectedAndTheBatchReposted() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(2)
        let store = try BridgeStore(path: f.bridgeDir)
        let txm = try f.txManager(store, confirmations: 4)
        let poster = try f.poster(store, txm, maxBlocks: 2)
        let snapshot = try await f.devnetCall("evm_snapshot")
        try await poster.step()   // decides batch 0
        try await poster.step()   // posts it (automine: mined at once)
        try await poster.step()   // sees the receipt: mined, not yet 4 deep
        let mined = try #require(try await txm.record(id: "batch/0/0"))
        #expect(mined.state == .mined)
        #expect(try await f.rollup.batchCount() == 1)
        // The L1 chain goes back to before the batch: its block, receipt and pool entry vanish.
        #expect(try await f.devnetCall("evm_revert", [snapshot]) == .bool(true))
        #expect(try await f.rollup.batchCount() == 0)
        // L1 goes on producing blocks; the poster notices, re-sends, and waits for 4 confirmations.
        for _ in 0..<40 {
            let p = try await poster.step()
            if p.backlogBlocks == 0 && p.inFlight == 0 { break }
            _ = try await f.devnetCall("evm_mine")
        }
        let confirmed = try #require(try await txm.record(id: "batch/0/0"))
        #expect(confirmed.state == .confirmed && confirmed.success)
        #expect(confirmed.attempts.count == 1)   // the same signed transaction, sent again
        #expect(try await f.rollup.batchCount() == 1)
        #expect(try await f.rollup.batch(0).lastBlock == 2)
        #expect(try await f.eth.transactionCount(of: f.sequencer.address) == 1)
    }

    @Test func aStuckTransactionIsBumpedByTwelveAndAHalfPercentAndMined() async throws {
        let f = try await F()
        let clock = TestClock()
        let store = try BridgeStore(path: f.bridgeDir)
        let txm = try f.txManager(store, bumpAfterMs: 10_000, now: { clock.ms })
        _ = try await f.devnetCall("evm_setAutomine", [.bool(false)])
        let intent = TxIntent(id: "transfer/1", to: f.owner.address, data: [], value: UInt256(7))
        let first = try await txm.submit(intent)
        #expect(first.state == .pending && first.attempts.count == 1)
        try await txm.poll()
        #expect(try await txm.record(id: "transfer/1")?.attempts.count == 1)   // not yet due
        clock.ms += 10_001
        try await txm.poll()
        let bumped = try #require(try await txm.record(id: "transfer/1"))
        #expect(bumped.attempts.count == 2)
        let (old, new) = (bumped.attempts[0], bumped.attempts[1])
        #expect(new.maxFeePerGas * UInt256(1000) >= old.maxFeePerGas * UInt256(1125))
        #expect(new.maxPriorityFeePerGas * UInt256(1000) >= old.maxPriorityFeePerGas * UInt256(1125))
        // Submitting the same intent again returns the same transaction, not a second one.
        #expect(try await txm.submit(intent).nonce == first.nonce)
        _ = try await f.devnetCall("evm_mine")
        try await txm.poll()
        let mined = try #require(try await txm.record(id: "transfer/1"))
        #expect(mined.state == .confirmed)
        #expect(mined.minedHash == new.hash)
        #expect(try await f.eth.transactionCount(of: f.sequencer.address) == 1)
    }

    /// The outage is injected by the devnet (`devnet_failNextRequests`: the next n requests
    /// fail), so it is counted in requests, not seconds: the client retries every call three
    /// times with a growing pause, a step whose call runs out of attempts fails, the next one
    /// goes on, and every injected failure was met before the backlog was posted, exactly once.
    @Test func anEndpointOutageIsSurvivedWithBackoff() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(4)
        let store = try BridgeStore(path: f.bridgeDir)
        let poster = try f.poster(store, try f.txManager(store), maxBlocks: 1)
        try await poster.step()
        let failedBefore = try await Self.faultsFailed(f)

        // Backoff: a call that meets two failures (HTTP 503) is retried after 200 and 400 ms
        // and succeeds on its third attempt.
        let client = JSONRPCClient(url: f.devnet.url, timeout: 30, maxAttempts: 3)
        _ = try await f.devnetCall("devnet_failNextRequests", [.string("0x2")])
        let t0 = Date()
        #expect(try await client.call("eth_chainId") == .string("0x7a69"))
        #expect(Date().timeIntervalSince(t0) >= 0.6, "retried without backing off")   // a lower bound: sleeps never end early
        #expect(try await Self.faultsFailed(f) == failedBefore + 2)

        // An outage of eight requests: with three attempts per call, two steps fail (3 + 3
        // failures) and the third gets through after two more.
        _ = try await f.devnetCall("devnet_failNextRequests", [.string("0x8")])
        var failures = 0
        var done = false
        for _ in 0..<50 where !done {
            do {
                let p = try await poster.step()
                done = p.backlogBlocks == 0 && p.inFlight == 0
            } catch {
                failures += 1
            }
        }
        let status = try await f.devnetCall("devnet_faultStatus")
        #expect(status["remaining"] == .string("0x0"))
        #expect(try await Self.faultsFailed(f) == failedBefore + 10)
        #expect(failures == 2)  // the outage was felt…
        #expect(done)           // …and survived
        #expect(try await f.rollup.batchCount() == 4)
        #expect(try await f.eth.transactionCount(of: f.sequencer.address) == 4)
    }

    static func faultsFailed(_ f: F) async throws -> UInt64 {
        let status = try await f.devnetCall("devnet_faultStatus")
        return UInt64(try #require(status["failed"]?.stringValue).dropFirst(2), radix: 16) ?? 0
    }
}

/// A settable clock for the bump schedule.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 1_000_000
    var ms: UInt64 {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
