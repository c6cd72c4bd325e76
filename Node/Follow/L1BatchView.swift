import API
import Core

/// The L1 batches a follower audited, for its API's receipts and settlement proofs (its
/// `BatchStatusProvider`): committed on L1, found to carry exactly the follower's verified
/// blocks, and final once the contract says so — what the leader's `PosterStatus` says of the
/// batches it posted. Refreshed by `FollowerAudit` after every round.
public final class L1BatchView: BatchStatusProvider, Sendable {
    private let live = LockedValue<[BatchStatus]>([])

    public init() {}

    /// Replaces the list (batches in index order; their block ranges ascend).
    func set(_ batches: [BatchStatus]) { live.set(batches) }

    public func batch(containing block: UInt64) -> BatchStatus? {
        live.withLock { l in
            var lo = 0, hi = l.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if l[mid].lastBlock >= block { hi = mid } else { lo = mid + 1 }
            }
            return lo < l.count && l[lo].contains(block) ? l[lo] : nil
        }
    }

    public func batch(index: UInt64) -> BatchStatus? {
        live.withLock { l in index < UInt64(l.count) && l[Int(index)].index == index ? l[Int(index)] : nil }
    }

    public var latestFinal: BatchStatus? { live.withLock { l in l.last { $0.final } } }
}
