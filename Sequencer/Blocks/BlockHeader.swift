import Core

/// A block header (docs/PROTOCOL.md §5–6). `hash` = keccak256(abi.encode(number, parentHash, timestamp,
/// txRoot, stateRoot, settlementRoot, inboxCursor, txCount)) with every integer a uint256 —
/// so the L1 contract or any client can recompute it with one `abi.encode`.
public struct BlockHeader: Hashable, Sendable {
    public var number: UInt64
    public var parentHash: Hash32
    public var timestamp: UInt64
    public var txRoot: Hash32
    public var stateRoot: Hash32
    public var settlementRoot: Hash32
    /// Inbox messages applied up to and including this block (the next index to apply).
    public var inboxCursor: UInt64
    public var txCount: UInt64

    public init(number: UInt64, parentHash: Hash32, timestamp: UInt64, txRoot: Hash32, stateRoot: Hash32,
                settlementRoot: Hash32, inboxCursor: UInt64, txCount: UInt64) {
        self.number = number; self.parentHash = parentHash; self.timestamp = timestamp; self.txRoot = txRoot
        self.stateRoot = stateRoot; self.settlementRoot = settlementRoot; self.inboxCursor = inboxCursor; self.txCount = txCount
    }

    /// The 256-byte ABI encoding that is hashed.
    public var encoded: Bytes {
        var w = WordWriter()
        w.uint(UInt256(number)); w.left(parentHash.bytes); w.uint(UInt256(timestamp)); w.left(txRoot.bytes)
        w.left(stateRoot.bytes); w.left(settlementRoot.bytes); w.uint(UInt256(inboxCursor)); w.uint(UInt256(txCount))
        return w.bytes
    }

    public var hash: Hash32 { Hash32(unchecked: Keccak.hash256(encoded)) }

    public static func decode(_ b: Bytes) throws(StateDecodingError) -> BlockHeader {
        var r = try WordReader(b, words: 8, what: "block header")
        return BlockHeader(number: try r.uint64(), parentHash: Hash32(unchecked: try r.left(32)), timestamp: try r.uint64(),
                           txRoot: Hash32(unchecked: try r.left(32)), stateRoot: Hash32(unchecked: try r.left(32)),
                           settlementRoot: Hash32(unchecked: try r.left(32)), inboxCursor: try r.uint64(), txCount: try r.uint64())
    }
}
