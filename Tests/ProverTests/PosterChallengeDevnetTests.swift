import Bridge
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// A guardian challenges a batch the poster committed: the poster halts (and stays halted
/// across a restart) instead of re-posting the same blocks; the operator then either rolls the
/// chain back (new blocks from the challenged batch on, the dropped transactions re-sequenced)
/// or resumes (the same blocks re-posted). Bad rollback requests change nothing.
@Suite(.serialized) struct PosterChallengeDevnetTests {
    typealias F = BridgeFixture

    /// Batches 0 (blocks 1–2) and 1 (3–4) committed, then batch 1 challenged; the poster halted.
    func challenged() async throws -> (F, BridgeStore, BatchPoster) {
        let f = try await F(challengePeriod: 3_600)
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(4)
        let store = try BridgeStore(path: f.bridgeDir)
        let poster = try f.poster(store, try f.txManager(store), maxBlocks: 2)
        try await f.postAll(poster)
        #expect(try await f.rollup.batchCount() == 2)
        let challenger = Challenger(rollup: f.rollup, sender: f.l1(f.guardian))
        guard case .challenged = try await challenger.challenge(1) else { throw FixtureFailure("challenge failed") }
        #expect(try await f.rollup.batchCount() == 1)

        let p = try await poster.step()
        #expect(p.challengedAt == 1 && p.decided.isEmpty)
        #expect(try await poster.challengedAt() == 1)
        #expect(try await poster.record(1)?.status == .reverted)
        // More blocks and more rounds: nothing is posted while halted.
        try await f.sealBlocks(1)
        for _ in 0..<3 {
            let q = try await poster.step()
            #expect(q.challengedAt == 1 && q.decided.isEmpty && q.inFlight == 0)
        }
        #expect(try await f.rollup.batchCount() == 1)
        return (f, store, poster)
    }

    @Test func afterAChallengeThePosterHaltsAndARollbackReSealsFromTheChallengedBatch() async throws {
        let (f, store, _) = try await challenged()
        let (dropped, oldBlock3): ([Hash32], Hash32) = try {
            let e = try f.openEngine()
            return (try (3...5).flatMap { try e.store.block($0)!.transactions.map(\.hash) }, try e.store.block(3)!.hash)
        }()
        // The halt is in the poster's store: a restarted poster finds it there.
        #expect(try PosterRecovery.challengedAt(store) == 1)

        // Refused, and nothing changes: a batch other than the challenged one, and the chain while the engine holds it.
        #expect(throws: PosterRecovery.Error.notChallenged(batch: 2, challengedAt: 1)) { try PosterRecovery.lastKeptBlock(store, rollingBackTo: 2) }
        #expect(throws: PosterRecovery.Error.notChallenged(batch: 0, challengedAt: 1)) { try PosterRecovery.lastKeptBlock(store, rollingBackTo: 0) }
        let keep = try PosterRecovery.lastKeptBlock(store, rollingBackTo: 1)
        #expect(keep == 2)
        #expect(throws: (any Error).self) { try ChainRollback.truncate(path: f.chainDir, genesis: f.genesis, to: keep) }
        #expect(try f.openEngine().store.head.number == 5)
        f.closeEngine()
        #expect(throws: ChainRollback.Error.self) { try ChainRollback.truncate(path: f.chainDir, genesis: f.genesis, to: 9) }

        let out = try ChainRollback.truncate(path: f.chainDir, genesis: f.genesis, to: keep)
        #expect(out.oldHead == 5 && out.newHead == 2 && out.droppedTransactions == dropped.count)
        try PosterRecovery.rollback(store, toBatch: 1, lastKept: keep)
        #expect(try PosterRecovery.challengedAt(store) == nil)
        // Idempotent: the same command again changes nothing on the chain.
        #expect(try ChainRollback.truncate(path: f.chainDir, genesis: f.genesis, to: keep).droppedTransactions == 0)

        let e2 = try f.openEngine()
        #expect(e2.store.head.number == 2 && e2.store.inboxCursor == 3)
        for u in f.users { #expect(try e2.store.latestTicket(u.address).map { $0.blockNumber <= 2 } ?? true) }
        for h in dropped { #expect(try ChainRollback.status(of: h, in: e2.store.db) == .waiting) }
        let back = try ChainRollback.readmit(e2, nowMs: 0)
        #expect(back.accepted == dropped && back.refused.isEmpty)
        let resealed = try #require(try e2.seal(timestamp: f.genesis.timestamp + 100))
        #expect(resealed.number == 3 && resealed.hash != oldBlock3 && resealed.transactions.map(\.hash) == dropped)

        let poster2 = try f.poster(store, try f.txManager(store), maxBlocks: 2)
        try await f.postAll(poster2)
        #expect(try await f.rollup.batchCount() == 2)
        let b1 = try await f.rollup.batch(1)
        #expect(b1.firstBlock == 3 && b1.lastBlock == 3)
        // The auditor agrees with the new history.
        let report = try await Audit.replay(try await L1Source.open(L1History(rollup: f.rollup, fromBlock: f.deployment.block)), genesis: f.genesis)
        #expect(report.ok && report.batches == 2 && report.blocks == 3 && report.headHash == resealed.hash)
    }

    @Test func afterAChallengeResumeRePostsTheSameBlocks() async throws {
        let (f, store, poster) = try await challenged()
        let e = try f.openEngine()
        #expect(throws: PosterRecovery.Error.notHalted) { try PosterRecovery.resume(try BridgeStore(path: f.dir + "/fresh-bridge")) }
        #expect(try PosterRecovery.resume(store) == 1)
        try await f.postAll(poster)
        let count = try await f.rollup.batchCount()
        #expect(count == 3)
        let b1 = try await f.rollup.batch(1)
        #expect(b1.firstBlock == 3 && b1.lastBlock == 4)
        let r1 = try #require(try await poster.record(1))
        #expect(r1.status == .committed && r1.txId == "batch/1/1")
        let b2 = try await f.rollup.batch(2)
        #expect(b2.firstBlock == 5 && b2.lastBlock == 5 && e.store.head.number == 5)
    }
}
