import CKeccak

/// Why a Merkle tree could not be built or a (multi)proof could not be made or processed.
public enum MerkleTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLeafLength(index: Int, count: Int)
    case invalidNodeLength(Int)
    case indexOutOfRange(Int)
    case duplicateIndex(Int)
    case emptyTree
    case invalidMultiProof(String)

    public var description: String {
        switch self {
        case .invalidLeafLength(let i, let n): return "Merkle tree: leaf \(i) is \(n) bytes, expected 32"
        case .invalidNodeLength(let n): return "Merkle proof: node is \(n) bytes, expected 32"
        case .indexOutOfRange(let i): return "Merkle tree: value index \(i) is out of range"
        case .duplicateIndex(let i): return "Merkle tree: value index \(i) requested twice in a multiproof"
        case .emptyTree: return "Merkle tree: the empty tree has no proofs"
        case .invalidMultiProof(let why): return "Merkle multiproof: \(why)"
        }
    }
}

/// Verification with sorted (commutative) pair hashing, identical to OpenZeppelin's
/// `MerkleProof.verify` / `processProof` / `multiProofVerify` on L1.
public enum MerkleProof {
    /// keccak256(min(a,b) ‖ max(a,b)) for two 32-byte nodes.
    public static func hashPair(_ a: Bytes, _ b: Bytes) -> Bytes {
        precondition(a.count == 32 && b.count == 32, "Merkle nodes are 32 bytes")
        return a.lexicographicallyPrecedes(b) ? Keccak.hash256(a, b) : Keccak.hash256(b, a)
    }

    /// Folds the proof into the leaf: the root the proof claims. Nil if any node is not 32 bytes.
    public static func processProof(_ proof: [Bytes], leaf: Bytes) -> Bytes? {
        guard leaf.count == 32, proof.allSatisfy({ $0.count == 32 }) else { return nil }
        return proof.reduce(leaf, hashPair)
    }

    /// True when `leaf` is in the tree of `root`.
    public static func verify(proof: [Bytes], root: Bytes, leaf: Bytes) -> Bool {
        processProof(proof, leaf: leaf) == root
    }

    /// OZ's `processMultiProof`: leaves and proof nodes are consumed as queues, each flag
    /// saying whether the second operand comes from the leaves/hashes (true) or the proof.
    public static func processMultiProof(_ m: StandardMerkleTree.MultiProof) throws(MerkleTreeError) -> Bytes {
        for node in m.leaves + m.proof where node.count != 32 { throw .invalidNodeLength(node.count) }
        guard m.proof.count >= m.proofFlags.lazy.filter({ !$0 }).count else {
            throw .invalidMultiProof("fewer proof nodes than false flags")
        }
        guard m.leaves.count + m.proof.count == m.proofFlags.count + 1 else {
            throw .invalidMultiProof("leaves + proof must equal flags + 1")
        }
        var stack = m.leaves, head = 0
        var proofHead = 0
        stack.reserveCapacity(m.leaves.count + m.proofFlags.count)
        for flag in m.proofFlags {
            guard head < stack.count else { throw .invalidMultiProof("ran out of leaves") }
            let a = stack[head]; head += 1
            let b: Bytes
            if flag {
                guard head < stack.count else { throw .invalidMultiProof("ran out of leaves") }
                b = stack[head]; head += 1
            } else {
                guard proofHead < m.proof.count else { throw .invalidMultiProof("ran out of proof nodes") }
                b = m.proof[proofHead]; proofHead += 1
            }
            stack.append(hashPair(a, b))
        }
        let remaining = (stack.count - head) + (m.proof.count - proofHead)
        guard remaining == 1 else { throw .invalidMultiProof("does not reduce to a single root") }
        return head < stack.count ? stack[stack.count - 1] : m.proof[proofHead]
    }

    public static func verifyMultiProof(_ m: StandardMerkleTree.MultiProof, root: Bytes) -> Bool {
        (try? processMultiProof(m)) == root
    }
}

extension StandardMerkleTree {
    /// OZ's multiproof: the leaves to prove (in the order they must be submitted — tree index
    /// descending, not the requested order), the extra nodes, and one flag per hash.
    public struct MultiProof: Equatable, Sendable {
        public var leaves: [Bytes]
        public var proof: [Bytes]
        public var proofFlags: [Bool]

        public init(leaves: [Bytes], proof: [Bytes], proofFlags: [Bool]) {
            self.leaves = leaves
            self.proof = proof
            self.proofFlags = proofFlags
        }
    }

    /// A multiproof for the values at the given input indices (OZ's `getMultiProof`).
    public func multiProof(forValuesAt valueIndices: [Int]) throws(MerkleTreeError) -> MultiProof {
        guard !isEmpty else { throw .emptyTree }
        for v in valueIndices where v < 0 || v >= count { throw .indexOutOfRange(v) }
        var indices = valueIndices.map { treeIndices[$0] }
        indices.sort(by: >)
        for k in indices.indices.dropFirst() where indices[k] == indices[k - 1] {
            throw .duplicateIndex(valueIndices.first { treeIndices[$0] == indices[k] }!)
        }
        var queue = indices, head = 0
        var proof: [Bytes] = [], flags: [Bool] = []
        while head < queue.count, queue[head] > 0 {
            let j = queue[head]; head += 1
            let s = j % 2 == 1 ? j + 1 : j - 1
            let p = (j - 1) / 2
            if head < queue.count, queue[head] == s {
                flags.append(true)
                head += 1
            } else {
                flags.append(false)
                proof.append(node(s))
            }
            queue.append(p)
        }
        if indices.isEmpty { proof.append(node(0)) }
        return MultiProof(leaves: indices.map(node), proof: proof, proofFlags: flags)
    }
}
