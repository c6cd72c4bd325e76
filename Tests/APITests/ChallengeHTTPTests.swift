import API
import Core
import Foundation
import Sequencer
import Testing

/// A bridge whose poster halted at a challenged batch (or runs normally).
final class HaltedBatches: BatchStatusProvider, Sendable {
    let challenged: UInt64?
    init(challenged: UInt64?) { self.challenged = challenged }
    func batch(containing block: UInt64) -> BatchStatus? { nil }
    func batch(index: UInt64) -> BatchStatus? { nil }
    var latestFinal: BatchStatus? { nil }
    var challengedAtBatch: UInt64? { challenged }
}

/// What /health, /metrics and receipts say after a challenge and after an operator's rollback.
@Suite struct ChallengeHTTPTests {
    typealias C = TestChain

    @Test func aHaltedPosterMakesHealthSayChallengedAndMetricsShowTheBatch() async throws {
        try await LiveService.with(batches: HaltedBatches(challenged: 3)) { s in
            let health = try await s.http("GET", "/health")
            #expect(health.status == 503)
            let j = try JSONValue.parse(health.body)
            #expect(j["status"] == .string("challenged") && j["challengedAtBatch"] == .int(3) && j["head"] == .int(0))
            #expect(j["error"]?.stringValue?.contains("rollback --to-batch 3") == true)
            let metrics = try await s.http("GET", "/metrics").body
            #expect(metrics.contains("emeth_bridge_halted 1\n") && metrics.contains("emeth_bridge_challenged_batch 3\n"))
        }
        try await LiveService.with(batches: HaltedBatches(challenged: nil)) { s in
            #expect(try await s.http("GET", "/health").status == 200)
            let metrics = try await s.http("GET", "/metrics").body
            #expect(metrics.contains("emeth_bridge_halted 0\n") && !metrics.contains("emeth_bridge_challenged_batch"))
        }
    }

    /// Two blocks of transactions, rolled back to block 1: the dropped ones say pending +
    /// rolledBack until re-admitted; re-admission puts them back (one is refused: another
    /// transaction took its nonce), and the refused one's receipt says dropped with the reason.
    @Test func receiptsOfRolledBackTransactions() async throws {
        let s = try await LiveService.start()
        try s.deposit(C.node.address, C.emt)
        try await s.waitBlock(1)
        let a = try await s.send(C.wire(.withdraw(amount: 5), nonce: 0, by: C.node))
        _ = try await s.waitSequenced(a)
        let b = try await s.send(C.wire(.withdraw(amount: 6), nonce: 1, by: C.node))
        let bReceipt = try await s.waitSequenced(b)
        #expect(bReceipt["blockNumber"] != .string("0x1"))
        try await s.stop(removeData: false)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }

        let out = try ChainRollback.truncate(path: s.dir, genesis: C.genesis, to: 1)
        #expect(out.newHead == 1 && out.droppedTransactions == 2 && out.inboxCursor == 1)
        let store = try ChainStore(path: s.dir, genesis: C.genesis)
        #expect(store.head.number == 1)
        #expect(try store.account(C.node.address) == Account(balance: C.emt, nonce: 0, credit: 0))
        #expect(try store.location(of: try Hash32(hex: a)) == nil)
        store.db.close()

        let again = try await LiveService.start(dir: s.dir)
        let pending = try await again.result("emeth_getTransactionReceipt", [.string(a)])
        #expect(pending["status"] == .string("pending") && pending["rolledBack"] == .bool(true) && pending["blockNumber"] == .null)
        // Before re-admission another transaction takes nonce 1: the rolled-back one is refused.
        let other = try await again.send(C.wire(.withdraw(amount: 7), nonce: 1, by: C.node))
        _ = other
        let back = try again.service.engine.withEngine { try ChainRollback.readmit($0, nowMs: 0) }
        let (ha, hb) = (try Hash32(hex: a), try Hash32(hex: b))
        #expect(back.accepted == [ha] && back.refused.map(\.0) == [hb])
        _ = try await again.waitSequenced(a)
        let dropped = try await again.result("emeth_getTransactionReceipt", [.string(b)])
        #expect(dropped["status"] == .string("dropped") && dropped["droppedBy"] == .string("rollback"))
        #expect(dropped["reason"]?.stringValue?.contains("nonce") == true)
        let sequenced = try await again.result("emeth_getTransactionReceipt", [.string(a)])
        #expect(sequenced["status"] == .string("sequenced") && sequenced["rolledBack"] == nil)
        try await again.stop(removeData: false)
    }
}

/// Re-admission waits for the inbox: a rolled-back Withdraw that spent a deposit of a dropped
/// block is not re-executed before that deposit is back (it would fail for want of balance).
@Suite struct RollbackInboxOrderTests {
    typealias C = TestChain

    @Test func rolledBackTransactionsWaitForTheDepositsOfTheirBlocks() throws {
        let dir = C.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let deposit = InboxMessage(index: 0, kind: .deposit, account: C.node.address, amount: C.emt, l1Block: 5)
        let withdraw = try L2Envelope.parse(C.wire(.withdraw(amount: 5), nonce: 0, by: C.node))
        do {
            let e = SequencerEngine(store: try ChainStore(path: dir, genesis: C.genesis), signerKey: C.signerKey)
            try e.enqueue(deposit)
            try e.submit(withdraw)
            let b = try #require(try e.seal(timestamp: 2_000))
            #expect(b.inbox.count == 1 && b.receipts.map(\.success) == [true])
            e.store.db.close()
        }
        _ = try ChainRollback.truncate(path: dir, genesis: C.genesis, to: 0)
        let e = SequencerEngine(store: try ChainStore(path: dir, genesis: C.genesis), signerKey: C.signerKey)
        defer { e.store.db.close() }
        #expect(try ChainRollback.awaitedInboxCursor(e.store.db) == 1)
        #expect(try ChainRollback.readmit(e, nowMs: 0, waitForInbox: true) == nil)   // the deposit is not back yet
        #expect(e.mempool.count == 0)
        try e.enqueue(deposit)                                                       // the watcher reads it again
        let r = try #require(try ChainRollback.readmit(e, nowMs: 0, waitForInbox: true))
        #expect(r.accepted.count == 1 && r.refused.isEmpty)
        let again = try #require(try e.seal(timestamp: 2_010))
        #expect(again.inbox.count == 1 && again.transactions.count == 1 && again.receipts.map(\.success) == [true])
        #expect(try e.store.account(C.node.address) == Account(balance: C.emt - 5, nonce: 1, credit: 5))
    }
}
