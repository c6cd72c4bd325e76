import API
import Bridge
import Core
import Sequencer

/// The poster's batch records, kept in memory for the API's receipts and proofs (its
/// `BatchStatusProvider`), refreshed by `PosterService` after every round.
public final class PosterStatus: BatchStatusProvider, Sendable {
    private struct Known {
        /// Committed, final and posted batches in index order (their block ranges ascend).
        var live: [BatchStatus] = []
        var gasUsed: [UInt64] = []
        var gas: UInt64?
        var backlog: UInt64?
        var challenged: UInt64?
        var alarm: (block: UInt64, reason: String)?
    }

    private let known = LockedValue(Known())
    private let observers = LockedValue<[@Sendable ([BatchStatus]) -> Void]>([])

    public init() {}

    public func observeChanges(_ report: @escaping @Sendable ([BatchStatus]) -> Void) { observers.withLock { $0.append(report) } }

    /// What the poster's last round said about a halt (nil: posting).
    func setChallenged(_ batch: UInt64?) { known.withLock { $0.challenged = batch } }

    func setAlarm(_ a: (block: UInt64, reason: String)?) { known.withLock { $0.alarm = a } }

    public var postingAlarm: (block: UInt64, reason: String)? { known.withLock { $0.alarm } }

    public var challengedAtBatch: UInt64? { known.withLock { $0.challenged } }

    /// Replaces what it knows from batch `from` on with `records` (the poster's records from
    /// that index); batches below `from` are final and do not change. With `report`, the
    /// batches that became committed or final are reported to the observers (the first load
    /// of a starting node reports nothing: that is history, not news).
    func update(_ records: [BatchRecord], from: UInt64, backlogBytes: UInt64, report: Bool = true) {
        let fresh = records.filter { $0.status != .reverted && $0.status != .decided }
        let statuses = fresh.map {
            BatchStatus(index: $0.index, firstBlock: $0.firstBlock, lastBlock: $0.lastBlock,
                        l1TxHash: $0.status == .posted ? nil : try? Hash32(bytes: $0.l1TxHash), final: $0.status == .final)
        }
        let gasOf = fresh.map { $0.status == .committed || $0.status == .final ? $0.gasUsed : 0 }
        let changed = known.withLock { k -> [BatchStatus] in
            let kept = k.live.prefix { $0.index < from }.count
            let before = Dictionary(k.live.dropFirst(kept).map { ($0.index, $0) }, uniquingKeysWith: { _, last in last })
            k.live = Array(k.live.prefix(kept)) + statuses
            k.gasUsed = Array(k.gasUsed.prefix(kept)) + gasOf
            k.gas = k.gasUsed.reduce(0, +)
            k.backlog = backlogBytes
            return statuses.filter { s in
                let old = before[s.index]
                // Newly committed (L1 holds it, or holds it under a new transaction after a
                // reorg), or newly final.
                return (s.l1TxHash != nil && old?.l1TxHash != s.l1TxHash) || (s.final && old?.final != true)
            }
        }
        guard report, !changed.isEmpty else { return }
        for o in observers.value { o(changed) }
    }

    /// Newest first, posted ones included.
    public func recentBatches(limit: Int) -> [BatchStatus] { known.withLock { Array($0.live.suffix(limit).reversed()) } }

    /// Only committed or final batches count: a receipt says "committed" once L1 holds it.
    public func batch(containing block: UInt64) -> BatchStatus? {
        known.withLock { k in
            guard let i = Self.first(k.live, where: { $0.lastBlock >= block }), k.live[i].contains(block), k.live[i].l1TxHash != nil
            else { return nil }
            return k.live[i]
        }
    }

    public func batch(index: UInt64) -> BatchStatus? {
        known.withLock { k in
            guard let i = Self.first(k.live, where: { $0.index >= index }), k.live[i].index == index, k.live[i].l1TxHash != nil
            else { return nil }
            return k.live[i]
        }
    }

    public var latestFinal: BatchStatus? { known.withLock { k in k.live.last { $0.final } } }

    /// Stored bytes of the sealed blocks not yet in a batch.
    public var backlogBytes: UInt64? { known.withLock { $0.backlog } }

    public var l1GasSpent: UInt64? { known.withLock { $0.gas } }

    /// The first position whose batch satisfies `isAtOrAfter` (a predicate that is false, then
    /// true, along `live`): binary search.
    private static func first(_ live: [BatchStatus], where isAtOrAfter: (BatchStatus) -> Bool) -> Int? {
        var lo = 0, hi = live.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAtOrAfter(live[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo < live.count ? lo : nil
    }
}
