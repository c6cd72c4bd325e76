/// When to seal the block being built, and how much it may hold.
///
/// A block is sealed at `maxTxs` transactions, when its contents reach its byte budget, when
/// `maxInboxPerBlock` inbox messages wait, or `blockTime` after the first pending item —
/// never an empty block (unless a heartbeat is configured, so followers can see the
/// sequencer is alive).
///
/// The byte budget is what keeps batch posting alive: every block must fit a batch of its own
/// (L1 takes at most `maxBatchBytes` of data per commit), or the poster could never post it
/// and the chain would stop settling. So a block's inbox messages and transactions, in the
/// batch's binary form, stay within `BatchCodec.blockPayloadBudget`, which holds even if zstd
/// cannot compress them at all. An inbox backlog (say after downtime) drains over as many
/// blocks as it needs.
public struct SealPolicy: Sendable, Equatable, Codable {
    public var maxTxs: Int
    /// A further cap on a block's encoded inbox messages and transactions (the batch budget
    /// applies in any case).
    public var maxBytes: Int
    /// Milliseconds from the first pending transaction or inbox message to the seal.
    public var blockTimeMs: UInt64
    /// Seal an empty block after this many milliseconds without activity (0 = never).
    public var heartbeatMs: UInt64
    /// The most batch data L1 accepts in one commit (the contract's `MAX_BATCH_DATA`).
    public var maxBatchBytes: Int
    /// The most inbox messages one block applies.
    public var maxInboxPerBlock: Int

    public init(maxTxs: Int = 5_000, maxBytes: Int = 1_000_000, blockTimeMs: UInt64 = 1_000, heartbeatMs: UInt64 = 0,
                maxBatchBytes: Int = 65_536, maxInboxPerBlock: Int = 512) {
        self.maxTxs = maxTxs; self.maxBytes = maxBytes; self.blockTimeMs = blockTimeMs; self.heartbeatMs = heartbeatMs
        self.maxBatchBytes = maxBatchBytes; self.maxInboxPerBlock = maxInboxPerBlock
    }

    /// Encoded bytes one block's inbox messages and transactions may take.
    public var blockBudget: Int { min(maxBytes, BatchCodec.blockPayloadBudget(maxData: maxBatchBytes)) }

    public enum Reason: String, Sendable { case maxTxs, maxBytes, maxInbox, blockTime, heartbeat }

    /// Whether to seal now. `pendingBytes` counts the encoded ready transactions and pending
    /// inbox messages; `sincePendingMs` is the age of the oldest pending item (nil when
    /// nothing is pending); `sinceLastSealMs` is the time since the previous block.
    public func shouldSeal(pendingTxs: Int, pendingBytes: Int, pendingInbox: Int,
                           sincePendingMs: UInt64?, sinceLastSealMs: UInt64) -> Reason? {
        if pendingTxs >= maxTxs { return .maxTxs }
        if pendingBytes >= blockBudget { return .maxBytes }
        if pendingInbox >= maxInboxPerBlock { return .maxInbox }
        if pendingTxs + pendingInbox > 0, let age = sincePendingMs, age >= blockTimeMs { return .blockTime }
        if heartbeatMs > 0, pendingTxs + pendingInbox == 0, sinceLastSealMs >= heartbeatMs { return .heartbeat }
        return nil
    }

    /// Milliseconds until `shouldSeal` says yes if nothing else happens meanwhile (same
    /// arguments): 0 when it says yes now, nil when only a change (something pending, a full
    /// block) can make it say yes. What the sealing thread waits for instead of polling: a
    /// block is due `blockTimeMs` after its first pending item, or a heartbeat after the last
    /// block; a full block is due at once, and whoever fills it wakes the thread.
    public func dueInMs(pendingTxs: Int, pendingBytes: Int, pendingInbox: Int,
                        sincePendingMs: UInt64?, sinceLastSealMs: UInt64) -> UInt64? {
        if shouldSeal(pendingTxs: pendingTxs, pendingBytes: pendingBytes, pendingInbox: pendingInbox,
                      sincePendingMs: sincePendingMs, sinceLastSealMs: sinceLastSealMs) != nil { return 0 }
        if pendingTxs + pendingInbox > 0 {
            // Pending without a start time cannot come due by time (the engine always notes one).
            guard let age = sincePendingMs else { return nil }
            return blockTimeMs - age
        }
        return heartbeatMs > 0 ? heartbeatMs - sinceLastSealMs : nil
    }
}
