import CKeccak
import Foundation

/// A Merkle tree laid out exactly as OpenZeppelin's `@openzeppelin/merkle-tree`
/// (`StandardMerkleTree.of(values, encoding)`, src/core.ts `makeMerkleTree`/`getProof`), so
/// its root and proofs are accepted by OpenZeppelin's `MerkleProof.verify` on L1 — the
/// settlementRoot of docs/PROTOCOL.md §5–6 and §8.
///
/// Layout: a complete binary tree in one array of 2n−1 nodes, node i's children at 2i+1 and
/// 2i+2; the n leaves fill the end of the array in reverse order (leaf k at 2n−2−k); each
/// inner node is the commutative hash keccak256(min(a,b) ‖ max(a,b)). With `sortLeaves` (OZ's
/// default) the leaves are first ordered by hash; equal hashes keep input order (JS's sort is
/// stable). The nodes live in one flat byte buffer: building 100k leaves allocates once.
///
/// Empty tree: OZ refuses it, but a block in which no credit changed still needs a
/// settlementRoot, so ours has root bytes32(0) (`emptyRoot`) and no proofs. No proof can
/// verify against a zero root: it would need a keccak preimage of zero.
public struct StandardMerkleTree: Sendable {
    public static let emptyRoot = Bytes(repeating: 0, count: 32)

    /// Node i occupies bytes 32i ..< 32i+32.
    let nodes: [UInt8]
    /// For each input value (in input order), the index of its leaf in the tree array.
    public let treeIndices: [Int]

    /// Builds the tree over 32-byte leaf hashes (already hashed, e.g. by `leafHash(abiEncoded:)`).
    public init(leafHashes: [Bytes], sortLeaves: Bool = true) throws(MerkleTreeError) {
        for (i, l) in leafHashes.enumerated() where l.count != 32 { throw .invalidLeafLength(index: i, count: l.count) }
        self.init(validLeaves: leafHashes, sortLeaves: sortLeaves)
    }

    /// Same, for leaves already known to be 32 bytes each.
    init(validLeaves leaves: [Bytes], sortLeaves: Bool) {
        let n = leaves.count
        guard n > 0 else {
            nodes = []
            treeIndices = []
            return
        }
        var order = Array(0..<n)
        if sortLeaves {
            order.sort { a, b in
                let c = leaves[a].withUnsafeBytes { pa in leaves[b].withUnsafeBytes { pb in memcmp(pa.baseAddress!, pb.baseAddress!, 32) } }
                return c < 0 || (c == 0 && a < b)
            }
        }
        let total = 2 * n - 1
        var indices = [Int](repeating: 0, count: n)
        nodes = [UInt8](unsafeUninitializedCapacity: total * 32) { buf, initialized in
            let base = buf.baseAddress!
            for (leafIndex, valueIndex) in order.enumerated() {
                let t = total - 1 - leafIndex
                leaves[valueIndex].withUnsafeBufferPointer { (base + 32 * t).update(from: $0.baseAddress!, count: 32) }
                indices[valueIndex] = t
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch in
                var i = total - 1 - n
                while i >= 0 {
                    Self.hashPair(base + 32 * (2 * i + 1), base + 32 * (2 * i + 2), scratch: scratch.baseAddress!, into: base + 32 * i)
                    i -= 1
                }
            }
            initialized = total * 32
        }
        treeIndices = indices
    }

    /// keccak256(min(a,b) ‖ max(a,b)) of two 32-byte nodes, written to `out`.
    @inline(__always)
    static func hashPair(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>,
                         into out: UnsafeMutablePointer<UInt8>) {
        let (lo, hi) = memcmp(a, b, 32) <= 0 ? (a, b) : (b, a)
        scratch.update(from: lo, count: 32)
        (scratch + 32).update(from: hi, count: 32)
        emeth_keccak256(scratch, 64, out)
    }

    /// Number of values (leaves).
    public var count: Int { treeIndices.count }

    public var isEmpty: Bool { treeIndices.isEmpty }

    /// The root: node 0, or `emptyRoot` for no leaves.
    public var root: Bytes { isEmpty ? Self.emptyRoot : node(0) }

    /// Node `i` of the OZ tree array (callers pass indices of this tree only).
    func node(_ i: Int) -> Bytes { Array(nodes[(32 * i)..<(32 * i + 32)]) }

    /// The whole OZ tree array (what `StandardMerkleTree.dump().tree` holds).
    public var tree: [Bytes] { (0..<(nodes.count / 32)).map(node) }

    /// The leaf hash of the value at `valueIndex` (input order).
    public func leaf(at valueIndex: Int) -> Bytes? {
        guard valueIndex >= 0, valueIndex < count else { return nil }
        return node(treeIndices[valueIndex])
    }

    /// Siblings from the leaf of the value at `valueIndex` up to (not including) the root, as
    /// OZ's `getProof(index)` returns them; nil when the index is out of range.
    public func proof(forValueAt valueIndex: Int) -> [Bytes]? {
        guard valueIndex >= 0, valueIndex < count else { return nil }
        var i = treeIndices[valueIndex]
        var proof: [Bytes] = []
        proof.reserveCapacity(Int.bitWidth - count.leadingZeroBitCount + 1)
        while i > 0 {
            proof.append(node(i % 2 == 1 ? i + 1 : i - 1))
            i = (i - 1) / 2
        }
        return proof
    }

    /// The proof of a leaf hash; with duplicates, the last value carrying it (OZ's lookup).
    public func proof(forLeaf leaf: Bytes) -> [Bytes]? {
        guard let v = valueIndex(ofLeaf: leaf) else { return nil }
        return proof(forValueAt: v)
    }

    /// The (last) input index whose leaf hash is `leaf`. Linear: OZ's lookup-by-value too is
    /// the slow path; index-based proofs are the fast one.
    public func valueIndex(ofLeaf leaf: Bytes) -> Int? {
        guard leaf.count == 32 else { return nil }
        return nodes.withUnsafeBytes { buf in
            leaf.withUnsafeBytes { l in
                treeIndices.indices.reversed().first { memcmp(buf.baseAddress! + 32 * treeIndices[$0], l.baseAddress!, 32) == 0 }
            }
        }
    }
}
