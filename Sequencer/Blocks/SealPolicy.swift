/// When to seal the block being built (DESIGN §7): at `maxTxs` transactions, at `maxBytes` of
/// encoded transactions, or `blockTime` after the first pending item — never an empty block
/// (unless a heartbeat is configured, so followers can see the sequencer is alive).
public struct SealPolicy: Sendable, Equatable, Codable {
    public var maxTxs: Int
    public var maxBytes: Int
    /// Milliseconds from the first pending transaction or inbox message to the seal.
    public var blockTimeMs: UInt64
    /// Seal an empty block after this many milliseconds without activity (0 = never).
    public var heartbeatMs: UInt64

    public init(maxTxs: Int = 5_000, maxBytes: Int = 1_000_000, blockTimeMs: UInt64 = 1_000, heartbeatMs: UInt64 = 0) {
        self.maxTxs = maxTxs; self.maxBytes = maxBytes; self.blockTimeMs = blockTimeMs; self.heartbeatMs = heartbeatMs
    }

    public enum Reason: String, Sendable { case maxTxs, maxBytes, blockTime, heartbeat }

    /// Whether to seal now. `sincePendingMs` is the age of the oldest pending item (nil when
    /// nothing is pending); `sinceLastSealMs` is the time since the previous block.
    public func shouldSeal(pendingTxs: Int, pendingBytes: Int, pendingInbox: Int,
                           sincePendingMs: UInt64?, sinceLastSealMs: UInt64) -> Reason? {
        if pendingTxs >= maxTxs { return .maxTxs }
        if pendingBytes >= maxBytes { return .maxBytes }
        if pendingTxs + pendingInbox > 0, let age = sincePendingMs, age >= blockTimeMs { return .blockTime }
        if heartbeatMs > 0, pendingTxs + pendingInbox == 0, sinceLastSealMs >= heartbeatMs { return .heartbeat }
        return nil
    }
}
