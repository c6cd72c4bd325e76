import Foundation
import Testing
@testable import Core

typealias SMTTestRNG = SeededGenerator

/// Helpers shared by the sparse Merkle tree tests: random keys and a reference implementation
/// written straight from the spec over `Bytes` (no code shared with the tree).
enum SMTFixtures {
    static func h(_ hex: String) -> SMTHash { try! SMTHash(hex: hex) }

    static func randomHash<R: RandomNumberGenerator>(_ rng: inout R) -> SMTHash {
        SMTHash(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
    }

    /// Keys that often share long prefixes (deep splits, internal nodes with an empty side).
    static func randomKeys<R: RandomNumberGenerator>(_ n: Int, _ rng: inout R) -> [SMTHash] {
        var keys = Set<SMTHash>()
        let base = randomHash(&rng)
        while keys.count < n {
            if Int.random(in: 0..<10, using: &rng) < 6 {
                keys.insert(randomHash(&rng))
            } else {
                var b = base.bytes
                let i = Int.random(in: 0..<256, using: &rng)
                b[i / 8] ^= 0x80 >> UInt8(i % 8)
                keys.insert(try! SMTHash(b))
            }
        }
        return Array(keys)
    }

    static func bit(_ key: Bytes, _ i: Int) -> Int { Int(key[i / 8] >> UInt8(7 - i % 8)) & 1 }

    /// subtree(S, d): zero / leaf / keccak(0x01 ‖ subtree(S0) ‖ subtree(S1)).
    static func referenceRoot(_ pairs: [(Bytes, Bytes)], depth: Int = 0) -> Bytes {
        if pairs.isEmpty { return Bytes(repeating: 0, count: 32) }
        if pairs.count == 1 { return Keccak.hash256([0x00] + pairs[0].0 + pairs[0].1) }
        let left = pairs.filter { bit($0.0, depth) == 0 }, right = pairs.filter { bit($0.0, depth) == 1 }
        return Keccak.hash256([0x01] + referenceRoot(left, depth: depth + 1) + referenceRoot(right, depth: depth + 1))
    }

    static func referenceRoot(_ map: [SMTHash: SMTHash]) -> SMTHash {
        try! SMTHash(referenceRoot(map.map { ($0.key.bytes, $0.value.bytes) }))
    }

    static func tree(_ map: [SMTHash: SMTHash], store: InMemorySMTNodeStore = InMemorySMTNodeStore()) throws -> SparseMerkleTree {
        var t = SparseMerkleTree(store: store)
        try t.update(map.map { SMTChange(key: $0.key, valueHash: $0.value) })
        return t
    }
}

@Suite struct SparseMerkleTreeTests {
    typealias F = SMTFixtures
    // Pinned vectors (docs/PROTOCOL.md §4.1 §Test vectors), computed by Tests/oracle's formulas
    // in Python: keys 0x10…, 0x90…, 0x30… (31 zero bytes follow), values keccak("v1"/"v2"/"v3").
    static let k1 = F.h("0x10" + String(repeating: "00", count: 31))
    static let k2 = F.h("0x90" + String(repeating: "00", count: 31))
    static let k3 = F.h("0x30" + String(repeating: "00", count: 31))
    static let v1 = try! SMTHash(Keccak.hash256("v1")), v2 = try! SMTHash(Keccak.hash256("v2")), v3 = try! SMTHash(Keccak.hash256("v3"))

    static func leaf(_ k: SMTHash, _ v: SMTHash) -> Bytes { Keccak.hash256([0x00] + k.bytes + v.bytes) }
    static func node(_ l: Bytes, _ r: Bytes) -> Bytes { Keccak.hash256([0x01] + l + r) }
    static let zero = Bytes(repeating: 0, count: 32)

    @Test func emptyTree() throws {
        let t = SparseMerkleTree(store: InMemorySMTNodeStore())
        #expect(t.root == .zero && t.root.bytes == Self.zero)
        #expect(try t.get(Self.k1) == nil)
        let p = try t.proof(Self.k1)
        #expect(p == SparseMerkleProof(siblings: [], leaf: nil))
        #expect(p.verify(root: .zero, key: Self.k1, valueHash: nil))
        #expect(!p.verify(root: .zero, key: Self.k1, valueHash: Self.v1))
    }

    @Test func handComputedRoots() throws {
        var t = SparseMerkleTree(store: InMemorySMTNodeStore())
        let l1 = Self.leaf(Self.k1, Self.v1), l2 = Self.leaf(Self.k2, Self.v2), l3 = Self.leaf(Self.k3, Self.v3)

        // One key: the root is the leaf itself, whatever the key's bits.
        try t.update([SMTChange(key: Self.k1, valueHash: Self.v1)])
        #expect(t.root.bytes == l1)
        #expect(t.root.hex == "0x9acf4b364684dc16a5b35e0c0c8d867c15ac2bf1c4f09b17c771b5e0693143b1")

        // Two keys differing at bit 0: one internal node.
        try t.update([SMTChange(key: Self.k2, valueHash: Self.v2)])
        #expect(t.root.bytes == Self.node(l1, l2))
        #expect(t.root.hex == "0xc0332779e7b85e09b122c80e07c171071e3fb6a73a555703d94679299af7fa50")

        // k3 = 0x30… shares bits 0 and 1 with k1 = 0x10…, differs at bit 2: the left side is an
        // internal node at depth 1 with an empty right child over the split at depth 2.
        try t.update([SMTChange(key: Self.k3, valueHash: Self.v3)])
        let expected = Self.node(Self.node(Self.node(l1, l3), Self.zero), l2)
        #expect(t.root.bytes == expected)
        #expect(t.root.hex == "0xad65e8bb80d6f63dcbdcb374d8c502d6fb2f4e5af579df54fd7428d09e7941b2")

        // Deleting k3 collapses the path again: back to the two-key root.
        try t.update([SMTChange(key: Self.k3, valueHash: nil)])
        #expect(t.root.bytes == Self.node(l1, l2))
        // Deleting k1 leaves k2's leaf as the root (it moves up to depth 0).
        try t.update([SMTChange(key: Self.k1, valueHash: nil)])
        #expect(t.root.bytes == l2)
        try t.update([SMTChange(key: Self.k2, valueHash: nil)])
        #expect(t.root == .zero)
    }

    @Test func keysDifferingOnlyInTheLastBit() throws {
        let a = F.h("0x" + String(repeating: "ab", count: 32))
        var b = a.bytes
        b[31] ^= 1
        let kb = try SMTHash(b)
        let t = try F.tree([a: Self.v1, kb: Self.v2])
        // 255 internal nodes with an empty side above the split at depth 255.
        // 0xab ends in bit 1, so the flipped key (bit 255 = 0) is on the left.
        var expected = Self.node(Self.leaf(kb, Self.v2), Self.leaf(a, Self.v1))
        for d in stride(from: 254, through: 0, by: -1) {
            expected = F.bit(a.bytes, d) == 0 ? Self.node(expected, Self.zero) : Self.node(Self.zero, expected)
        }
        #expect(t.root.bytes == expected)
        let p = try t.proof(kb)
        #expect(p.siblings.count == 256)
        #expect(p.verify(root: t.root, key: kb, valueHash: Self.v2))
        #expect(try t.get(a) == Self.v1)
    }

    @Test func matchesReferenceOnRandomSets() throws {
        var rng = SMTTestRNG(seed: TestSeed.value(1))
        for n in [0, 1, 2, 3, 4, 5, 8, 17, 64, 200, 1000] {
            let keys = F.randomKeys(n, &rng)
            var map: [SMTHash: SMTHash] = [:]
            for k in keys { map[k] = F.randomHash(&rng) }
            let t = try F.tree(map)
            #expect(t.root == F.referenceRoot(map), "n = \(n)")
            for (k, v) in map { #expect(try t.get(k) == v) }
        }
    }

    @Test func orderAndBatchingIndependence() throws {
        var rng = SMTTestRNG(seed: TestSeed.value(2))
        let keys = F.randomKeys(300, &rng)
        var map: [SMTHash: SMTHash] = [:]
        for k in keys { map[k] = F.randomHash(&rng) }
        let expected = F.referenceRoot(map)
        for round in 0..<5 {
            var t = SparseMerkleTree(store: InMemorySMTNodeStore())
            var pending = map.map { SMTChange(key: $0.key, valueHash: $0.value) }
            pending.shuffle(using: &rng)
            // Random batch sizes, and overwrite some keys with junk first to exercise updates.
            while !pending.isEmpty {
                let n = Int.random(in: 1...max(1, pending.count / (round + 1)), using: &rng)
                var batch = Array(pending.prefix(n))
                pending.removeFirst(n)
                if round % 2 == 1, let first = batch.first {
                    try t.update([SMTChange(key: first.key, valueHash: F.randomHash(&rng))])
                }
                batch.shuffle(using: &rng)
                try t.update(batch)
            }
            #expect(t.root == expected, "round \(round)")
        }
    }

    @Test func deletesInRandomOrderReachTheSameRootsAndFinallyZero() throws {
        var rng = SMTTestRNG(seed: TestSeed.value(3))
        let keys = F.randomKeys(250, &rng)
        var map: [SMTHash: SMTHash] = [:]
        for k in keys { map[k] = F.randomHash(&rng) }
        var t = try F.tree(map)
        var order = keys
        order.shuffle(using: &rng)
        while !order.isEmpty {
            let n = min(order.count, Int.random(in: 1...40, using: &rng))
            var batch = order.prefix(n).map { SMTChange(key: $0, valueHash: nil) }
            order.removeFirst(n)
            for c in batch { map[c.key] = nil }
            batch.append(SMTChange(key: F.randomHash(&rng), valueHash: nil))  // absent: a no-op
            try t.update(batch)
            #expect(t.root == F.referenceRoot(map))
        }
        #expect(t.root == .zero)
    }

    @Test func noOpChangesWriteNothing() throws {
        var rng = SMTTestRNG(seed: TestSeed.value(4))
        var map: [SMTHash: SMTHash] = [:]
        for k in F.randomKeys(50, &rng) { map[k] = F.randomHash(&rng) }
        let store = InMemorySMTNodeStore()
        var t = try F.tree(map, store: store)
        let (root, count) = (t.root, store.count)
        try t.update([SMTChange(key: F.randomHash(&rng), valueHash: nil)])
        let (k, v) = map.first!
        try t.update([SMTChange(key: k, valueHash: v)])
        #expect(t.root == root && store.count == count)
        try t.update([SMTChange]())
        #expect(t.root == root)
    }

    @Test func duplicateKeysInABatchTakeTheLastValue() throws {
        var t = SparseMerkleTree(store: InMemorySMTNodeStore())
        try t.update([SMTChange(key: Self.k1, valueHash: Self.v1), SMTChange(key: Self.k2, valueHash: Self.v2),
                      SMTChange(key: Self.k1, valueHash: Self.v3), SMTChange(key: Self.k2, valueHash: nil)])
        #expect(t.root.bytes == Self.leaf(Self.k1, Self.v3))
    }

    @Test func historicRootsStayReadable() throws {
        var t = SparseMerkleTree(store: InMemorySMTNodeStore())
        try t.update([SMTChange(key: Self.k1, valueHash: Self.v1), SMTChange(key: Self.k2, valueHash: Self.v2)])
        let old = t.root
        try t.update([SMTChange(key: Self.k1, valueHash: Self.v3), SMTChange(key: Self.k3, valueHash: Self.v3)])
        let past = t.at(root: old)
        #expect(try past.get(Self.k1) == Self.v1 && past.get(Self.k3) == nil)
        #expect(try past.proof(Self.k1).verify(root: old, key: Self.k1, valueHash: Self.v1))
        #expect(try t.get(Self.k1) == Self.v3)
    }

    @Test func bytesAPI() throws {
        var t = SparseMerkleTree(store: InMemorySMTNodeStore())
        let root = try t.update([(key: Self.k1.bytes, valueHash: Self.v1.bytes), (key: Self.k2.bytes, valueHash: Self.v2.bytes)])
        #expect(root == Self.node(Self.leaf(Self.k1, Self.v1), Self.leaf(Self.k2, Self.v2)))
        #expect(try t.get(Self.k2.bytes) == Self.v2.bytes)
        #expect(try t.proof(Self.k2.bytes).verify(root: root, key: Self.k2.bytes, valueHash: Self.v2.bytes))
        #expect(throws: SMTError.invalidLength(what: "32-byte value", count: 31)) {
            try t.update([(key: Bytes(repeating: 1, count: 31), valueHash: nil)])
        }
        #expect(t.root.bytes == root)
        #expect(throws: SMTError.invalidHex("0xzz")) { try SMTHash(hex: "0xzz") }
        #expect(throws: SMTError.invalidLength(what: "32-byte value", count: 1)) { try SMTHash(hex: "0x12") }
        #expect(SMTHash.zero.bytes == Self.zero)
    }

    @Test func missingNodesAreErrors() throws {
        let bogus = F.h("0x" + String(repeating: "77", count: 32))
        var t = SparseMerkleTree(store: InMemorySMTNodeStore(), root: bogus)
        #expect(throws: SMTError.missingNode(hash: bogus, depth: 0)) { try t.get(Self.k1) }
        #expect(throws: SMTError.missingNode(hash: bogus, depth: 0)) { try t.proof(Self.k1) }
        #expect(throws: SMTError.missingNode(hash: bogus, depth: 0)) { try t.update([SMTChange(key: Self.k1, valueHash: nil)]) }
        #expect(t.root == bogus)
    }

    @Test func nodeEncoding() throws {
        let leaf = SMTNode.leaf(key: Self.k1, valueHash: Self.v1)
        #expect(leaf.encoded == [0x00] + Self.k1.bytes + Self.v1.bytes)
        #expect(leaf.hash.bytes == Keccak.hash256(leaf.encoded))
        let branch = SMTNode.branch(left: Self.v1, right: .zero)
        #expect(branch.encoded == [0x01] + Self.v1.bytes + Self.zero)
        #expect(branch.hash.bytes == Keccak.hash256(branch.encoded))
        for n in [leaf, branch] { #expect(try SMTNode(encoded: n.encoded, hash: n.hash) == n) }
        #expect(throws: SMTError.corruptNode(hash: .zero, reason: "unknown tag 0x2")) {
            try SMTNode(encoded: [0x02] + Bytes(repeating: 0, count: 64), hash: .zero)
        }
        #expect(throws: SMTError.corruptNode(hash: .zero, reason: "encoding is 64 bytes, expected 65")) {
            try SMTNode(encoded: Bytes(repeating: 0, count: 64), hash: .zero)
        }
        #expect(throws: SMTError.corruptNode(hash: .zero, reason: "internal node with two empty children")) {
            try SMTNode(encoded: [0x01] + Bytes(repeating: 0, count: 64), hash: .zero)
        }
    }

    @Test func hashBitsAndPrefixes() throws {
        let k = F.h("0x80" + String(repeating: "00", count: 30) + "01")
        #expect(k.bit(0) == 1 && k.bit(1) == 0 && k.bit(254) == 0 && k.bit(255) == 1)
        var rng = SMTTestRNG(seed: TestSeed.value(5))
        for _ in 0..<200 {
            let a = F.randomHash(&rng), i = Int.random(in: 0..<256, using: &rng)
            var b = a.bytes
            b[i / 8] ^= 0x80 >> UInt8(i % 8)
            let c = try SMTHash(b)
            #expect(a.sharesPrefix(with: c, bits: i) && !a.sharesPrefix(with: c, bits: i + 1))
            #expect((a < c) == a.bytes.lexicographicallyPrecedes(b))
            for j in [0, 1, 63, 64, 65, 127, 128, 200, 255] { #expect(c.bit(j) == F.bit(b, j)) }
        }
    }

    /// Key derivation vectors, computed with eth-hash in Python (docs/PROTOCOL.md §4.1).
    @Test func stateTreeKeys() throws {
        let a = try Address("0x5B38Da6a701c568545dCfcB03FcB875f56beddC4")
        #expect(StateTreeKey.account(a).hex == "0xbce8b999c2759481be5ec038ba89bc9948108c841159bac4ce34a22098389751")
        #expect(try StateTreeKey.job(id: Hex.decode("0x0123456789abcdef0123456789abcdef")).hex
                == "0xb91c5f61aa999dee12a230a8050b3eff28ac12b109c76e096885ec5b13c81b03")
        #expect(StateTreeKey.totals.hex == "0x69c322e3248a5dfc29d73c5b0553b0185a35cd5bb6386747517ef7e53b15e287")
        // abi.encode(uint256 1e18, uint256 5, uint256 0): an account record.
        let record = UInt256(1_000_000_000_000_000_000 as UInt64).bigEndianBytes + UInt256(5).bigEndianBytes + UInt256(0).bigEndianBytes
        #expect(StateTreeKey.valueHash(ofRecord: record).hex == "0x8c631c544d7537552b980669e1321cd66ce06f7371d4de645d163515cad7c535")
        #expect(throws: SMTError.invalidLength(what: "16-byte job id", count: 20)) { try StateTreeKey.job(id: a.bytes) }
    }
}
