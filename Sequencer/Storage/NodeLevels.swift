import Core
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The upper levels of the state tree by place, as 32-byte hashes: the place at depth `d`
/// whose path starts with `p` (its first `d` bits) is slot `2^d + p` of one flat array — a
/// heap layout, so a place's two children are the adjacent slots `2i` and `2i + 1`, one
/// 64-byte line. Reading the branch an update needs is that one line: no probing, no hashing
/// of the key, and a third of the bytes of a slot holding the branch whole, so a bound holds
/// one and a half more levels.
///
/// A slot holds the hash of a node that sat at that place (a branch, a leaf or, as a child,
/// the empty subtree). Its bit in `branches` says the slot is a branch *and* its two child
/// slots hold that branch's children. Content addressing makes that a fact about the hash, not
/// about a version of the tree: it stays true however old the branch is, so a slot left from
/// an older tree can never be misread — a read is served only when the slot holds the hash
/// asked for and its bit is set. Every write that changes a slot clears the slot's bit (the
/// child slots below it belong to the old hash) unless it writes the new branch's children
/// too, and a parent whose bit is set never has a child slot changed under it.
///
/// Why branches only by place: a branch's content fixes its place (its depth is where its
/// keys part), so a branch never moves; a leaf moves up or down as its neighbours come and
/// go, so leaves are found by hash (`NodeShard`), their slot only names them.
///
/// Only durable nodes get here (a block's nodes after its batch is written, or nodes read
/// from RocksDB), so a crash loses nothing this served. Thread-safety: writers (a block's
/// promotion, a fill after a RocksDB read) are serialised by a lock and run inside a sequence
/// lock; a reader takes no lock — it reads the sequence, the slots and the sequence again, and
/// retries if a writer ran in between. The memory is mapped lazily, so levels the tree does not
/// reach cost no pages.
final class NodeLevels: @unchecked Sendable {
    /// Branches by place at depths 0..<depth; slots (hashes) at depths 0...depth.
    let depth: Int
    private let slots: UnsafeMutablePointer<SMTHash>
    private let slotCount: Int
    /// Bit i: slot i is a branch whose children are slots 2i and 2i + 1.
    private let branches: UnsafeMutablePointer<UInt64>
    private let sequence = Atomic<UInt64>(0)
    private let writer: UnsafeMutablePointer<pthread_mutex_t>

    /// Bytes of one slot (`SMTHash` is four words).
    static let slotBytes = 32

    /// Slots for branches at depths 0..<depth (their children one level further): 2^(depth+1).
    static func slotCount(depth: Int) -> Int { 1 << (depth + 1) }

    /// Branches a full set of `depth` levels holds: 2^depth − 1.
    static func branchCount(depth: Int) -> Int { (1 << depth) - 1 }

    init(depth: Int) {
        precondition((0...40).contains(depth))
        self.depth = depth
        slotCount = Self.slotCount(depth: depth)
        // Zeroed: an all-zero hash is no node's (it is the empty subtree), so a zero slot names
        // nothing. Mapped, not allocated: page-aligned (each pair of children is one cache
        // line), zero pages until touched.
        let bytes = slotCount * Self.slotBytes
        let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(raw != MAP_FAILED && raw != nil, "cannot map \(bytes) bytes for the tree's upper levels")
        #if os(Linux)
        // Huge pages where the kernel allows them: a read is one random line of a large array,
        // and with 4 KB pages each also misses the TLB. (14 is MADV_HUGEPAGE.)
        _ = madvise(raw, bytes, 14)
        #endif
        slots = raw!.bindMemory(to: SMTHash.self, capacity: slotCount)
        writer = .allocate(capacity: 1)
        writer.initialize(to: pthread_mutex_t())
        pthread_mutex_init(writer, nil)
        let words = max(1, slotCount / 64)
        branches = .allocate(capacity: words)
        branches.initialize(repeating: 0, count: words)
    }

    deinit {
        munmap(slots, slotCount * Self.slotBytes)
        pthread_mutex_destroy(writer)
        writer.deallocate()
        branches.deallocate()
    }

    /// The slot of the place at `depth` whose path starts with `path`'s first `depth` bits.
    @inline(__always)
    private func index(_ depth: Int, _ path: UInt64) -> Int {
        depth == 0 ? 1 : (1 << depth) + Int(truncatingIfNeeded: path >> UInt64(64 - depth))
    }

    @inline(__always)
    private func isBranch(_ i: Int) -> Bool { branches[i >> 6] & (1 << UInt64(i & 63)) != 0 }

    @inline(__always)
    private func setBranch(_ i: Int, _ on: Bool) {
        if on { branches[i >> 6] |= 1 << UInt64(i & 63) } else { branches[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// The branch `hash` if the slot at (`depth`, `path`) holds it with its children.
    @inline(__always)
    func find(_ hash: SMTHash, depth: Int, path: UInt64) -> SMTNode? {
        guard depth < self.depth else { return nil }
        let i = index(depth, path)
        for _ in 0..<1_000 {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 0 {
                let held = slots[i], branch = isBranch(i), left = slots[2 * i], right = slots[2 * i + 1]
                atomicMemoryFence(ordering: .acquiring)
                if sequence.load(ordering: .relaxed) == before {
                    return branch && held == hash ? .branch(left: left, right: right) : nil
                }
            }
        }
        return nil  // a writer kept running: read it elsewhere
    }

    /// Runs `body` as the one writer, in one section: readers meanwhile retry.
    private func write<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(writer)
        defer { pthread_mutex_unlock(writer) }
        return section(body)
    }

    /// One section of the writer (which holds `writer`): readers that overlap it retry, so a
    /// writer with many changes makes each a section of its own rather than stall readers.
    @inline(__always)
    private func section<R>(_ body: () -> R) -> R {
        let s = sequence.load(ordering: .relaxed)
        sequence.store(s &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        defer { sequence.store(s &+ 2, ordering: .releasing) }
        return body()
    }

    /// Sets slot `i` to `hash`; a changed slot no longer names its old children.
    @inline(__always)
    private func put(_ i: Int, _ hash: SMTHash) {
        if slots[i] != hash {
            slots[i] = hash
            setBranch(i, false)
        }
    }

    /// A durable block's new tree: `nodes` are its new nodes (with their places; an update
    /// lists a node after its children), `superseded` the branches it replaced. Parents first
    /// (the list reversed), each node in a section of its own — so an update reading beside it
    /// (the next block, pipelined) waits at most for one node: the new root's slot is written,
    /// and each new branch's bit cleared, its children written, and its bit set if its slot
    /// (written by its parent) names it. Every section leaves each set bit true. A superseded
    /// branch still in its slot (its place is now a leaf or empty) loses its bit.
    func promote(_ nodes: [SMTNewNode], superseded: [SMTSupersededNode]) {
        let top = depth
        pthread_mutex_lock(writer)
        defer { pthread_mutex_unlock(writer) }
        section {
            for s in superseded where !s.isLeaf && s.depth < top {
                let i = index(s.depth, s.path)
                if slots[i] == s.hash { setBranch(i, false) }
            }
        }
        for n in nodes.reversed() where n.depth <= top {
            let i = index(n.depth, n.path)
            if n.depth == 0 { section { put(i, n.hash) } }
            guard n.depth < top, case .branch(let l, let r) = n.node else { continue }
            section {
                setBranch(i, false)
                put(2 * i, l)
                put(2 * i + 1, r)
                if slots[i] == n.hash { setBranch(i, true) }
            }
        }
    }

    /// A branch read from RocksDB at its place: stored with its children if that changes no
    /// slot another node's bit relies on — the slot is empty or already names it (and an empty
    /// one's parent does not name it as empty), and each child slot is empty or already the
    /// child. So a read from an older root never pushes out the current tree. True if stored.
    func fill(_ hash: SMTHash, left: SMTHash, right: SMTHash, depth: Int, path: UInt64) -> Bool {
        guard depth < self.depth else { return false }
        let i = index(depth, path)
        // Never wait for a promotion: the node is returned anyway, and the promotion is
        // writing the current tree's branches.
        guard pthread_mutex_trylock(writer) == 0 else { return false }
        defer { pthread_mutex_unlock(writer) }
        return section {
            if isBranch(i) { return slots[i] == hash }
            if slots[i] != hash {
                guard slots[i].isZero, i == 1 || !isBranch(i >> 1) else { return false }
            }
            for (c, h) in [(2 * i, left), (2 * i + 1, right)] where !(slots[c].isZero || slots[c] == h) { return false }
            put(i, hash)
            put(2 * i, left)
            put(2 * i + 1, right)
            setBranch(i, true)
            return true
        }
    }

    /// The branches held (tests, counts): a scan of every slot with its bit set.
    var hashes: [SMTHash] {
        write {
            var out: [SMTHash] = []
            for i in 1..<(slotCount / 2) where isBranch(i) { out.append(slots[i]) }
            return out
        }
    }

    var count: Int {
        write {
            var n = 0
            for w in 0..<max(1, slotCount / 64) { n += branches[w].nonzeroBitCount }
            return n
        }
    }
}
