import Testing
@testable import Core

@Suite struct OrderedMerkleTreeTests {
    static func leaf(_ n: Int) -> Bytes { Keccak.hash256(Array("tx\(n)".utf8)) }

    @Test func smallTreesByHand() {
        let (a, b, c) = (Self.leaf(0), Self.leaf(1), Self.leaf(2))
        #expect(OrderedMerkleTree.root([]) == Bytes(repeating: 0, count: 32))
        #expect(OrderedMerkleTree.root([a]) == a)
        #expect(OrderedMerkleTree.root([a, b]) == Keccak.hash256(a + b))
        #expect(OrderedMerkleTree.root([b, a]) != OrderedMerkleTree.root([a, b]))
        #expect(OrderedMerkleTree.root([a, b, c]) == Keccak.hash256(Keccak.hash256(a + b) + c))
    }

    @Test func everyProofOfEverySizeVerifiesAndPinsThePosition() {
        for n in 1...33 {
            let leaves = (0..<n).map(Self.leaf)
            let root = OrderedMerkleTree.root(leaves)
            for i in 0..<n {
                let proof = OrderedMerkleTree.proof(leaves, index: i)!
                #expect(OrderedMerkleTree.verify(leaf: leaves[i], index: i, count: n, proof: proof, root: root))
                if n > 1 {
                    let other = (i + 1) % n
                    #expect(!OrderedMerkleTree.verify(leaf: leaves[i], index: other, count: n, proof: proof, root: root))
                    #expect(!OrderedMerkleTree.verify(leaf: leaves[other], index: i, count: n, proof: proof, root: root))
                }
                #expect(!OrderedMerkleTree.verify(leaf: leaves[i], index: i, count: n, proof: proof + [leaves[0]], root: root))
            }
        }
        #expect(OrderedMerkleTree.proof([Self.leaf(0)], index: 1) == nil)
    }

    /// The txRoot of every size 0…64 and a spread up to 2,000 (each power of two and its
    /// neighbours) against Tests/oracle/txroot_cases.py, which builds it level by level and
    /// recursively from PROTOCOL §5: the carried odd node is checked from 3 leaves on, and
    /// twice-carried nodes (7, 11, 13, …) too. Proofs of the first, a middle and the last leaf
    /// verify against the oracle's root.
    @Test func rootsAgreeWithAnIndependentPythonTree() throws {
        let cases = try PythonOracle.cases("txroot_cases.py")
        #expect(cases.count == 132, "txroot_cases.py printed \(cases.count) sizes")
        let leaves = (0..<UInt32(2_000)).map { (i: UInt32) -> Bytes in
            let index: Bytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: i >> $0) }
            return Keccak.hash256(Array("tx".utf8) + index)
        }
        var sizes: Set<Int> = []
        for c in cases {
            let n = c["count"] as! Int, root = try Hex.decode(c["root"] as! String)
            sizes.insert(n)
            let prefix = Array(leaves.prefix(n))
            #expect(OrderedMerkleTree.root(prefix) == root, "txRoot of \(n) leaves")
            for i in Set([0, n / 2, n - 1]) where n > 0 {
                let proof = OrderedMerkleTree.proof(prefix, index: i)!
                #expect(OrderedMerkleTree.verify(leaf: prefix[i], index: i, count: n, proof: proof, root: root), "proof of leaf \(i) of \(n)")
            }
        }
        #expect(sizes.isSuperset(of: 0...64) && sizes.contains(2_000) && sizes.contains(1_025))
    }
}
