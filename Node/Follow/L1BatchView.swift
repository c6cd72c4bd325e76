import API
import Core

/// The L1 batches a follower audited, for its API's receipts and settlement proofs (its
/// `BatchStatusProvider`): committed on L1, found to carry exactly the follower's verified
/// blocks, and final once the contract says so — what the leader's `PosterStatus` says of the
/// batches it posted. Refreshed by `FollowerAudit` after every round.
public final class L1BatchView: BatchStatusProvider, Sendable {
    private let live = LockedValue<(list: [BatchStatus], loaded: Bool)>(([], false))
    private let observers = LockedValue<[@Sendable ([BatchStatus]) -> Void]>([])

    public init() {}

    public func observeChanges(_ report: @escaping @Sendable ([BatchStatus]) -> Void) { observers.withLock { $0.append(report) } }

    /// Replaces the list (batches in index order; their block ranges ascend), and reports the
    /// batches that became audited-committed or final since the last call (not those of the
    /// first call: a starting follower's history is not news).
    func set(_ batches: [BatchStatus]) {
        let changed = live.withLock { l -> [BatchStatus] in
            let before = Dictionary(l.list.map { ($0.index, $0) }, uniquingKeysWith: { _, last in last })
            let report = l.loaded
            l = (batches, true)
            guard report else { return [] }
            return batches.filter { b in
                let old = before[b.index]
                return (b.l1TxHash != nil && old?.l1TxHash != b.l1TxHash) || (b.final && old?.final != true)
            }
        }
        guard !changed.isEmpty else { return }
        for o in observers.value { o(changed) }
    }

    /// Newest first.
    public func recentBatches(limit: Int) -> [BatchStatus] { live.withLock { Array($0.list.suffix(limit).reversed()) } }

    public func batch(containing block: UInt64) -> BatchStatus? {
        live.withLock { v in
            let l = v.list
            var lo = 0, hi = l.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if l[mid].lastBlock >= block { hi = mid } else { lo = mid + 1 }
            }
            return lo < l.count && l[lo].contains(block) ? l[lo] : nil
        }
    }

    public func batch(index: UInt64) -> BatchStatus? {
        live.withLock { v in index < UInt64(v.list.count) && v.list[Int(index)].index == index ? v.list[Int(index)] : nil }
    }

    public var latestFinal: BatchStatus? { live.withLock { v in v.list.last { $0.final } } }
}
