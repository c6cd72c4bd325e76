import Core
import Foundation
import Testing
@testable import Bridge
@testable import Sequencer

/// The inbox reader checks what the L1 endpoint says: logs of another address and logs a reorg
/// removed never become inbox messages (for the sequencer's watcher nor for the auditor), and
/// the watcher's deep-reorg anchor survives a restart, so a reorg during downtime is caught.
@Suite(.serialized) struct InboxSafetyTests {
    typealias F = BridgeFixture

    @Test func logsOfAnotherAddressOrRemovedAreIgnored() async throws {
        let f = try await F()
        try await f.depositAll(UInt256(7) * F.emt)
        let liar = f.lyingRollup(impostor: f.deployment.token, fakeIndex: 3)
        // The lie is there: the raw answer holds three times as many inbox logs.
        let raw = try await liar.eth.logs(address: f.deployment.rollup, topics: [[RollupContract.inboxMessageEvent.topic0]],
                                          from: .number(f.deployment.block), to: .latest)
        #expect(raw.count == 9 && raw.filter(\.removed).count == 3 && raw.filter { $0.address != f.deployment.rollup }.count == 3)

        var watcher = InboxWatcher(rollup: liar, confirmations: 1)
        let got = try await watcher.poll(next: 0)
        #expect(got.map(\.index) == [0, 1, 2])
        #expect(got.map(\.account) == f.users.map(\.address))
        #expect(got.allSatisfy { $0.amount == UInt256(7) * F.emt })
        #expect(try await watcher.poll(next: 3) == [])
    }

    @Test func aReorgWhileTheWatcherIsDownIsDetectedOnRestart() async throws {
        let f = try await F()
        for _ in 0..<3 { _ = try await f.devnetCall("evm_mine") }
        let snapshot = try await f.devnetCall("evm_snapshot")
        try await f.depositAll(UInt256(5) * F.emt)
        let store = try BridgeStore(path: f.dir + "/anchor")
        let anchor = RocksDBInboxAnchor(db: store.db)
        var first = try InboxWatcher(rollup: f.rollup, confirmations: 2, anchor: anchor)
        #expect(try await first.poll(next: 0).count == 2)
        let scanned = try #require(first.scanned)
        let stored = try #require(try anchor.load())
        #expect(stored.number == scanned.number && stored.hash == scanned.hash)

        // A restart without a reorg carries on from the anchor.
        var again = try InboxWatcher(rollup: f.rollup, confirmations: 2, anchor: anchor)
        #expect(again.scanned?.number == scanned.number)
        #expect(try await again.poll(next: 2).isEmpty)

        // The process is down; L1 replaces the blocks since the snapshot with others.
        #expect(try await f.devnetCall("evm_revert", [snapshot]) == .bool(true))
        for _ in 0..<(scanned.number + 2) { _ = try await f.devnetCall("evm_mine") }
        var restarted = try InboxWatcher(rollup: f.rollup, confirmations: 2, anchor: anchor)
        await #expect(throws: InboxWatcher.Error.self) { _ = try await restarted.poll(next: 2) }
        // A watcher that kept its anchor only in memory would have noticed nothing.
        var forgetful = InboxWatcher(rollup: f.rollup, confirmations: 2)
        #expect(try await forgetful.poll(next: 2).isEmpty)
    }
}
