import Core
import Testing
import TestSupport
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

    /// A sender's queue right behind its ready transaction is not "future": it used to be, so
    /// a flood of gapped transactions arriving after it got it evicted first (oldest first) —
    /// the rest of the honest queue then sat behind a gap — and it expired like them.
    @Test func attackAFloodOfGappedTransactionsCannotEvictAnHonestQueue() throws {
        var pool = Mempool(maxSize: 6, maxPerSender: 4, maxNonceAhead: 1_024, futureTtlMs: 1_000)
        for n in 0..<3 { try pool.add(tx(Self.honest, UInt64(n), UInt8(n + 1)), bytes: 10, chainNonce: 0, nowMs: 0) }
        for n in 5..<8 { try pool.add(tx(Self.a, UInt64(n), UInt8(n + 10)), bytes: 10, chainNonce: 0, nowMs: 5) }
        #expect(pool.count == 6 && pool.readyCount == 1 && pool.futureCount == 3)
        try pool.add(tx(Self.b, 0, 30), bytes: 10, chainNonce: 0, nowMs: 6)    // a ready newcomer, the pool full
        #expect(pool.evicted == 1 && !pool.contains(STFHarness.h(15)))           // the oldest gapped one: a5
        #expect(pool.contains(STFHarness.h(2)) && pool.contains(STFHarness.h(3)))
        #expect(pool.expireFuture(nowMs: 5_000) == 2 && pool.futureCount == 0)   // a6, a7; the honest queue waits its turn
        #expect(pool.take(maxTxs: 10, maxBytes: 1_000).map(\.hash) == [STFHarness.h(1), STFHarness.h(2), STFHarness.h(3), STFHarness.h(30)])
    }

    /// When the transaction a queue waited behind leaves (admission found it would fail), the
    /// queue is future again: it waits for that nonce, and expires if it never comes.
    @Test func aQueueCutOffFromItsSenderIsFutureAgain() throws {
        var pool = Mempool(futureTtlMs: 1_000)
        for n in 0..<3 { try pool.add(tx(Self.honest, UInt64(n), UInt8(n + 1)), bytes: 10, chainNonce: 0, nowMs: 0) }
        #expect(pool.futureCount == 0 && pool.takeableBytes == 30)
        pool.remove(tx(Self.honest, 0, 1))
        #expect(pool.futureCount == 2 && pool.readyCount == 0 && pool.takeableBytes == 0)
        #expect(pool.nextExpiryMs() == 1_001)
        try pool.add(tx(Self.honest, 0, 4), bytes: 10, chainNonce: 0, nowMs: 500)    // the gap filled again
        #expect(pool.futureCount == 0 && pool.takeableBytes == 30 && pool.nextExpiryMs() == nil)
        #expect(pool.expireFuture(nowMs: 5_000) == 0)
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
        #expect(pool.senderCount == 0 && pool.count == 0 && pool.takeableBytes == 0)
    }

    @Test func theBlockBudgetIsStrict() throws {
        var pool = Mempool()
        try pool.add(tx(Self.a, 0, 1), bytes: 600, chainNonce: 0)
        #expect(pool.take(maxTxs: 10, maxBytes: 500).isEmpty)   // it waits for a block with room
        #expect(pool.take(maxTxs: 10, maxBytes: 600).count == 1)
    }

    /// What a block could take in turn: each sender's ready transaction and the queued ones
    /// after it without a gap. (Only the ready ones counted, so the seal policy never saw a
    /// block of a few busy senders as full.)
    @Test func takeableBytesFollowEachSendersRun() throws {
        var pool = Mempool(futureTtlMs: 1_000)
        for k in 0..<4 { try pool.add(tx(Self.a, UInt64(k), UInt8(k + 1)), bytes: 100, chainNonce: 0, nowMs: 0) }
        #expect(pool.readyCount == 1 && pool.takeableBytes == 400)
        try pool.add(tx(Self.a, 6, 10), bytes: 50, chainNonce: 0, nowMs: 0)    // after a gap at 4: waits
        try pool.add(tx(Self.a, 5, 11), bytes: 30, chainNonce: 0, nowMs: 0)
        #expect(pool.takeableBytes == 400)
        try pool.add(tx(Self.a, 4, 12), bytes: 70, chainNonce: 0, nowMs: 500)  // fills the gap: 4, 5, 6 join
        #expect(pool.takeableBytes == 550)
        try pool.add(tx(Self.b, 0, 13), bytes: 20, chainNonce: 0, nowMs: 500)
        #expect(pool.takeableBytes == 570)
        #expect(pool.take(maxTxs: 3, maxBytes: 10_000).map(\.hash) == [STFHarness.h(1), STFHarness.h(2), STFHarness.h(3)])
        #expect(pool.takeableBytes == 270)                                      // a3, a4, a5, a6, b0
        pool.remove(tx(Self.a, 4, 12))                                          // a gap again: 5 and 6 wait
        #expect(pool.takeableBytes == 120)
        #expect(pool.expireFuture(nowMs: 1_001) == 2)                           // 5 and 6 (queued at 0)
        #expect(pool.takeableBytes == 120 && pool.count == 2)
        #expect(pool.take(maxTxs: 10, maxBytes: 10_000).count == 2)
        #expect(pool.takeableBytes == 0 && pool.senderCount == 0)
    }

    /// The same, and which transactions are future, against a count from scratch after every
    /// step of a random sequence of adds (in and out of order, with gaps), takes, removals and
    /// expiries over a few senders.
    @Test func takeableBytesMatchACountFromScratch() throws {
        var rng = SeededGenerator(seed: 7)
        var pool = Mempool(maxSize: 10, maxPerSender: 16, maxNonceAhead: 16, futureTtlMs: 50)
        let senders = (0..<4).map { STFHarness.actor(UInt8(200 + $0)) }
        var taken: [Address: UInt64] = [:], sizes: [Address: [UInt64: Int]] = [:]
        var tag: UInt8 = 0
        for step in 0..<5_000 {
            let now = UInt64(step)
            let s = senders[Int(rng.next() % 4)]
            switch rng.next() % 10 {
            case 0..<6:
                let nonce = taken[s, default: 0] + rng.next() % 6
                let bytes = Int(1 + rng.next() % 200)
                tag &+= 1
                if (try? pool.add(tx(s, nonce, tag), bytes: bytes, chainNonce: taken[s, default: 0], nowMs: now)) != nil {
                    sizes[s, default: [:]][nonce] = bytes
                }
            case 6..<8:
                for t in pool.take(maxTxs: Int(1 + rng.next() % 5), maxBytes: 400) {
                    taken[t.sender, default: 0] += 1
                    sizes[t.sender]?[t.nonce] = nil
                }
            case 8:
                let nonce = taken[s, default: 0] + rng.next() % 6
                if let t = pool.queued(s, nonce: nonce) { pool.remove(t); sizes[s]?[nonce] = nil }
            default:
                pool.expireFuture(nowMs: now)
            }
            // Expired, or evicted by a ready newcomer (the pool holds at most 10).
            for x in senders { for (n, _) in sizes[x] ?? [:] where pool.queued(x, nonce: n) == nil { sizes[x]?[n] = nil } }
            var expected = 0, inRuns = 0
            for x in senders {
                var n = taken[x, default: 0]
                while let b = sizes[x]?[n] { expected += b; inRuns += 1; n += 1 }
            }
            // Everything outside the runs, and only that, is future (expires, may be evicted).
            #expect(pool.takeableBytes == expected && pool.takeableCount == inRuns && pool.futureCount == pool.count - inRuns, "step \(step)")
            if pool.takeableBytes != expected || pool.takeableCount != inRuns || pool.futureCount != pool.count - inRuns { break }
        }
        #expect(pool.evicted > 0 && pool.expired > 0)   // the sequence reached both
    }
}

