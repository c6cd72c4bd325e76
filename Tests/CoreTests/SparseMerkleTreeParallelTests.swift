import Foundation
import Testing
@testable import Core

/// The update's two promises beyond the root: the parallel split gives the serial result, and
/// the nodes it reports as superseded are exactly those that left the tree (a cache drops
/// them, so one too many would drop a live node, one too few would keep a dead one).
@Suite(.serialized) struct SparseMerkleTreeParallelTests {
    typealias F = SMTFixtures

    /// An in-memory store that keeps every update it is given.
    final class RecordingStore: SMTNodeStore, @unchecked Sendable {
        let inner = InMemorySMTNodeStore()
        private let lock = NSLock()
        private(set) var updates: [SMTNodeUpdate] = []
        func node(_ hash: SMTHash) -> SMTNode? { inner.node(hash) }
        func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) { inner.put(nodes) }
        func record(_ update: SMTNodeUpdate) {
            lock.withLock { updates.append(update) }
            inner.put(update.written.map { ($0.hash, $0.node) })
        }
    }

    /// Every node reachable from `root`.
    static func nodes(_ store: SMTNodeStore, _ root: SMTHash) throws -> Set<SMTHash> {
        var out = Set<SMTHash>(), stack = [root]
        while let h = stack.popLast() {
            guard !h.isZero, out.insert(h).inserted else { continue }
            if case .branch(let l, let r) = try #require(try store.node(h)) { stack += [l, r] }
        }
        return out
    }

    /// Batches large enough to split (inserts, updates, deletes, no-op rewrites, a value
    /// changed and changed back), over keys that often share long prefixes.
    static func history(seed: UInt64, blocks: Int) -> [[SMTChange]] {
        var rng = SMTTestRNG(seed: TestSeed.value(seed))
        var live: [SMTHash: SMTHash] = [:]
        var out: [[SMTChange]] = []
        for b in 0..<blocks {
            var changes: [SMTChange] = []
            for k in F.randomKeys(b == 0 ? 900 : Int.random(in: 100...500, using: &rng), &rng) {
                let v = F.randomHash(&rng)
                changes.append(SMTChange(key: k, valueHash: v))
                live[k] = v
            }
            for k in Array(live.keys).shuffled(using: &rng).prefix(Int.random(in: 50...300, using: &rng)) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: changes.append(SMTChange(key: k, valueHash: nil)); live[k] = nil
                case 1: changes.append(SMTChange(key: k, valueHash: live[k]))  // no-op rewrite
                case 2:  // changed, then back: the last value given wins
                    changes.append(SMTChange(key: k, valueHash: F.randomHash(&rng)))
                    changes.append(SMTChange(key: k, valueHash: live[k]))
                default:
                    let v = F.randomHash(&rng)
                    changes.append(SMTChange(key: k, valueHash: v))
                    live[k] = v
                }
            }
            out.append(changes.shuffled(using: &rng))
        }
        return out
    }

    static func withWidth<T>(_ w: Int, _ body: () throws -> T) rethrows -> T {
        let saved = SparseMerkleTree.parallelWidth
        SparseMerkleTree.parallelWidth = w
        defer { SparseMerkleTree.parallelWidth = saved }
        return try body()
    }

    @Test(arguments: [1, 2, 4])
    func parallelUpdateEqualsSerialAndReference(width: Int) throws {
        let blocks = Self.history(seed: 41, blocks: 8)
        var serial = SparseMerkleTree(store: InMemorySMTNodeStore())
        var split = SparseMerkleTree(store: InMemorySMTNodeStore())
        var map: [SMTHash: SMTHash] = [:]
        for (n, changes) in blocks.enumerated() {
            for c in changes { map[c.key] = c.valueHash }
            try Self.withWidth(1) { _ = try serial.update(changes) }
            try Self.withWidth(width) { _ = try split.update(changes) }
            #expect(split.root == serial.root, "block \(n)")
            #expect(split.root == F.referenceRoot(map), "block \(n)")
        }
        for (k, v) in map { #expect(try split.get(k) == v) }
    }

    @Test(arguments: [1, 2])
    func supersededAreExactlyTheNodesThatLeftAndWrittenTheOnesThatCame(width: Int) throws {
        let store = RecordingStore()
        var tree = SparseMerkleTree(store: store)
        for (n, changes) in Self.history(seed: 42, blocks: 8).enumerated() {
            let before = try Self.nodes(store, tree.root), oldPlaces = try Self.places(store, tree.root)
            let recorded = store.updates.count
            try Self.withWidth(width) { _ = try tree.update(changes) }
            let after = try Self.nodes(store, tree.root)
            let update = try #require(store.updates.count == recorded + 1 ? store.updates.last : nil)
            let superseded = Set(update.superseded.map(\.hash)), written = Set(update.written.map(\.hash))
            #expect(superseded.count == update.superseded.count, "block \(n): a node reported superseded twice")
            #expect(superseded == before.subtracting(after), "block \(n)")
            #expect(written.isSuperset(of: after.subtracting(before)), "block \(n): a new node was not written")
            #expect(written.isSubset(of: after), "block \(n): a written node is not in the new tree")
            for w in update.written { #expect(w.node.hash == w.hash) }
            // The places reported (what a cache indexes the upper levels by): every branch
            // written sits at its depth and path in the new tree, every superseded branch sat
            // at its own in the old one, and a superseded leaf is reported as a leaf.
            let newPlaces = try Self.places(store, tree.root)
            for w in update.written {
                if case .branch = w.node, w.depth < 64 {
                    #expect(newPlaces[w.hash] == Self.place(w.depth, w.path), "block \(n): written branch \(w.hash)")
                }
            }
            for s in update.superseded {
                #expect(s.isLeaf == (oldPlaces[s.hash] == nil), "block \(n): superseded \(s.hash)")
                if !s.isLeaf && s.depth < 64 { #expect(oldPlaces[s.hash] == Self.place(s.depth, s.path), "block \(n): superseded branch \(s.hash)") }
            }
        }
    }

    /// A branch's place: its depth and its first `depth` path bits.
    static func place(_ depth: Int, _ path: UInt64) -> [UInt64] {
        [UInt64(depth), depth == 0 ? 0 : path >> UInt64(64 - depth)]
    }

    /// Every branch reachable from `root`, by hash, with its place (the path bits only above
    /// depth 64).
    static func places(_ store: SMTNodeStore, _ root: SMTHash) throws -> [SMTHash: [UInt64]] {
        var out: [SMTHash: [UInt64]] = [:]
        var stack: [(SMTHash, Int, UInt64)] = [(root, 0, 0)]
        while let (h, depth, prefix) = stack.popLast() {
            guard !h.isZero, case .branch(let l, let r) = try #require(try store.node(h)) else { continue }
            out[h] = [UInt64(depth), depth < 64 ? prefix : 0]
            stack += [(l, depth + 1, prefix << 1), (r, depth + 1, prefix << 1 | 1)]
        }
        return out
    }
}
