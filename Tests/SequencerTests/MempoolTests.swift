import Core
import Testing
@testable import Sequencer

@Suite struct MempoolTests {
    static let a = STFHarness.requester, b = STFHarness.node

    func tx(_ s: Address, _ nonce: UInt64, _ tag: UInt8) -> L2Transaction {
        L2Transaction(call: .withdraw(amount: 1), nonce: nonce, sender: s, hash: STFHarness.h(tag), signature: [])
    }

    @Test func futureNoncesWaitForTheGapAndLeaveInArrivalOrder() throws {
        var pool = Mempool()
        try pool.add(tx(Self.a, 1, 1), bytes: 10, chainNonce: 0)  // waits for nonce 0
        try pool.add(tx(Self.b, 5, 2), bytes: 10, chainNonce: 5)  // ready
        #expect(pool.readyCount == 1)
        try pool.add(tx(Self.a, 0, 3), bytes: 10, chainNonce: 0)  // ready; then promotes nonce 1
        let taken = pool.take(maxTxs: 10, maxBytes: 1_000)
        #expect(taken.map(\.hash) == [STFHarness.h(2), STFHarness.h(3), STFHarness.h(1)])
        #expect(pool.count == 0)
    }

    @Test func refusals() throws {
        var pool = Mempool(maxSize: 3, maxPerSender: 2, maxNonceAhead: 4)
        try pool.add(tx(Self.a, 3, 1), bytes: 10, chainNonce: 3)
        #expect(throws: Mempool.Refusal.alreadyKnown(STFHarness.h(1))) { try pool.add(tx(Self.a, 4, 1), bytes: 10, chainNonce: 3) }
        #expect(throws: Mempool.Refusal.nonceTooLow(expected: 3, got: 2)) { try pool.add(tx(Self.a, 2, 2), bytes: 10, chainNonce: 3) }
        #expect(throws: Mempool.Refusal.nonceTooHigh(expected: 3, got: 8, maxAhead: 4)) { try pool.add(tx(Self.a, 8, 3), bytes: 10, chainNonce: 3) }
        #expect(throws: Mempool.Refusal.nonceTaken(3)) { try pool.add(tx(Self.a, 3, 4), bytes: 10, chainNonce: 3) }
        try pool.add(tx(Self.a, 4, 5), bytes: 10, chainNonce: 3)
        #expect(throws: Mempool.Refusal.senderFull(limit: 2)) { try pool.add(tx(Self.a, 5, 6), bytes: 10, chainNonce: 3) }
        try pool.add(tx(Self.b, 0, 7), bytes: 10, chainNonce: 0)
        #expect(throws: Mempool.Refusal.full(limit: 3)) { try pool.add(tx(Self.b, 1, 8), bytes: 10, chainNonce: 0) }
        // After a block takes them, the next nonce is what the pool expects.
        #expect(pool.take(maxTxs: 2, maxBytes: 1_000).count == 2)
        // a4 arrived before b0, so it goes second once a3 is taken. The pool then holds nothing
        // of a and has forgotten it: the chain's nonce (5 once the block commits) rules.
        #expect(pool.senderCount == 1)
        #expect(throws: Mempool.Refusal.nonceTooLow(expected: 5, got: 3)) { try pool.add(tx(Self.a, 3, 9), bytes: 10, chainNonce: 5) }
    }

    @Test func byteLimitStopsTheBlock() throws {
        var pool = Mempool()
        for k in 0..<5 { try pool.add(tx(Self.a, UInt64(k), UInt8(10 + k)), bytes: 300, chainNonce: 0) }
        #expect(pool.take(maxTxs: 100, maxBytes: 1_000).count == 3)
        #expect(pool.readyCount == 1)
    }

    @Test func sealPolicy() {
        let p = SealPolicy(maxTxs: 3, maxBytes: 100, blockTimeMs: 500, heartbeatMs: 0)
        #expect(p.shouldSeal(pendingTxs: 3, pendingBytes: 1, pendingInbox: 0, sincePendingMs: 0, sinceLastSealMs: 0) == .maxTxs)
        #expect(p.shouldSeal(pendingTxs: 1, pendingBytes: 100, pendingInbox: 0, sincePendingMs: 0, sinceLastSealMs: 0) == .maxBytes)
        #expect(p.shouldSeal(pendingTxs: 1, pendingBytes: 1, pendingInbox: 0, sincePendingMs: 499, sinceLastSealMs: 0) == nil)
        #expect(p.shouldSeal(pendingTxs: 0, pendingBytes: 0, pendingInbox: 1, sincePendingMs: 500, sinceLastSealMs: 0) == .blockTime)
        #expect(p.shouldSeal(pendingTxs: 0, pendingBytes: 0, pendingInbox: 0, sincePendingMs: nil, sinceLastSealMs: 99_999) == nil)
        let hb = SealPolicy(maxTxs: 3, maxBytes: 100, blockTimeMs: 500, heartbeatMs: 2_000)
        #expect(hb.shouldSeal(pendingTxs: 0, pendingBytes: 0, pendingInbox: 0, sincePendingMs: nil, sinceLastSealMs: 2_000) == .heartbeat)
    }
}

/// Fairness under pressure (the liveness review: 100 keys × 1,024 queued nonces filled the
/// pool and honest users got "mempool full"; the per-sender map was never pruned).
@Suite struct MempoolFairnessTests {
    static let a = STFHarness.requester, b = STFHarness.node, honest = STFHarness.verifier

    func tx(_ s: Address, _ nonce: UInt64, _ tag: UInt8) -> L2Transaction {
        L2Transaction(call: .withdraw(amount: 1), nonce: nonce, sender: s, hash: STFHarness.h(tag), signature: [])
    }

    @Test func attackFutureNoncesCannotLockHonestUsersOut() throws {
        var pool = Mempool(maxSize: 4, maxPerSender: 4, maxNonceAhead: 1_024)
        for n in 1...4 { try pool.add(tx(Self.a, UInt64(n), UInt8(n)), bytes: 10, chainNonce: 0, nowMs: UInt64(n)) }  // all future
        #expect(pool.count == 4 && pool.readyCount == 0)
        // A ready newcomer evicts the oldest future transaction.
        try pool.add(tx(Self.honest, 0, 20), bytes: 10, chainNonce: 0, nowMs: 10)
        #expect(pool.count == 4 && pool.readyCount == 1 && pool.evicted == 1)
        #expect(!pool.contains(STFHarness.h(1)) && pool.contains(STFHarness.h(2)))
        // Another future one cannot push anything out.
        #expect(throws: Mempool.Refusal.full(limit: 4)) { try pool.add(tx(Self.b, 7, 30), bytes: 10, chainNonce: 0, nowMs: 11) }
    }

    @Test func readyTransactionsAreNeverEvicted() throws {
        var pool = Mempool(maxSize: 2)
        try pool.add(tx(Self.a, 0, 1), bytes: 10, chainNonce: 0)
        try pool.add(tx(Self.b, 0, 2), bytes: 10, chainNonce: 0)
        #expect(throws: Mempool.Refusal.full(limit: 2)) { try pool.add(tx(Self.honest, 0, 3), bytes: 10, chainNonce: 0) }
        #expect(pool.take(maxTxs: 10, maxBytes: 1_000).map(\.hash) == [STFHarness.h(1), STFHarness.h(2)])
    }

    @Test func futureTransactionsExpire() throws {
        var pool = Mempool(futureTtlMs: 1_000)
        try pool.add(tx(Self.a, 0, 1), bytes: 10, chainNonce: 0, nowMs: 0)      // ready: never expires
        try pool.add(tx(Self.b, 2, 2), bytes: 10, chainNonce: 0, nowMs: 100)    // future
        try pool.add(tx(Self.b, 3, 3), bytes: 10, chainNonce: 0, nowMs: 600)    // future
        #expect(pool.expireFuture(nowMs: 1_100) == 0)
        #expect(pool.expireFuture(nowMs: 1_101) == 1)
        #expect(!pool.contains(STFHarness.h(2)) && pool.contains(STFHarness.h(3)))
        #expect(pool.expireFuture(nowMs: 5_000) == 1)
        #expect(pool.count == 1 && pool.expired == 2 && pool.senderCount == 1)
    }

    @Test func sendersAreForgottenWhenTheyHaveNothingQueued() throws {
        var pool = Mempool()
        for k in 0..<50 { try pool.add(tx(STFHarness.actor(UInt8(k + 100)), 0, UInt8(k)), bytes: 10, chainNonce: 0) }
        #expect(pool.senderCount == 50)
        #expect(pool.take(maxTxs: 100, maxBytes: 10_000).count == 50)
        #expect(pool.senderCount == 0 && pool.count == 0 && pool.readyBytes == 0)
    }

    @Test func theBlockBudgetIsStrict() throws {
        var pool = Mempool()
        try pool.add(tx(Self.a, 0, 1), bytes: 600, chainNonce: 0)
        #expect(pool.take(maxTxs: 10, maxBytes: 500).isEmpty)   // it waits for a block with room
        #expect(pool.take(maxTxs: 10, maxBytes: 600).count == 1)
    }
}
