import Foundation
import Testing
@testable import Core

@Suite struct SparseMerkleProofTests {
    typealias F = SMTFixtures

    /// A random tree (keys sharing long prefixes included) and its contents.
    static func randomTree(_ n: Int, seed: UInt64) throws -> (SparseMerkleTree, [SMTHash: SMTHash], SMTTestRNG) {
        var rng = SMTTestRNG(seed: TestSeed.value(seed))
        var map: [SMTHash: SMTHash] = [:]
        for k in F.randomKeys(n, &rng) { map[k] = F.randomHash(&rng) }
        return (try F.tree(map), map, rng)
    }

    /// Absent keys: random ones and ones sharing long prefixes with present keys.
    static func absentKeys(_ map: [SMTHash: SMTHash], _ rng: inout SMTTestRNG) -> [SMTHash] {
        var out = (0..<10).map { _ in F.randomHash(&rng) }
        for k in map.keys.prefix(20) {
            var b = k.bytes
            let i = Int.random(in: 180..<256, using: &rng)
            b[i / 8] ^= 0x80 >> UInt8(i % 8)
            out.append(try! SMTHash(b))
        }
        return out.filter { map[$0] == nil }
    }

    @Test func inclusionAndNonInclusionForEveryKey() throws {
        for (n, seed) in [(1, 10), (2, 11), (3, 12), (10, 13), (100, 14), (700, 15)] as [(Int, UInt64)] {
            var (t, map, rng) = try Self.randomTree(n, seed: seed)
            for (k, v) in map {
                let p = try t.proof(k)
                #expect(p.leaf == .init(key: k, valueHash: v))
                #expect(p.verify(root: t.root, key: k, valueHash: v))
                #expect(p.value(root: t.root, key: k) == .some(v))
                #expect(!p.verify(root: t.root, key: k, valueHash: F.randomHash(&rng)))
                #expect(!p.verify(root: t.root, key: k, valueHash: nil), "absence of a present key")
                #expect(!p.verify(root: F.randomHash(&rng), key: k, valueHash: v))
            }
            for k in Self.absentKeys(map, &rng) {
                let p = try t.proof(k)
                #expect(p.verify(root: t.root, key: k, valueHash: nil))
                #expect(p.value(root: t.root, key: k) == .some(nil))
                #expect(!p.verify(root: t.root, key: k, valueHash: F.randomHash(&rng)))
                if let other = p.leaf { #expect(other.key != k && map[other.key] == other.valueHash) }
            }
        }
    }

    @Test func forgeriesAreRejected() throws {
        var (t, map, rng) = try Self.randomTree(400, seed: 20)
        let root = t.root
        var checked = 0
        for (k, v) in map {
            let p = try t.proof(k)
            // Wrong sibling order.
            if Set(p.siblings).count > 1 {
                let reversed = SparseMerkleProof(siblings: p.siblings.reversed(), leaf: p.leaf)
                #expect(!reversed.verify(root: root, key: k, valueHash: v))
            }
            // Truncated, extended and altered sibling lists.
            if !p.siblings.isEmpty {
                #expect(!SparseMerkleProof(siblings: Array(p.siblings.dropLast()), leaf: p.leaf).verify(root: root, key: k, valueHash: v))
                #expect(!SparseMerkleProof(siblings: Array(p.siblings.dropFirst()), leaf: p.leaf).verify(root: root, key: k, valueHash: v))
                // Claiming the path ends in an empty subtree above the key's leaf.
                #expect(!SparseMerkleProof(siblings: Array(p.siblings.dropLast()), leaf: nil).verify(root: root, key: k, valueHash: nil))
                var altered = p
                altered.siblings[Int.random(in: 0..<p.siblings.count, using: &rng)] = F.randomHash(&rng)
                #expect(!altered.verify(root: root, key: k, valueHash: v))
            }
            #expect(!SparseMerkleProof(siblings: p.siblings + [.zero], leaf: p.leaf).verify(root: root, key: k, valueHash: v))
            #expect(!SparseMerkleProof(siblings: p.siblings, leaf: nil).verify(root: root, key: k, valueHash: nil))
            // Another present key's leaf, offered as inclusion or as proof of absence.
            let other = map.keys.first { $0 != k }!
            let q = try t.proof(other)
            #expect(!q.verify(root: root, key: k, valueHash: v))
            #expect(!q.verify(root: root, key: k, valueHash: nil))
            #expect(!SparseMerkleProof(siblings: p.siblings, leaf: q.leaf).verify(root: root, key: k, valueHash: nil))
            // An internal node on the path reinterpreted as a leaf (key ‖ valueHash = left ‖ right):
            // its leaf hash differs from the internal hash thanks to the 0x00/0x01 tags.
            if p.siblings.count >= 1, case .branch(let l, let r)? = try t.store.node(try Self.nodeAt(t, key: k, depth: p.siblings.count - 1)) {
                let fake = SparseMerkleProof.Leaf(key: l, valueHash: r)
                #expect(fake.hash != SparseMerkleTree.branchHash(left: l, right: r))
                let forged = SparseMerkleProof(siblings: Array(p.siblings.prefix(p.siblings.count - 1)), leaf: fake)
                #expect(!forged.verify(root: root, key: l, valueHash: r))
                #expect(!forged.verify(root: root, key: k, valueHash: nil))
                checked += 1
            }
        }
        #expect(checked > 300)
        // Oversized proofs are refused without trapping.
        let huge = SparseMerkleProof(siblings: Array(repeating: .zero, count: 257), leaf: nil)
        #expect(huge.impliedRoot(for: .zero) == nil && !huge.verify(root: .zero, key: .zero, valueHash: nil))
        // A leaf that is not on the key's path.
        let (k, v) = map.first!
        var flipped = k.bytes
        flipped[0] ^= 0x80
        let offPath = SparseMerkleProof(siblings: [F.randomHash(&rng)], leaf: .init(key: k, valueHash: v))
        #expect(offPath.impliedRoot(for: try SMTHash(flipped)) == nil)
    }

    /// Hash of the node at `depth` on `key`'s path.
    static func nodeAt(_ t: SparseMerkleTree, key: SMTHash, depth: Int) throws -> SMTHash {
        var h = t.root
        for d in 0..<depth {
            guard case .branch(let l, let r)? = try t.store.node(h) else { break }
            h = key.bit(d) == 0 ? l : r
        }
        return h
    }

    @Test func jsonRoundTripAndRejections() throws {
        let (t, map, _) = try Self.randomTree(30, seed: 30)
        for k in map.keys.prefix(5) {
            let p = try t.proof(k)
            let text = p.json.serialized
            #expect(try SparseMerkleProof(json: JSONValue.parse(text)) == p)
        }
        let absent = SparseMerkleProof(siblings: [.zero], leaf: nil)
        #expect(absent.json.serialized == #"{"leaf":null,"siblings":["0x"# + String(repeating: "0", count: 64) + #""]}"#)
        #expect(try SparseMerkleProof(json: JSONValue.parse(#"{"siblings":[]}"#)) == SparseMerkleProof(siblings: [], leaf: nil))
        let z = "\"0x" + String(repeating: "00", count: 32) + "\""
        let bad: [(String, String)] = [
            ("[]", "SMT proof: expected a JSON object"),
            (#"{"siblings":"x"}"#, #"SMT proof: "siblings" must be an array"#),
            (#"{"siblings":["0x1234"]}"#, "SMT proof: sibling 0 is not a 32-byte hex string"),
            (#"{"siblings":[],"extra":1}"#, #"SMT proof: unknown field "extra""#),
            (#"{"siblings":[],"leaf":5}"#, #"SMT proof: "leaf" must be an object or null"#),
            (#"{"siblings":[],"leaf":{"key":"0x00"}}"#, "SMT proof: leaf.key is not a 32-byte hex string"),
            (#"{"siblings":[],"leaf":{"key":\#(z)}}"#, "SMT proof: leaf.valueHash is not a 32-byte hex string"),
            (#"{"siblings":[],"leaf":{"key":\#(z),"valueHash":\#(z),"x":1}}"#, "SMT proof: leaf has fields other than key and valueHash"),
            (#"{"siblings":[\#(Array(repeating: z, count: 257).joined(separator: ","))]}"#, "SMT proof: 257 siblings, at most 256 allowed"),
        ]
        for (text, message) in bad {
            #expect(throws: (any Error).self) { try SparseMerkleProof(json: JSONValue.parse(text)) }
            do { _ = try SparseMerkleProof(json: JSONValue.parse(text)) } catch { #expect("\(error)" == message) }
        }
    }

    /// An independent Python implementation of the spec (Tests/oracle/smt_cases.py): roots and
    /// proofs must match field by field.
    @Test func matchesPythonOracle() throws {
        let cases = try PythonOracle.cases("smt_cases.py", ["--seed", "7", "--count", "60"])
        #expect(cases.count == 60)
        var proofs = 0
        for c in cases {
            let pairs = try #require(c["pairs"] as? [[String]])
            var t = SparseMerkleTree(store: InMemorySMTNodeStore())
            try t.update(pairs.map { SMTChange(key: try SMTHash(hex: $0[0]), valueHash: try SMTHash(hex: $0[1])) })
            #expect(t.root.hex == c["root"] as? String)
            for p in try #require(c["proofs"] as? [[String: Any]]) {
                let key = try SMTHash(hex: try #require(p["key"] as? String))
                let ours = try t.proof(key)
                #expect(ours.siblings.map(\.hex) == p["siblings"] as? [String])
                if let leaf = p["leaf"] as? [String: String] {
                    #expect(ours.leaf?.key.hex == leaf["key"] && ours.leaf?.valueHash.hex == leaf["valueHash"])
                } else {
                    #expect(ours.leaf == nil)
                }
                let present = pairs.first { $0[0] == key.hex }
                #expect(ours.verify(root: t.root, key: key, valueHash: try present.map { try SMTHash(hex: $0[1]) }))
                proofs += 1
            }
        }
        #expect(proofs > 1000)
    }

    /// The proof vectors printed in docs/PROTOCOL.md §4.1 (computed by Tests/oracle/smt_cases.py's
    /// functions): the three-key tree of the root vectors.
    @Test func documentedProofVectors() throws {
        let t = try F.tree([SparseMerkleTreeTests.k1: SparseMerkleTreeTests.v1, SparseMerkleTreeTests.k2: SparseMerkleTreeTests.v2,
                            SparseMerkleTreeTests.k3: SparseMerkleTreeTests.v3])
        let l1 = "0x9acf4b364684dc16a5b35e0c0c8d867c15ac2bf1c4f09b17c771b5e0693143b1"
        let l2 = "0x13661b3b3a1399a3c56bf5f0d6399954692e9c13f529c34274cd6d1e6e7bf5c8"
        let l3 = "0xbd4cc24d44e3b40627227108e7e08766371073640013d9ae82310cfc10888b6b"
        let b13 = "0x02e1b8e975dd2d1ddeb71c8c4ba58f5c8a23d048113d5fe7292d07eea41af731"
        let zero = "0x" + String(repeating: "0", count: 64)
        func key(_ first: String) -> String { "0x" + first + String(repeating: "0", count: 62) }
        let expected: [(String, [String], (String, String)?)] = [
            (key("30"), [l2, zero, l1], (key("30"), "0xec97b8914cfb6741ca720b49246676ddcc2c227e4046450a8d815244c93673da")),
            (key("50"), [l2, b13], nil),
            (key("18"), [l2, zero, l3], (key("10"), "0x0984d5efd47d99151ae1be065a709e56c602102f24c1abc4008eb3f815a8d217")),
        ]
        for (k, siblings, leaf) in expected {
            let p = try t.proof(try SMTHash(hex: k))
            #expect(p.siblings.map(\.hex) == siblings)
            #expect(p.leaf?.key.hex == leaf?.0 && p.leaf?.valueHash.hex == leaf?.1)
            #expect(p.verify(root: t.root, key: try SMTHash(hex: k), valueHash: leaf?.0 == k ? try SMTHash(hex: leaf!.1) : nil))
        }
    }
}
