/// The state tree: a compacted ("shortcut leaf") sparse Merkle tree over 256-bit keys, as in
/// Diem/Aptos's Jellyfish Merkle tree. Its exact construction is pinned in docs/PROTOCOL.md §4.1:
///
/// - a key's path is its 256 bits, most significant bit of byte 0 first; 0 = left, 1 = right;
/// - an empty subtree hashes to 32 zero bytes (so does the empty tree);
/// - a subtree holding exactly one leaf is that leaf, `keccak256(0x00 ‖ key ‖ valueHash)`,
///   wherever it sits — a leaf's hash does not depend on its depth;
/// - any other subtree is `keccak256(0x01 ‖ left ‖ right)`, even when one side is empty.
///
/// So the root is a function of the set of (key, valueHash) pairs alone, never of the order
/// of updates, and a tree of n random keys is about log2(n) levels deep instead of 256.
///
/// The value is a view of one version: `root` plus a shared node store. Updates add nodes to
/// the store and never remove any, so every earlier root stays readable and provable.
public struct SparseMerkleTree: Sendable {
    public let store: any SMTNodeStore
    public internal(set) var root: SMTHash

    public init(store: any SMTNodeStore, root: SMTHash = .zero) {
        self.store = store
        self.root = root
    }

    public init(store: any SMTNodeStore, root: Bytes) throws(SMTError) {
        self.init(store: store, root: try SMTHash(root))
    }

    public static let emptyRoot = SMTHash.zero

    /// The same store viewed at another (e.g. historic) root.
    public func at(root: SMTHash) -> SparseMerkleTree { SparseMerkleTree(store: store, root: root) }

    /// keccak256(0x00 ‖ key ‖ valueHash).
    public static func leafHash(key: SMTHash, valueHash: SMTHash) -> SMTHash {
        SMTHash.hashNode(tag: SMTNode.leafTag, key, valueHash)
    }

    /// keccak256(0x01 ‖ left ‖ right).
    public static func branchHash(left: SMTHash, right: SMTHash) -> SMTHash {
        SMTHash.hashNode(tag: SMTNode.branchTag, left, right)
    }

    /// Reads a node the tree refers to on `key`'s path (its place: `depth` and the key's
    /// first bits); a missing node is an error, not an empty subtree.
    @inline(__always)
    func load(_ hash: SMTHash, depth: Int, key: SMTHash) throws(SMTError) -> SMTNode {
        guard let node = try store.node(hash, depth: depth, path: key.w0) else { throw .missingNode(hash: hash, depth: depth) }
        return node
    }

    /// The value hash stored under `key`, or nil if the key is absent.
    public func get(_ key: SMTHash) throws(SMTError) -> SMTHash? {
        var hash = root, depth = 0
        while !hash.isZero {
            switch try load(hash, depth: depth, key: key) {
            case .leaf(let k, let v): return k == key ? v : nil
            case .branch(let l, let r):
                guard depth < 256 else { throw .corruptNode(hash: hash, reason: "internal node below depth 255") }
                hash = key.bit(depth) == 0 ? l : r
                depth += 1
            }
        }
        return nil
    }

    public func get(_ key: Bytes) throws(SMTError) -> Bytes? {
        try get(try SMTHash(key))?.bytes
    }

    /// Proof of `key`'s value (inclusion) or of its absence (non-inclusion) against `root`.
    public func proof(_ key: SMTHash) throws(SMTError) -> SparseMerkleProof {
        var siblings: [SMTHash] = []
        var hash = root, depth = 0
        while !hash.isZero {
            switch try load(hash, depth: depth, key: key) {
            case .leaf(let k, let v):
                return SparseMerkleProof(siblings: siblings, leaf: .init(key: k, valueHash: v))
            case .branch(let l, let r):
                guard depth < 256 else { throw .corruptNode(hash: hash, reason: "internal node below depth 255") }
                if key.bit(depth) == 0 {
                    siblings.append(r); hash = l
                } else {
                    siblings.append(l); hash = r
                }
                depth += 1
            }
        }
        return SparseMerkleProof(siblings: siblings, leaf: nil)
    }

    public func proof(_ key: Bytes) throws(SMTError) -> SparseMerkleProof {
        try proof(try SMTHash(key))
    }
}

/// One change of a batch update: set `key` to `valueHash`, or delete it when nil.
public struct SMTChange: Equatable, Sendable {
    public var key: SMTHash
    public var valueHash: SMTHash?

    public init(key: SMTHash, valueHash: SMTHash?) {
        self.key = key
        self.valueHash = valueHash
    }
}
