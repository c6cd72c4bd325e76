import Foundation
import Testing
@testable import Core

@Suite struct MerkleTreeTests {
    static func hex(_ s: String) -> Bytes { try! Hex.decode(s) }
    static func word(_ n: Int) -> Bytes { UInt256(UInt64(n)).bigEndianBytes }

    /// abi.encode(uint256 x, string[] items), written out for the snapshot vector.
    static func encodeUintStrings(_ x: UInt256, _ items: [String]) -> Bytes {
        var tail = word(items.count)
        var heads = Bytes(), bodies = Bytes()
        for s in items {
            heads += word(32 * items.count + bodies.count)
            let utf8 = Array(s.utf8)
            bodies += word(utf8.count) + utf8 + Bytes(repeating: 0, count: (32 - utf8.count % 32) % 32)
        }
        tail += heads + bodies
        return x.bigEndianBytes + word(64) + tail
    }

    /// OpenZeppelin's own snapshot (src/standard.test.ts.md, "dump (with seed=0)"): the whole
    /// tree array and every tree index, sorted and unsorted.
    @Test func openZeppelinSnapshotVector() throws {
        let url = try #require(Bundle.module.url(forResource: "Vectors/oz-merkle-tree/standard-v1-seed0", withExtension: "json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let values = try #require(json["values"] as? [[Any]])
        let encoded = try values.map { v in
            Self.encodeUintStrings(try UInt256(decimal: v[0] as! String), v[1] as! [String])
        }
        #expect(encoded.count == 12)
        for (sorted, key) in [(true, "sorted"), (false, "unsorted")] {
            let tree = StandardMerkleTree(abiEncodedValues: encoded, sortLeaves: sorted)
            #expect(tree.tree.map(\.hex) == json[key + "Tree"] as! [String])
            #expect(tree.treeIndices == json[key + "TreeIndex"] as! [Int])
            for i in 0..<tree.count {
                let proof = try #require(tree.proof(forValueAt: i))
                #expect(MerkleProof.verify(proof: proof, root: tree.root, leaf: StandardMerkleTree.leafHash(abiEncoded: encoded[i])))
            }
        }
        #expect(StandardMerkleTree(abiEncodedValues: encoded).root.hex == "0x157e9c38a2614a4493a0e4c38e84a1b43a932665e4d42fa2bf345824b9f101b7")
    }

    /// Every tree size 1…64 against the Python port of OZ's src/core.ts + src/merkletree.ts:
    /// tree arrays, roots, tree indices, every proof, and multiproofs.
    @Test func agreesWithOpenZeppelinAlgorithmOnEverySize() throws {
        let cases = try PythonOracle.cases("merkle_cases.py", ["--seed", "3", "--max-size", "64"])
        #expect(cases.count == 64 + 16)
        var sizes = Set<Int>()
        for c in cases {
            let values = try (c["values"] as! [[String: String]]).map {
                (account: try Address($0["account"]!), credit: try UInt256(decimal: $0["credit"]!))
            }
            sizes.insert(values.count)
            let tree = StandardMerkleTree(settlements: values, sortLeaves: c["sortLeaves"] as! Bool)
            #expect(tree.root.hex == c["root"] as! String)
            #expect(tree.tree.map(\.hex) == c["tree"] as! [String])
            #expect(tree.treeIndices == c["treeIndices"] as! [Int])
            #expect((c["proofs"] as! [[String]]).count == values.count && (c["multiProofs"] as! [[String: Any]]).count == 3)
            for (i, expected) in (c["proofs"] as! [[String]]).enumerated() {
                let proof = try #require(tree.proof(forValueAt: i))
                #expect(proof.map(\.hex) == expected)
                let leaf = StandardMerkleTree.settlementLeaf(account: values[i].account, credit: values[i].credit)
                #expect(MerkleProof.verify(proof: proof, root: tree.root, leaf: leaf))
            }
            for m in c["multiProofs"] as! [[String: Any]] {
                let mp = try tree.multiProof(forValuesAt: m["indices"] as! [Int])
                #expect(mp.leaves.map(\.hex) == m["leaves"] as! [String])
                #expect(mp.proof.map(\.hex) == m["proof"] as! [String])
                #expect(mp.proofFlags == m["proofFlags"] as! [Bool])
                #expect(try MerkleProof.processMultiProof(mp) == tree.root)
            }
        }
        #expect(sizes == Set(1...64))
    }

    static let alice = try! Address("0x1111111111111111111111111111111111111111")
    static let bob = try! Address("0x2222222222222222222222222222222222222222")

    @Test func settlementLeafIsTheDoubleHashOfAbiEncode() {
        let credit = UInt256(5_000_000_000_000_000_000 as UInt64)
        let encoded = Bytes(repeating: 0, count: 12) + Self.alice.bytes + credit.bigEndianBytes
        let leaf = StandardMerkleTree.settlementLeaf(account: Self.alice, credit: credit)
        #expect(leaf == Keccak.hash256(Keccak.hash256(encoded)))
        #expect(leaf == StandardMerkleTree.leafHash(abiEncoded: encoded))
        #expect(StandardMerkleTree(settlements: [(Self.alice, credit)]).root == leaf)
    }

    @Test func singleAndEmptyTrees() throws {
        let leaf = StandardMerkleTree.settlementLeaf(account: Self.alice, credit: 7)
        let one = StandardMerkleTree(settlements: [(Self.alice, 7)])
        #expect(one.root == leaf)
        #expect(one.proof(forValueAt: 0) == [])
        #expect(MerkleProof.verify(proof: [], root: one.root, leaf: leaf))
        #expect(one.proof(forValueAt: 1) == nil)

        let empty = StandardMerkleTree(settlements: [])
        #expect(empty.root == Bytes(repeating: 0, count: 32))
        #expect(empty.count == 0 && empty.tree.isEmpty)
        #expect(empty.proof(forValueAt: 0) == nil)
        #expect(empty.proof(account: Self.alice, credit: 7) == nil)
        #expect(throws: MerkleTreeError.emptyTree) { try empty.multiProof(forValuesAt: []) }
        #expect(!MerkleProof.verify(proof: [], root: empty.root, leaf: leaf))
    }

    @Test func lookupByValueAndDuplicates() throws {
        // The same value twice: OZ's lookup finds the last one; both proofs verify.
        let values: [(account: Address, credit: UInt256)] = [(Self.alice, 1), (Self.bob, 2), (Self.alice, 1)]
        let tree = StandardMerkleTree(settlements: values)
        #expect(tree.proof(account: Self.alice, credit: 1) == tree.proof(forValueAt: 2))
        #expect(tree.valueIndex(ofLeaf: StandardMerkleTree.settlementLeaf(account: Self.bob, credit: 2)) == 1)
        #expect(tree.proof(account: Self.bob, credit: 3) == nil)
        #expect(tree.treeIndices[0] != tree.treeIndices[2])
        #expect(throws: MerkleTreeError.duplicateIndex(1)) { try tree.multiProof(forValuesAt: [1, 1]) }
        #expect(throws: MerkleTreeError.indexOutOfRange(3)) { try tree.multiProof(forValuesAt: [3]) }
        #expect(throws: MerkleTreeError.invalidLeafLength(index: 1, count: 31)) {
            try StandardMerkleTree(leafHashes: [Bytes(repeating: 1, count: 32), Bytes(repeating: 1, count: 31)])
        }
    }

    @Test func tamperedProofsFail() throws {
        let values = (0..<10).map { (account: try! Address(bytes: Bytes(repeating: UInt8($0), count: 20)), credit: UInt256(UInt64($0))) }
        let tree = StandardMerkleTree(settlements: values)
        let leaf = StandardMerkleTree.settlementLeaf(account: values[4].account, credit: values[4].credit)
        let proof = try #require(tree.proof(forValueAt: 4))
        #expect(MerkleProof.verify(proof: proof, root: tree.root, leaf: leaf))
        #expect(!MerkleProof.verify(proof: proof, root: tree.root,
                                    leaf: StandardMerkleTree.settlementLeaf(account: values[4].account, credit: 5)))
        var flipped = proof
        flipped[1][0] ^= 1
        #expect(!MerkleProof.verify(proof: flipped, root: tree.root, leaf: leaf))
        #expect(!MerkleProof.verify(proof: Array(proof.dropLast()), root: tree.root, leaf: leaf))
        #expect(MerkleProof.processProof([Bytes(repeating: 0, count: 33)], leaf: leaf) == nil)

        var mp = try tree.multiProof(forValuesAt: [1, 4, 7])
        #expect(MerkleProof.verifyMultiProof(mp, root: tree.root))
        mp.proofFlags[0].toggle()
        #expect(!MerkleProof.verifyMultiProof(mp, root: tree.root))
        let short = StandardMerkleTree.MultiProof(leaves: [leaf], proof: [], proofFlags: [false])
        #expect(throws: MerkleTreeError.invalidMultiProof("fewer proof nodes than false flags")) { try MerkleProof.processMultiProof(short) }
        let counts = StandardMerkleTree.MultiProof(leaves: [leaf, leaf], proof: [], proofFlags: [])
        #expect(throws: MerkleTreeError.invalidMultiProof("leaves + proof must equal flags + 1")) { try MerkleProof.processMultiProof(counts) }
        let noLeaves = StandardMerkleTree.MultiProof(leaves: [], proof: [leaf, leaf], proofFlags: [true])
        #expect(throws: MerkleTreeError.invalidMultiProof("ran out of leaves")) { try MerkleProof.processMultiProof(noLeaves) }
        // An empty multiproof proves nothing but the root itself (OZ's convention).
        let none = try tree.multiProof(forValuesAt: [])
        #expect(none == StandardMerkleTree.MultiProof(leaves: [], proof: [tree.root], proofFlags: []))
        #expect(try MerkleProof.processMultiProof(none) == tree.root)
    }

    /// 100k leaves (a busy batch's settlement set) build from one flat buffer and prove any
    /// leaf. (How fast is for the benchmarks, not a timed assertion here.)
    @Test func buildsAHundredThousandLeaves() throws {
        let leaves = (0..<100_000).map { Keccak.hash256(UInt256(UInt64($0)).bigEndianBytes) }
        let built = try StandardMerkleTree(leafHashes: leaves)
        #expect(built.count == 100_000)
        for i in [0, 1, 4_242, 99_999] {
            #expect(MerkleProof.verify(proof: built.proof(forValueAt: i)!, root: built.root, leaf: leaves[i]))
        }
    }
}
