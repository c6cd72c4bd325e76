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
}
