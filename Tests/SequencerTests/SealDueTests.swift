import Core
import Foundation
import Testing
import Workloads
@testable import Sequencer

/// When the next block is due (what the sealing thread sleeps until instead of polling), with
/// exact times on a clock the test controls.
@Suite struct SealDueTests {
    @Test func thePolicyCountsDownFromTheFirstPendingItemOrTheLastBlock() {
        let p = SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500, maxInboxPerBlock: 3)
        func due(txs: Int = 0, bytes: Int = 0, inbox: Int = 0, since: UInt64? = nil, last: UInt64 = 0) -> UInt64? {
            p.dueInMs(pendingTxs: txs, pendingBytes: bytes, pendingInbox: inbox, sincePendingMs: since, sinceLastSealMs: last)
        }
        #expect(due() == nil)                                          // nothing pending, no heartbeat: only an event
        #expect(due(last: 9_999_999) == nil)
        #expect(due(txs: 1, bytes: 100, since: 0) == 500)
        #expect(due(txs: 1, bytes: 100, since: 120) == 380)
        #expect(due(txs: 1, bytes: 100, since: 499) == 1)
        #expect(due(txs: 1, bytes: 100, since: 500) == 0)
        #expect(due(txs: 1, bytes: 100, since: 7_000) == 0)
        #expect(due(inbox: 2, since: 200) == 300)                      // inbox messages start the block time too
        #expect(due(txs: 4, bytes: 100, since: 0) == 0)                // full: maxTxs
        #expect(due(txs: 1, bytes: p.blockBudget, since: 0) == 0)      // full: the byte budget
        #expect(due(txs: 1, bytes: p.blockBudget - 1, since: 0) == 500)
        #expect(due(inbox: 3, since: 0) == 0)                          // full: maxInboxPerBlock
        #expect(due(txs: 1) == nil)                                    // pending without a start: never by time

        let beat = SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500, heartbeatMs: 2_000)
        #expect(beat.dueInMs(pendingTxs: 0, pendingBytes: 0, pendingInbox: 0, sincePendingMs: nil, sinceLastSealMs: 0) == 2_000)
        #expect(beat.dueInMs(pendingTxs: 0, pendingBytes: 0, pendingInbox: 0, sincePendingMs: nil, sinceLastSealMs: 1_250) == 750)
        #expect(beat.dueInMs(pendingTxs: 0, pendingBytes: 0, pendingInbox: 0, sincePendingMs: nil, sinceLastSealMs: 2_000) == 0)
        // Something pending: the block time rules, not the heartbeat.
        #expect(beat.dueInMs(pendingTxs: 1, pendingBytes: 100, pendingInbox: 0, sincePendingMs: 100, sinceLastSealMs: 1_900) == 400)
    }

    @Test func theMempoolNamesItsNextExpiry() throws {
        var pool = Mempool(futureTtlMs: 1_000)
        let a = STFHarness.requester, b = STFHarness.node
        func tx(_ s: Address, _ nonce: UInt64, _ tag: UInt8) -> L2Transaction {
            L2Transaction(call: .withdraw(amount: 1), nonce: nonce, sender: s, hash: STFHarness.h(tag), signature: [])
        }
        #expect(pool.nextExpiryMs() == nil)
        try pool.add(tx(a, 0, 1), bytes: 10, chainNonce: 0, nowMs: 0)      // ready: never expires
        #expect(pool.nextExpiryMs() == nil)
        try pool.add(tx(b, 2, 2), bytes: 10, chainNonce: 0, nowMs: 100)    // future
        try pool.add(tx(b, 3, 3), bytes: 10, chainNonce: 0, nowMs: 600)    // future
        #expect(pool.nextExpiryMs() == 1_101)
        #expect(pool.expireFuture(nowMs: 1_100) == 0)
        #expect(pool.expireFuture(nowMs: 1_101) == 1)
        #expect(pool.nextExpiryMs() == 1_601)
        #expect(pool.expireFuture(nowMs: 1_601) == 1)
        #expect(pool.nextExpiryMs() == nil)
    }

    /// `SequencerEngineTests.sealsOnMaxTxsAndOnBlockTime`, asking the engine when each block
    /// is due before sealing it.
    @Test func theEngineNamesWhenItsNextBlockIsDue() throws {
        let (engine, store, dir) = try Self.engine(policy: SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(engine.nextSealDueMs(nowMs: 1_000_000) == nil)              // nothing pending, no heartbeat
        let workload = Workload(seed: 3, users: 2, txsPerBlock: 6)
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000_000)
        #expect(engine.nextSealDueMs(nowMs: 1_000_100) == 1_000_500)        // block time after the first pending item
        #expect(try engine.sealIfDue(nowMs: 1_000_499) == nil)
        #expect(try engine.sealIfDue(nowMs: 1_000_500)?.inbox.count == 2)
        #expect(engine.nextSealDueMs(nowMs: 1_000_500) == nil)              // nothing pending again

        let envs = workload.transactions(forBlock: 2, nonce: { try! store.account($0)?.nonce ?? 0 }, domain: engine.admission.domain)
        try engine.submit(envs[0], nowMs: 1_000_600); engine.notePending(nowMs: 1_000_600)
        #expect(engine.nextSealDueMs(nowMs: 1_000_600) == 1_001_100)
        for e in envs[1...] { try engine.submit(e, nowMs: 1_000_650); engine.notePending(nowMs: 1_000_650) }
        #expect(engine.nextSealDueMs(nowMs: 1_000_650) == 1_000_650)        // 6 pooled ≥ maxTxs 4: now
        #expect(try engine.sealIfDue(nowMs: 1_000_700)?.transactions.count == 4)
        #expect(engine.nextSealDueMs(nowMs: 1_000_700) == 1_001_200)        // the other 2: block time from that seal
        #expect(try engine.sealIfDue(nowMs: 1_001_200)?.transactions.count == 2)
        #expect(engine.nextSealDueMs(nowMs: 1_001_200) == nil)
        #expect(store.head.number == 3)
    }

    /// A block is full when its byte budget is, counting a sender's queued transactions: the
    /// block takes them in turn. Only each sender's ready transaction counted, so with a few
    /// busy senders a block waited for its block time however full it was, and above
    /// budget ÷ block time a backlog grew (through the API with 250 ms blocks: p50 780 ms at
    /// 2,150 tx/s, a block time's worth of transactions waiting behind every block).
    @Test func aSendersQueuedTransactionsFillTheByteBudget() throws {
        let workload = Workload(seed: 3, users: 1, txsPerBlock: 6)
        let (probe, _, probeDir) = try Self.engine(policy: SealPolicy())
        defer { try? FileManager.default.removeItem(atPath: probeDir) }
        let envs = workload.transactions(forBlock: 2, nonce: { _ in 0 }, domain: probe.admission.domain)
        let sizes = try envs.map { BatchCodec.encodedSize(try probe.admission.authenticate($0)) }
        let budget = sizes[0..<4].reduce(0, +)
        let (engine, _, dir) = try Self.engine(policy: SealPolicy(maxTxs: 100, maxBytes: budget, blockTimeMs: 500))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000)
        #expect(try engine.sealIfDue(nowMs: 1_500)?.inbox.count == 1)
        for e in envs[0..<3] { try engine.submit(e, nowMs: 2_000); engine.notePending(nowMs: 2_000) }
        #expect(engine.mempool.readyCount == 1 && engine.mempool.takeableBytes == sizes[0..<3].reduce(0, +))
        #expect(engine.nextSealDueMs(nowMs: 2_000) == 2_500)                // not full yet: the block time
        try engine.submit(envs[3], nowMs: 2_010); engine.notePending(nowMs: 2_010)
        #expect(engine.mempool.takeableBytes == budget)
        #expect(engine.nextSealDueMs(nowMs: 2_010) == 2_010)                // full: at once
        #expect(try engine.sealIfDue(nowMs: 2_010)?.transactions.count == 4)
        for e in envs[4...] { try engine.submit(e, nowMs: 2_020); engine.notePending(nowMs: 2_020) }
        #expect(engine.nextSealDueMs(nowMs: 2_020) == 2_520)
    }

    /// Transactions behind a gap cost only a dust balance and no block can take them. They
    /// counted towards `max_txs`: a pool holding that many made every block full at once, so
    /// each honest arrival was sealed alone, in a block of its own.
    @Test func attackGappedTransactionsCannotMakeEveryBlockFull() throws {
        let (engine, store, dir) = try Self.engine(policy: SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500),
                                                   mempool: Mempool(futureTtlMs: 60_000))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workload = Workload(seed: 3, users: 2, txsPerBlock: 12)
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000)
        #expect(try engine.sealIfDue(nowMs: 1_500)?.inbox.count == 2)
        let (attacker, honest) = (workload.users[0].address, workload.users[1].address)
        let domain = engine.admission.domain
        let gapped = try workload.transactions(forBlock: 2, nonce: { try! store.account($0)!.nonce + 1 }, domain: domain)
            .filter { try engine.admission.authenticate($0).sender == attacker }
        #expect(gapped.count == 6)
        for e in gapped { try engine.submit(e, nowMs: 2_000); engine.notePending(nowMs: 2_000) }
        #expect(engine.mempool.futureCount == 6 && engine.mempool.takeableCount == 0)
        #expect(engine.nextSealDueMs(nowMs: 2_000) == 62_001)
        let ready = try #require(try workload.transactions(forBlock: 2, nonce: { try! store.account($0)!.nonce }, domain: domain)
            .first { try engine.admission.authenticate($0).sender == honest })
        try engine.submit(ready, nowMs: 2_100); engine.notePending(nowMs: 2_100)
        #expect(engine.nextSealDueMs(nowMs: 2_100) == 2_600)                // the block time, not "full" at once
        #expect(try engine.sealIfDue(nowMs: 2_100) == nil)
        #expect(try engine.sealIfDue(nowMs: 2_600)?.transactions.count == 1)
    }

    @Test func blocksInFlightWaitForTheirAcknowledgement() throws {
        let (engine, store, dir) = try Self.engine(policy: SealPolicy(maxTxs: 2, maxBytes: 1_000_000, blockTimeMs: 500))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workload = Workload(seed: 5, users: 2, txsPerBlock: 6)
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000)
        let envs = workload.transactions(forBlock: 2, nonce: { try! store.account($0)?.nonce ?? 0 }, domain: engine.admission.domain)
        for e in envs { try engine.submit(e, nowMs: 1_000); engine.notePending(nowMs: 1_000) }
        let first = try #require(try engine.executeSealIfDue(nowMs: 1_000))
        let second = try #require(try engine.executeSealIfDue(nowMs: 1_000))
        #expect(engine.inFlightCount == 2)
        #expect(engine.nextSealDueMs(nowMs: 1_000) == nil)                  // full pool, but two blocks in flight
        let p = first.signed(by: engine.signer)
        try store.write(p.batch)
        engine.endSeal(p)
        #expect(engine.nextSealDueMs(nowMs: 1_010) == 1_010)                // the acknowledgement frees a place
        let q = second.signed(by: engine.signer)
        try store.write(q.batch)
        engine.endSeal(q)
        #expect(store.head.number == 2)
    }

    @Test func onlyFutureTransactionsAreNotDueUntilTheyExpire() throws {
        let (engine, store, dir) = try Self.engine(policy: SealPolicy(maxTxs: 100, maxBytes: 1_000_000, blockTimeMs: 500),
                                                   mempool: Mempool(futureTtlMs: 60_000))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workload = Workload(seed: 3, users: 1, txsPerBlock: 2)
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000)
        #expect(try engine.sealIfDue(nowMs: 1_500)?.inbox.count == 1)
        // Nonces 1 and 2 of a sender at 0: both wait for nonce 0.
        let envs = workload.transactions(forBlock: 2, nonce: { try! store.account($0)!.nonce + 1 }, domain: engine.admission.domain)
        for e in envs { try engine.submit(e, nowMs: 2_000); engine.notePending(nowMs: 2_000) }
        #expect(engine.mempool.futureCount == 2)
        #expect(engine.nextSealDueMs(nowMs: 2_000) == 62_001)               // no block could take them: only their expiry
        #expect(try engine.sealIfDue(nowMs: 2_600) == nil)
        #expect(engine.nextSealDueMs(nowMs: 2_600) == 62_001)
        #expect(try engine.sealIfDue(nowMs: 61_800) == nil)
        #expect(engine.nextSealDueMs(nowMs: 61_800) == 62_001)
        #expect(try engine.sealIfDue(nowMs: 62_001) == nil)
        #expect(engine.mempool.count == 0 && engine.mempool.expired == 2)
        #expect(engine.nextSealDueMs(nowMs: 62_001) == nil)
    }

    @Test func theHeartbeatIsDueAfterTheLastBlock() throws {
        let (engine, _, dir) = try Self.engine(policy: SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500, heartbeatMs: 3_000))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(engine.nextSealDueMs(nowMs: 10_000) == 10_000)              // no block since start
        #expect(try engine.sealIfDue(nowMs: 10_000)?.transactions.count == 0)
        #expect(engine.nextSealDueMs(nowMs: 10_000) == 13_000)
        #expect(engine.nextSealDueMs(nowMs: 12_000) == 13_000)
        #expect(try engine.sealIfDue(nowMs: 12_999) == nil)
        #expect(try engine.sealIfDue(nowMs: 13_000) != nil)
    }

    static func engine(policy: SealPolicy, mempool: Mempool = Mempool()) throws -> (SequencerEngine, ChainStore, String) {
        let dir = ChainStoreTests.tempDir()
        let key = ChainStoreTests.signerKey
        let store = try ChainStore(path: dir, genesis: Genesis(chainId: 31337, rollup: BlockProducerTests.rollup, signer: key.address,
                                                              timestamp: 1_000, roles: Roles()))
        return (SequencerEngine(store: store, signerKey: key, policy: policy, mempool: mempool), store, dir)
    }
}
