/// A proof that a key has a given value hash in a state tree, or that it is absent
/// (docs/PROTOCOL.md §4.1).
///
/// Walking down from the root along the key's path, the proof records the sibling of every
/// internal node it passes (`siblings`, **top-down**: `siblings[i]` is the child at depth
/// i + 1 on the side opposite to key bit i; empty siblings are 32 zero bytes) and how the walk
/// ended at depth `siblings.count`:
/// - `leaf` with the key itself: inclusion, the key maps to `leaf.valueHash`;
/// - `leaf` with another key sharing the first `siblings.count` path bits: that subtree holds
///   only the other key, so the key is absent;
/// - `leaf == nil`: the walk reached an empty subtree, so the key is absent.
public struct SparseMerkleProof: Equatable, Sendable {
    public struct Leaf: Equatable, Sendable {
        public var key: SMTHash
        public var valueHash: SMTHash

        public init(key: SMTHash, valueHash: SMTHash) {
            self.key = key
            self.valueHash = valueHash
        }

        public var hash: SMTHash { SparseMerkleTree.leafHash(key: key, valueHash: valueHash) }
    }

    /// Keys are 256 bits, so no path is longer.
    public static let maxSiblings = 256

    public var siblings: [SMTHash]
    public var leaf: Leaf?

    public init(siblings: [SMTHash], leaf: Leaf?) {
        self.siblings = siblings
        self.leaf = leaf
    }

    /// The root this proof implies when read as a proof about `key`, or nil when it cannot be
    /// one (too many siblings, or a leaf that does not lie on the key's path).
    public func impliedRoot(for key: SMTHash) -> SMTHash? {
        let depth = siblings.count
        guard depth <= Self.maxSiblings else { return nil }
        var h = SMTHash.zero
        if let leaf {
            guard leaf.key.sharesPrefix(with: key, bits: depth) else { return nil }
            h = leaf.hash
        }
        var i = depth - 1
        while i >= 0 {
            h = key.bit(i) == 0
                ? SparseMerkleTree.branchHash(left: h, right: siblings[i])
                : SparseMerkleTree.branchHash(left: siblings[i], right: h)
            i -= 1
        }
        return h
    }

    /// True iff the proof shows `key ↦ valueHash` under `root`, or, when `valueHash` is nil,
    /// that `key` is absent under `root`.
    public func verify(root: SMTHash, key: SMTHash, valueHash: SMTHash?) -> Bool {
        if let valueHash {
            guard let leaf, leaf.key == key, leaf.valueHash == valueHash else { return false }
        } else if let leaf, leaf.key == key {
            return false
        }
        return impliedRoot(for: key) == root
    }

    /// Same with `Bytes`; false if any of them is not 32 bytes.
    public func verify(root: Bytes, key: Bytes, valueHash: Bytes?) -> Bool {
        guard let r = try? SMTHash(root), let k = try? SMTHash(key) else { return false }
        if let valueHash {
            guard let v = try? SMTHash(valueHash) else { return false }
            return verify(root: r, key: k, valueHash: v)
        }
        return verify(root: r, key: k, valueHash: nil)
    }

    /// The value hash this proof shows for `key`: `.some(v)` for inclusion, `.none` for
    /// absence — or nil (the outer optional) if it is no valid proof about `key` under `root`.
    public func value(root: SMTHash, key: SMTHash) -> SMTHash?? {
        guard impliedRoot(for: key) == root else { return nil }
        if let leaf, leaf.key == key { return .some(leaf.valueHash) }
        return .some(nil)
    }
}

// MARK: - JSON form

extension SparseMerkleProof {
    /// `{"siblings": ["0x…" (32 bytes), …], "leaf": {"key": "0x…", "valueHash": "0x…"} | null}`
    /// — what the API and the CLI print and read.
    public var json: JSONValue {
        .object([
            "siblings": .array(siblings.map { .string($0.hex) }),
            "leaf": leaf.map { .object(["key": .string($0.key.hex), "valueHash": .string($0.valueHash.hex)]) } ?? .null,
        ])
    }

    /// Parses the JSON form; rejects anything else with a message naming the problem.
    public init(json: JSONValue) throws(SMTError) {
        guard let object = json.objectValue else { throw .invalidProof("expected a JSON object") }
        for name in object.keys where name != "siblings" && name != "leaf" {
            throw .invalidProof("unknown field \"\(name.prefix(40))\"")
        }
        guard let list = object["siblings"]?.arrayValue else { throw .invalidProof("\"siblings\" must be an array") }
        guard list.count <= Self.maxSiblings else {
            throw .invalidProof("\(list.count) siblings, at most \(Self.maxSiblings) allowed")
        }
        var siblings: [SMTHash] = []
        siblings.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard let s = item.stringValue, let h = try? SMTHash(hex: s) else {
                throw .invalidProof("sibling \(i) is not a 32-byte hex string")
            }
            siblings.append(h)
        }
        var leaf: Leaf?
        switch object["leaf"] {
        case nil, .null?: leaf = nil
        case .object(let l)?:
            guard let k = l["key"]?.stringValue, let key = try? SMTHash(hex: k) else {
                throw .invalidProof("leaf.key is not a 32-byte hex string")
            }
            guard let v = l["valueHash"]?.stringValue, let value = try? SMTHash(hex: v) else {
                throw .invalidProof("leaf.valueHash is not a 32-byte hex string")
            }
            guard l.count == 2 else { throw .invalidProof("leaf has fields other than key and valueHash") }
            leaf = Leaf(key: key, valueHash: value)
        default: throw .invalidProof("\"leaf\" must be an object or null")
        }
        self.init(siblings: siblings, leaf: leaf)
    }
}
