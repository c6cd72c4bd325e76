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

    public init() {}

    /// What the poster's last round said about a halt (nil: posting).
    func setChallenged(_ batch: UInt64?) { known.withLock { $0.challenged = batch } }

    func setAlarm(_ a: (block: UInt64, reason: String)?) { known.withLock { $0.alarm = a } }

    public var postingAlarm: (block: UInt64, reason: String)? { known.withLock { $0.alarm } }

    public var challengedAtBatch: UInt64? { known.withLock { $0.challenged } }

    /// Replaces what it knows from batch `from` on with `records` (the poster's records from
    /// that index); batches below `from` are final and do not change.
    func update(_ records: [BatchRecord], from: UInt64, backlogBytes: UInt64) {
        let fresh = records.filter { $0.status != .reverted && $0.status != .decided }
        let statuses = fresh.map {
            BatchStatus(index: $0.index, firstBlock: $0.firstBlock, lastBlock: $0.lastBlock,
                        l1TxHash: $0.status == .posted ? nil : try? Hash32(bytes: $0.l1TxHash), final: $0.status == .final)
        }
        let gasOf = fresh.map { $0.status == .committed || $0.status == .final ? $0.gasUsed : 0 }
        known.withLock { k in
            let kept = k.live.prefix { $0.index < from }.count
            k.live = Array(k.live.prefix(kept)) + statuses
            k.gasUsed = Array(k.gasUsed.prefix(kept)) + gasOf
            k.gas = k.gasUsed.reduce(0, +)
            k.backlog = backlogBytes
        }
    }

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
