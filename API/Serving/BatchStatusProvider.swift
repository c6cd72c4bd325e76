import Core
import Sequencer

/// Where a range of L2 blocks stands on L1: the batch that carries it, the L1 transaction
/// that committed it (nil while not yet mined), and whether its challenge period is over.
public struct BatchStatus: Sendable, Equatable {
    public var index: UInt64
    public var firstBlock: UInt64
    public var lastBlock: UInt64
    public var l1TxHash: Hash32?
    public var final: Bool

    public init(index: UInt64, firstBlock: UInt64, lastBlock: UInt64, l1TxHash: Hash32?, final: Bool) {
        self.index = index; self.firstBlock = firstBlock; self.lastBlock = lastBlock
        self.l1TxHash = l1TxHash; self.final = final
    }

    public func contains(_ block: UInt64) -> Bool { block >= firstBlock && block <= lastBlock }
}

/// What the API needs to know from the bridge (which posts batches and watches finality).
/// The API owns this small interface so it does not depend on the bridge; the `Node`
/// target's `PosterStatus` implements it. Without a provider, receipts stop at "sequenced" and
/// settlement proofs are unavailable. Implementations are called from request handlers on
/// any thread and must be cheap (answer from memory).
public protocol BatchStatusProvider: Sendable {
    /// The batch that carries `block`, or nil while no batch holds it yet.
    func batch(containing block: UInt64) -> BatchStatus?
    /// The batch with this index, or nil if unknown.
    func batch(index: UInt64) -> BatchStatus?
    /// The newest final batch (what `claim` proves against), or nil before the first.
    var latestFinal: BatchStatus? { get }
    /// Bytes of sealed blocks not yet posted to L1 (for /metrics), or nil if not tracked.
    var backlogBytes: UInt64? { get }
    /// L1 gas used by the committed batches (for /metrics), or nil if not tracked.
    var l1GasSpent: UInt64? { get }
    /// The batch L1 dropped after the poster saw it committed, while the poster is halted
    /// (for /health and /metrics); nil while it posts.
    var challengedAtBatch: UInt64? { get }
    /// Why the poster cannot post the next block at all (a block larger than a batch: the
    /// seal policy prevents it, so this is an alarm for a store written by another build),
    /// or nil. The poster stops trying until the operator acts.
    var postingAlarm: (block: UInt64, reason: String)? { get }
    /// The newest batches it knows — posted (l1TxHash nil), committed or final — newest first,
    /// at most `limit` (`emeth_listBatches`, the status page).
    func recentBatches(limit: Int) -> [BatchStatus]
    /// Asks to be told, from now on, of every batch L1 commits or makes final (the `batches`
    /// subscriptions); `report` must return at once. A provider that cannot tell ignores it.
    func observeChanges(_ report: @escaping @Sendable ([BatchStatus]) -> Void)
}

extension BatchStatusProvider {
    public var backlogBytes: UInt64? { nil }
    public var l1GasSpent: UInt64? { nil }
    public var challengedAtBatch: UInt64? { nil }
    public var postingAlarm: (block: UInt64, reason: String)? { nil }
    public func recentBatches(limit: Int) -> [BatchStatus] { [] }
    public func observeChanges(_ report: @escaping @Sendable ([BatchStatus]) -> Void) {}
}
