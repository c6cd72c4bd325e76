import API
import Core
import Foundation
@testable import Node
import Sequencer
import Testing

/// The sealing thread sleeps until a block is due and is woken when one becomes due sooner
/// (`SealWakeup`): through a real node over HTTP, blocks are sealed when full, at the block
/// time, by heartbeat and at shutdown, with block times long enough that no poll could do it.
@Suite struct SealWakeupHTTPTests {
    typealias C = TestChain

    @Test func aFullBlockIsSealedWithoutWaitingForTheBlockTime() async throws {
        // A ten-minute block time: only the third transaction filling the block can seal it.
        try await LiveService.with(policy: SealPolicy(maxTxs: 3, blockTimeMs: 600_000)) { s in
            try s.deposit(C.requester.address, 10)
            let h0 = try await s.send(C.wire(.withdraw(amount: 1), nonce: 0, by: C.requester))
            let h1 = try await s.send(C.wire(.withdraw(amount: 1), nonce: 1, by: C.requester))
            #expect(try await s.result("emeth_blockNumber") == .string("0x0"))
            let h2 = try await s.send(C.wire(.withdraw(amount: 1), nonce: 2, by: C.requester))
            #expect(try await s.waitSequenced(h2, timeout: 60)["blockNumber"] == .string("0x1"))
            let block = try await s.result("emeth_getBlockByNumber", [.string("0x1")])
            #expect(block["transactions"] == .array([.string(h0), .string(h1), .string(h2)]))
            #expect(block["inbox"]?.arrayValue?.count == 1)
        }
    }

    @Test func aLoneTransactionIsSealedAtTheBlockTime() async throws {
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 200)) { s in
            try s.deposit(C.requester.address, 10)         // wakes the thread that slept with nothing due
            try await s.waitBlock(1, timeout: 60)
            let h = try await s.send(C.wire(.withdraw(amount: 3), nonce: 0, by: C.requester))
            let receipt = try await s.waitSequenced(h, timeout: 60)
            #expect(receipt["blockNumber"] == .string("0x2") && receipt["success"] == .bool(true))
        }
    }

    @Test func heartbeatsSealEmptyBlocksWithNothingPending() async throws {
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 30, heartbeatMs: 100)) { s in
            try await s.waitBlock(3, timeout: 60)
            let block = try await s.result("emeth_getBlockByNumber", [.string("0x3")])
            #expect(block["transactions"] == .array([]) && block["inbox"] == .array([]))
        }
    }

    @Test func shutdownSealsWhatIsPendingLongBeforeItIsDue() async throws {
        let s = try await LiveService.start(policy: SealPolicy(maxTxs: 500, blockTimeMs: 600_000))
        try s.deposit(C.requester.address, 10)
        let h = try await s.send(C.wire(.withdraw(amount: 2), nonce: 0, by: C.requester))
        #expect(try await s.result("emeth_blockNumber") == .string("0x0"))
        try await s.stop(removeData: false)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let store = try ChainStore(path: s.dir, genesis: TestChain.genesis)
        defer { store.db.close() }
        #expect(store.head.number == 1)
        let loc = try #require(try store.location(of: try Hash32(hex: h)))
        #expect(loc.block == 1 && loc.index == 0)
    }

    /// The hand-off between admissions and the sleeping thread, without threads: a wake is
    /// kept until the thread sleeps, and only a due time earlier than the expected one wakes.
    @Test func onlyAnEarlierDueTimeWakesTheThread() {
        let w = SealWakeup()
        w.expect(1_000)
        w.wakeIfEarlier(nil)                 // nothing due: no wake
        w.wakeIfEarlier(1_000)
        w.wakeIfEarlier(1_500)
        #expect(!w.isWoken && w.expected == 1_000)
        w.wakeIfEarlier(400)
        #expect(w.isWoken && w.expected == 400)
        w.sleep(clock: { 0 })                // returns at once: the wake was kept
        #expect(!w.isWoken)
        w.expect(nil)                        // sleeping until woken: any due time wakes it
        w.wakeIfEarlier(9_999)
        #expect(w.isWoken)
        w.sleep(clock: { 0 })
        w.expect(50)
        w.sleep(clock: { 50 })               // due on the given clock: returns without a wake
        #expect(!w.isWoken)
        w.wake()
        #expect(w.isWoken)
    }
}
