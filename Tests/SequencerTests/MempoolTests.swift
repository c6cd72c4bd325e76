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
        // a4 arrived before b0, so it goes second once a3 is taken.
        #expect(throws: Mempool.Refusal.nonceTooLow(expected: 5, got: 3)) { try pool.add(tx(Self.a, 3, 9), bytes: 10, chainNonce: 3) }
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
