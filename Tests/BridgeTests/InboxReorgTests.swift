import Core
import Foundation
import Testing
@testable import Bridge
@testable import Sequencer

/// The inbox watcher under L1 reorgs: a deposit undone before it had its confirmations never
/// reaches the sequencer; a reorg deeper than the confirmation depth stops the watcher with
/// an error instead of crediting anything twice. And one transaction manager per key.
@Suite(.serialized) struct InboxReorgTests {
    typealias F = BridgeFixture

    @Test func aDepositUndoneBeforeItsConfirmationsIsNeverDelivered() async throws {
        let f = try await F()
        var watcher = InboxWatcher(rollup: f.rollup, confirmations: 3)
        let snapshot = try await f.devnetCall("evm_snapshot")
        try await f.depositAll(UInt256(5) * F.emt)   // 3 users × (mint, approve, deposit): the last deposit is the head block
        let early = try await watcher.poll(next: 0)
        #expect(early.map(\.index) == [0, 1])        // the third has 1 confirmation of 3
        // L1 reorganises to before the deposits: the third one vanishes with its block.
        #expect(try await f.devnetCall("evm_revert", [snapshot]) == .bool(true))
        var fresh = InboxWatcher(rollup: f.rollup, confirmations: 3)
        for _ in 0..<4 { _ = try await f.devnetCall("evm_mine") }
        #expect(try await fresh.poll(next: 0) == [])
        #expect(try await f.rollup.inboxLength() == 0)
    }

    @Test func aReorgDeeperThanTheDepthStopsTheWatcher() async throws {
        let f = try await F()
        for _ in 0..<3 { _ = try await f.devnetCall("evm_mine") }
        let snapshot = try await f.devnetCall("evm_snapshot")
        try await f.depositAll(UInt256(5) * F.emt)
        var watcher = InboxWatcher(rollup: f.rollup, confirmations: 2)
        let seen = try await watcher.poll(next: 0)
        #expect(seen.count == 2)
        let scanned = try #require(watcher.scanned)
        // Replace the chain from the snapshot with different blocks of the same height.
        #expect(try await f.devnetCall("evm_revert", [snapshot]) == .bool(true))
        for _ in 0..<(scanned.number + 2) { _ = try await f.devnetCall("evm_mine") }
        await #expect(throws: InboxWatcher.Error.self) { _ = try await watcher.poll(next: 2) }
    }

    @Test func oneTransactionManagerPerKeyAndDirectory() async throws {
        let f = try await F()
        let store = try BridgeStore(path: f.bridgeDir)
        let first = try f.txManager(store)
        #expect(throws: LockFile.Held.self) { _ = try f.txManager(store) }
        _ = first
    }
}
