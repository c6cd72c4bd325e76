import Dispatch
import Foundation

extension SparseMerkleTree {
    /// Applies a batch of changes (nil value hash = delete; deleting an absent key is a no-op;
    /// a key given twice takes its last value), writes the new nodes to the store in one
    /// `put`, moves `root` to the new root and returns it.
    ///
    /// This runs on every sealed block, so it touches each affected path once: the changes are
    /// sorted by key and the recursion descends into a subtree only with the changes that fall
    /// in it, so a node shared by many changed keys is read and rehashed once per batch.
    /// Unchanged subtrees are never read. On error nothing is written and `root` is unchanged.
    @discardableResult
    public mutating func update(_ changes: [SMTChange]) throws(SMTError) -> SMTHash {
        guard !changes.isEmpty else { return root }
        let sorted = Self.sortedUnique(changes)
        var updater = SMTUpdater(store: store)
        let result = try updater.applySplitting(root, depth: 0, sorted[...], width: Self.parallelWidth)
        if !updater.written.isEmpty || !updater.superseded.isEmpty {
            try store.record(SMTNodeUpdate(written: updater.written, superseded: updater.superseded))
        }
        root = result.hash
        return root
    }

    /// How many independent subtrees a large update hashes at once: one per core. The
    /// subtrees below a branch share no node, so their updates are independent; only the few
    /// nodes above the split are joined afterwards, on the calling thread.
    public nonisolated(unsafe) static var parallelWidth = ProcessInfo.processInfo.activeProcessorCount

    /// Below this many changes a subtree is updated on the calling thread: handing it to
    /// another core costs more than its hashes.
    static let parallelMinChanges = 64

    /// Same, with 32-byte `Bytes` keys and value hashes; returns the new root's bytes.
    @discardableResult
    public mutating func update(_ changes: [(key: Bytes, valueHash: Bytes?)]) throws(SMTError) -> Bytes {
        var typed: [SMTChange] = []
        typed.reserveCapacity(changes.count)
        for c in changes {
            typed.append(SMTChange(key: try SMTHash(c.key), valueHash: try c.valueHash.map { (v) throws(SMTError) in try SMTHash(v) }))
        }
        return try update(typed).bytes
    }

    /// Sorted by key, one change per key (the last one given wins).
    static func sortedUnique(_ changes: [SMTChange]) -> [SMTChange] {
        var alreadySorted = true
        for i in changes.indices.dropFirst() where !(changes[i - 1].key < changes[i].key) {
            alreadySorted = false
            break
        }
        if alreadySorted { return changes }
        let order = changes.indices.sorted { a, b in
            changes[a].key < changes[b].key || (changes[a].key == changes[b].key && a < b)
        }
        var out: [SMTChange] = []
        out.reserveCapacity(changes.count)
        for i in order {
            if let last = out.last, last.key == changes[i].key {
                out[out.count - 1] = changes[i]
            } else {
                out.append(changes[i])
            }
        }
        return out
    }
}

/// The recursive batch update. Every change slice it handles is sorted by key and shares the
/// first `depth` path bits, so the changes going left are a prefix of the slice.
struct SMTUpdater {
    enum Kind { case empty, leaf, branch, unknown }

    /// A subtree after the update: its hash and, when known, what kind of node it is (the
    /// kind matters only when its sibling became empty: a lone leaf then moves up).
    struct Sub {
        var hash: SMTHash
        var kind: Kind
        static let empty = Sub(hash: .zero, kind: .empty)
    }

    /// The leaf that occupied a subtree before the update, and the depth it sat at.
    struct Existing {
        var key: SMTHash
        var valueHash: SMTHash
        var hash: SMTHash
        var depth: Int
    }

    let store: any SMTNodeStore
    /// New nodes, handed to the store in one `record`.
    var written: [SMTNewNode] = []
    /// Nodes of the old tree that the new one no longer has (still stored: older roots use
    /// them), so a cache of the current tree can let them go.
    var superseded: [SMTSupersededNode] = []

    init(store: any SMTNodeStore) {
        self.store = store
        written.reserveCapacity(64)
    }

    /// `apply`, with the two sides of each branch near the top updated on different cores
    /// while `width` allows and both sides have enough changes. The result is the same as
    /// `apply`'s: the sides are independent, and the nodes above them are joined here.
    mutating func applySplitting(_ hash: SMTHash, depth: Int, _ changes: ArraySlice<SMTChange>, width: Int) throws(SMTError) -> Sub {
        guard width > 1, changes.count >= SparseMerkleTree.parallelMinChanges, !hash.isZero,
              case .branch(let l, let r) = try load(hash, depth: depth, path: changes[changes.startIndex].key.w0) else {
            return try apply(hash, depth: depth, changes)
        }
        guard depth < 256 else { throw .corruptNode(hash: hash, reason: "internal node below depth 255") }
        let mid = Self.splitIndex(changes, depth: depth)
        let (lc, rc) = (changes[..<mid], changes[mid...])
        let left: Sub, right: Sub
        if lc.count < SparseMerkleTree.parallelMinChanges || rc.count < SparseMerkleTree.parallelMinChanges {
            // Lopsided: no split here; the side with the changes may still split further down.
            left = lc.isEmpty ? Sub(hash: l, kind: l.isZero ? .empty : .unknown) : try applySplitting(l, depth: depth + 1, lc, width: width)
            right = rc.isEmpty ? Sub(hash: r, kind: r.isZero ? .empty : .unknown) : try applySplitting(r, depth: depth + 1, rc, width: width)
        } else {
            let sides = LockedValue(Sides())
            let half = width / 2
            let store = self.store
            let side: @Sendable (Int) -> Void = { i in
                var u = SMTUpdater(store: store)
                let outcome = Result { () throws(SMTError) -> Sub in
                    i == 0 ? try u.applySplitting(l, depth: depth + 1, lc, width: max(1, half))
                           : try u.applySplitting(r, depth: depth + 1, rc, width: max(1, width - half))
                }
                sides.withLock {
                    $0.outcome[i] = outcome
                    $0.updaters[i] = u
                }
            }
            // The right side on a worker thread, the left on this one.
            let group = DispatchGroup()
            DispatchQueue.global(qos: .userInitiated).async(group: group) { side(1) }
            side(0)
            group.wait()
            let done = sides.value
            left = try done.outcome[0]!.get()
            right = try done.outcome[1]!.get()
            for u in done.updaters {
                written += u!.written
                superseded += u!.superseded
            }
        }
        if left.hash == l && right.hash == r { return Sub(hash: hash, kind: .branch) }
        let path = changes[changes.startIndex].key.w0
        superseded.append(SMTSupersededNode(hash: hash, depth: depth, path: path, isLeaf: false))
        return try join(left, right, depth: depth + 1, path: path)
    }

    /// The two sides' results, each set by the thread that updated that side.
    struct Sides: Sendable {
        var outcome: [Result<Sub, SMTError>?] = [nil, nil]
        var updaters: [SMTUpdater?] = [nil, nil]
    }

    /// `path`: a key below the node (its first `depth` bits are the node's place).
    @inline(__always)
    func load(_ hash: SMTHash, depth: Int, path: UInt64) throws(SMTError) -> SMTNode {
        guard let node = try store.node(hash, depth: depth, path: path) else { throw .missingNode(hash: hash, depth: depth) }
        return node
    }

    /// `changes` is never empty.
    mutating func apply(_ hash: SMTHash, depth: Int, _ changes: ArraySlice<SMTChange>) throws(SMTError) -> Sub {
        if hash.isZero { return try build(depth: depth, changes, existing: nil) }
        let path = changes[changes.startIndex].key.w0
        switch try load(hash, depth: depth, path: path) {
        case .leaf(let k, let v):
            return try build(depth: depth, changes, existing: Existing(key: k, valueHash: v, hash: hash, depth: depth))
        case .branch(let l, let r):
            guard depth < 256 else { throw .corruptNode(hash: hash, reason: "internal node below depth 255") }
            let mid = Self.splitIndex(changes, depth: depth)
            let left = mid > changes.startIndex
                ? try apply(l, depth: depth + 1, changes[..<mid]) : Sub(hash: l, kind: l.isZero ? .empty : .unknown)
            let right = mid < changes.endIndex
                ? try apply(r, depth: depth + 1, changes[mid...]) : Sub(hash: r, kind: r.isZero ? .empty : .unknown)
            if left.hash == l && right.hash == r { return Sub(hash: hash, kind: .branch) }
            superseded.append(SMTSupersededNode(hash: hash, depth: depth, path: path, isLeaf: false))
            return try join(left, right, depth: depth + 1, path: path)
        }
    }

    /// The subtree with only the changes' inserts and (unless a change names its key) the
    /// existing leaf: the canonical shape built from scratch. Deletes of other keys vanish.
    mutating func build(depth: Int, _ changes: ArraySlice<SMTChange>, existing: Existing?) throws(SMTError) -> Sub {
        var live = existing
        if let e = live, let c = Self.change(in: changes, for: e.key) {
            live = nil
            if c.valueHash != e.valueHash {
                superseded.append(SMTSupersededNode(hash: e.hash, depth: e.depth, path: e.key.w0, isLeaf: true))
            }
        }
        var inserts = 0
        var lone: SMTChange?
        for c in changes where c.valueHash != nil {
            inserts += 1
            lone = c
        }
        switch inserts + (live == nil ? 0 : 1) {
        case 0:
            return .empty
        case 1:
            if let e = live { return Sub(hash: e.hash, kind: .leaf) }
            guard let c = lone, let v = c.valueHash else { return .empty }
            if let e = existing, e.key == c.key, e.valueHash == v { return Sub(hash: e.hash, kind: .leaf) }
            return leaf(c.key, v, depth: depth)
        default:
            // Two distinct keys differ at some bit < 256, so this never reaches depth 256.
            guard depth < 256 else {
                throw .corruptNode(hash: existing?.hash ?? .zero, reason: "two leaves share all 256 key bits")
            }
            let mid = Self.splitIndex(changes, depth: depth)
            let goesLeft = live.map { $0.key.bit(depth) == 0 } ?? false
            let l = try build(depth: depth + 1, changes[..<mid], existing: goesLeft ? live : nil)
            let r = try build(depth: depth + 1, changes[mid...], existing: goesLeft ? nil : live)
            let path = changes.isEmpty ? live!.key.w0 : changes[changes.startIndex].key.w0
            return branch(l.hash, r.hash, depth: depth, path: path)
        }
    }

    /// Combines two updated children into their parent; a lone leaf beside an empty subtree
    /// is the parent (compaction), an empty pair is empty.
    mutating func join(_ left: Sub, _ right: Sub, depth childDepth: Int, path: UInt64) throws(SMTError) -> Sub {
        if left.kind == .empty && right.kind == .empty { return .empty }
        if left.kind == .empty {
            let r = try resolve(right, depth: childDepth, path: Self.path(path, bit: childDepth - 1, 1))
            if r.kind == .leaf { return r }
        } else if right.kind == .empty {
            let l = try resolve(left, depth: childDepth, path: Self.path(path, bit: childDepth - 1, 0))
            if l.kind == .leaf { return l }
        }
        return branch(left.hash, right.hash, depth: childDepth - 1, path: path)
    }

    /// Learns the kind of an unchanged subtree by reading its node (at its place).
    func resolve(_ sub: Sub, depth: Int, path: UInt64) throws(SMTError) -> Sub {
        guard sub.kind == .unknown else { return sub }
        if case .leaf = try load(sub.hash, depth: depth, path: path) { return Sub(hash: sub.hash, kind: .leaf) }
        return Sub(hash: sub.hash, kind: .branch)
    }

    /// `path` with its bit `bit` set to `side`: the place of a node's other child (bits past
    /// the first 64 are not carried; no cache places nodes that deep).
    static func path(_ path: UInt64, bit: Int, _ side: UInt64) -> UInt64 {
        guard bit < 64 else { return path }
        let mask = UInt64(1) << UInt64(63 - bit)
        return side == 0 ? path & ~mask : path | mask
    }

    mutating func leaf(_ key: SMTHash, _ valueHash: SMTHash, depth: Int) -> Sub {
        let node = SMTNode.leaf(key: key, valueHash: valueHash)
        let h = SparseMerkleTree.leafHash(key: key, valueHash: valueHash)
        written.append(SMTNewNode(hash: h, node: node, depth: depth, path: key.w0))
        return Sub(hash: h, kind: .leaf)
    }

    mutating func branch(_ left: SMTHash, _ right: SMTHash, depth: Int, path: UInt64) -> Sub {
        let h = SparseMerkleTree.branchHash(left: left, right: right)
        written.append(SMTNewNode(hash: h, node: .branch(left: left, right: right), depth: depth, path: path))
        return Sub(hash: h, kind: .branch)
    }

    /// First index whose key has bit `depth` set (the slice is sorted and shares the bits
    /// above `depth`, so those keys form a suffix).
    static func splitIndex(_ changes: ArraySlice<SMTChange>, depth: Int) -> Int {
        var lo = changes.startIndex, hi = changes.endIndex
        while lo < hi {
            let m = lo + (hi - lo) / 2
            if changes[m].key.bit(depth) == 0 { lo = m + 1 } else { hi = m }
        }
        return lo
    }

    static func change(in changes: ArraySlice<SMTChange>, for key: SMTHash) -> SMTChange? {
        var lo = changes.startIndex, hi = changes.endIndex
        while lo < hi {
            let m = lo + (hi - lo) / 2
            if changes[m].key < key { lo = m + 1 } else { hi = m }
        }
        return lo < changes.endIndex && changes[lo].key == key ? changes[lo] : nil
    }
}
