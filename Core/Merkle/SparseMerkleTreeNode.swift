import Foundation

/// Why a sparse-Merkle-tree operation or proof decoding failed.
public enum SMTError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLength(what: String, count: Int)
    case invalidHex(String)
    /// The store has no node for a hash the tree refers to (pruned, wrong root, or lost data).
    case missingNode(hash: SMTHash, depth: Int)
    /// A stored node does not decode, or the tree's shape is impossible.
    case corruptNode(hash: SMTHash, reason: String)
    case invalidProof(String)
    /// The underlying node store failed (e.g. a RocksDB read error).
    case store(String)

    public var description: String {
        switch self {
        case .invalidLength(let what, let n): return "SMT: expected a \(what), got \(n) bytes"
        case .invalidHex(let s): return "SMT: not a 32-byte hex string: \"\(s.prefix(80))\""
        case .missingNode(let h, let d): return "SMT: node \(h.hex) at depth \(d) is missing from the node store"
        case .corruptNode(let h, let why): return "SMT: node \(h.hex) is corrupt: \(why)"
        case .invalidProof(let why): return "SMT proof: \(why)"
        case .store(let why): return "SMT node store: \(why)"
        }
    }
}

/// A stored tree node. Nodes are content-addressed: the key in a store is `hash`, which is
/// keccak256 of `encoded` — so a store can never hold two versions of a node, and every
/// historic root stays provable as long as its nodes are kept.
///
/// Encoding (65 bytes, also the hash preimage): `0x00 ‖ key ‖ valueHash` for a leaf,
/// `0x01 ‖ leftHash ‖ rightHash` for an internal node. The tag makes a leaf preimage and an
/// internal preimage disjoint, so a proof cannot pass an internal node off as a leaf.
public enum SMTNode: Equatable, Sendable {
    case leaf(key: SMTHash, valueHash: SMTHash)
    case branch(left: SMTHash, right: SMTHash)

    public static let leafTag: UInt8 = 0x00
    public static let branchTag: UInt8 = 0x01
    public static let encodedSize = 65

    public var hash: SMTHash {
        switch self {
        case .leaf(let k, let v): return SMTHash.hashNode(tag: Self.leafTag, k, v)
        case .branch(let l, let r): return SMTHash.hashNode(tag: Self.branchTag, l, r)
        }
    }

    public var encoded: Bytes {
        Bytes(unsafeUninitializedCapacity: Self.encodedSize) { buf, n in
            encode(to: UnsafeMutableRawPointer(buf.baseAddress!))
            n = Self.encodedSize
        }
    }

    /// Writes the 65-byte encoding at `p` (no alignment needed): for encoders that fill one
    /// buffer with many nodes.
    @inlinable public func encode(to p: UnsafeMutableRawPointer) {
        let (tag, a, b): (UInt8, SMTHash, SMTHash)
        switch self {
        case .leaf(let k, let v): (tag, a, b) = (Self.leafTag, k, v)
        case .branch(let l, let r): (tag, a, b) = (Self.branchTag, l, r)
        }
        p.storeBytes(of: tag, as: UInt8.self)
        a.store(to: p + 1)
        b.store(to: p + 33)
    }

    /// Decodes a stored node; `hash` only names the node in the error.
    public init(encoded: UnsafeRawBufferPointer, hash: SMTHash) throws(SMTError) {
        guard encoded.count == Self.encodedSize, let base = encoded.baseAddress else {
            throw .corruptNode(hash: hash, reason: "encoding is \(encoded.count) bytes, expected \(Self.encodedSize)")
        }
        let a = SMTHash(loading: base + 1), b = SMTHash(loading: base + 33)
        switch encoded[0] {
        case Self.leafTag: self = .leaf(key: a, valueHash: b)
        case Self.branchTag:
            guard !(a.isZero && b.isZero) else { throw .corruptNode(hash: hash, reason: "internal node with two empty children") }
            self = .branch(left: a, right: b)
        default: throw .corruptNode(hash: hash, reason: "unknown tag 0x\(String(encoded[0], radix: 16))")
        }
    }

    public init(encoded: Bytes, hash: SMTHash) throws(SMTError) {
        let decoded = encoded.withUnsafeBytes { raw in
            Result { () throws(SMTError) -> SMTNode in try SMTNode(encoded: raw, hash: hash) }
        }
        self = try decoded.get()
    }
}

/// A node an update created, with its hash and its place: the depth it was made at and the
/// first 64 bits of a key below it (so bits 0..<depth of `path` are the node's position). A
/// branch never moves (its content fixes its depth); a leaf may later move up or down when
/// its neighbours change, so for a leaf the place is a hint. Caches may index the upper
/// levels by place instead of hashing the node hash.
public struct SMTNewNode: Sendable {
    public var hash: SMTHash
    public var node: SMTNode
    public var depth: Int
    public var path: UInt64

    public init(hash: SMTHash, node: SMTNode, depth: Int, path: UInt64 = 0) {
        self.hash = hash
        self.node = node
        self.depth = depth
        self.path = path
    }
}

/// A node of the tree an update started from that the new tree no longer has, with where it
/// was (as in `SMTNewNode`) and whether it is a leaf.
public struct SMTSupersededNode: Sendable, Equatable {
    public var hash: SMTHash
    public var depth: Int
    public var path: UInt64
    public var isLeaf: Bool

    public init(hash: SMTHash, depth: Int, path: UInt64, isLeaf: Bool) {
        self.hash = hash
        self.depth = depth
        self.path = path
        self.isLeaf = isLeaf
    }
}

/// What one batch update did to the node set: the nodes it created, and the nodes of the
/// tree it started from that the new tree no longer contains. Those stay valid for the older
/// roots (nothing is ever deleted); a store that caches the current tree can drop them.
public struct SMTNodeUpdate: Sendable {
    public var written: [SMTNewNode]
    public var superseded: [SMTSupersededNode]

    public init(written: [SMTNewNode], superseded: [SMTSupersededNode]) {
        self.written = written
        self.superseded = superseded
    }
}

/// Where tree nodes live. Nodes are immutable and keyed by their hash; `put` may be called
/// with nodes that are already present (content addressing makes that a no-op).
///
/// Implementations must be safe to call from several threads (the tree value is `Sendable`;
/// a large update reads from one thread per core).
public protocol SMTNodeStore: AnyObject, Sendable {
    /// The node whose hash is `hash`, or nil if the store does not have it.
    func node(_ hash: SMTHash) throws(SMTError) -> SMTNode?
    /// Adds nodes (each with its precomputed hash).
    func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) throws(SMTError)
    /// Same as `node(_:)`, from an update that knows the node's depth (a cache may keep the
    /// upper levels apart). The default ignores the depth.
    func node(_ hash: SMTHash, depth: Int) throws(SMTError) -> SMTNode?
    /// Same, from an update that also knows the node's place: bits 0..<depth of `path` (the
    /// first 64 bits of a key below it). A cache may index the upper levels by place. The
    /// default ignores the place.
    func node(_ hash: SMTHash, depth: Int, path: UInt64) throws(SMTError) -> SMTNode?
    /// Takes one update's new nodes (as `put`) and the nodes it superseded. The default puts
    /// the new nodes and ignores the rest.
    func record(_ update: SMTNodeUpdate) throws(SMTError)
}

extension SMTNodeStore {
    public func node(_ hash: SMTHash, depth: Int) throws(SMTError) -> SMTNode? { try node(hash) }

    public func node(_ hash: SMTHash, depth: Int, path: UInt64) throws(SMTError) -> SMTNode? { try node(hash, depth: depth) }

    public func record(_ update: SMTNodeUpdate) throws(SMTError) {
        try put(update.written.map { ($0.hash, $0.node) })
    }
}

/// A node store in memory: for tests, the prover's replay and short-lived trees.
public final class InMemorySMTNodeStore: SMTNodeStore, Sendable {
    private let nodes = LockedValue<[SMTHash: SMTNode]>([:])

    public init() {}

    public func node(_ hash: SMTHash) -> SMTNode? {
        nodes.withLock { $0[hash] }
    }

    public func put(_ new: [(hash: SMTHash, node: SMTNode)]) {
        nodes.withLock { nodes in
            nodes.reserveCapacity(nodes.count + new.count)
            for (h, n) in new { nodes[h] = n }
        }
    }

    /// Number of distinct nodes held (all versions of the tree together).
    public var count: Int { nodes.withLock { $0.count } }
}
