/// A binary Merkle tree over 32-byte leaves that commits to their *order*: the txRoot of a
/// block (docs/PROTOCOL.md §5–6). Unlike the OpenZeppelin tree (sorted pairs, for claims), a pair here is
/// hashed left‖right, so a proof also proves the position.
///
/// Construction (pinned in docs/PROTOCOL.md): level 0 is the leaves in order; each next level
/// hashes adjacent pairs `keccak256(left ‖ right)`; an odd last node is carried up unchanged.
/// The root of one leaf is that leaf; the root of no leaves is 32 zero bytes. The leaf count
/// (the header's txCount) fixes the shape, so carried nodes need no marker.
public enum OrderedMerkleTree {
    public static let emptyRoot = Bytes(repeating: 0, count: 32)

    public static func root(_ leaves: [Bytes]) -> Bytes {
        guard !leaves.isEmpty else { return emptyRoot }
        var level = leaves
        while level.count > 1 {
            var next = [Bytes]()
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(Keccak.hash256(level[i], level[i + 1]))
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
        return level[0]
    }

    /// Siblings from the leaf upwards, skipping levels where the node is carried.
    public static func proof(_ leaves: [Bytes], index: Int) -> [Bytes]? {
        guard index >= 0, index < leaves.count else { return nil }
        var level = leaves, i = index, proof: [Bytes] = []
        while level.count > 1 {
            let sibling = i ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            var next = [Bytes]()
            var k = 0
            while k + 1 < level.count { next.append(Keccak.hash256(level[k], level[k + 1])); k += 2 }
            if k < level.count { next.append(level[k]) }
            level = next
            i /= 2
        }
        return proof
    }

    /// Recomputes the root from a leaf at `index` of a tree of `count` leaves.
    public static func verify(leaf: Bytes, index: Int, count: Int, proof: [Bytes], root: Bytes) -> Bool {
        guard count > 0, index >= 0, index < count, leaf.count == 32 else { return false }
        var node = leaf, i = index, width = count, used = 0
        while width > 1 {
            let sibling = i ^ 1
            if sibling < width {
                guard used < proof.count, proof[used].count == 32 else { return false }
                node = (i & 1 == 0) ? Keccak.hash256(node, proof[used]) : Keccak.hash256(proof[used], node)
                used += 1
            }
            i /= 2
            width = (width + 1) / 2
        }
        return used == proof.count && node == root
    }
}
