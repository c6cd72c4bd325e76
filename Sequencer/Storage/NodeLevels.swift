import Core
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The upper levels of the state tree's branches, stored by place: level `d` is a flat array
/// of 2^d slots indexed by the node's first `d` path bits, so reading the node an update
/// needs is one array access and one hash compare — no probing, no hashing of the key.
///
/// Why branches only: a branch's content fixes its place (its depth is where its keys part),
/// so a branch never moves; a leaf moves up or down as its neighbours come and go, and leaves
/// stay in the hash-keyed generations (`NodeShard`). A slot is trusted only when its stored
/// hash equals the one asked for, so a slot left behind by a superseded branch is never
/// served for anything else — and since slots are filled only with durable nodes (read from
/// RocksDB, or after the block that made them is written), nothing here can be lost in a crash.
///
/// Thread-safe: slots are guarded by 64 striped locks (an update reads from two threads while
/// the previous block's nodes may be entering). The memory is `calloc`ed, so levels the tree
/// does not reach cost no pages.
final class NodeLevels: @unchecked Sendable {
    /// Levels 0..<depth.
    let depth: Int
    private let slots: UnsafeMutablePointer<Slot>
    private let locks: UnsafeMutableRawPointer
    private static let stripes = 64
    /// One lock per cache line: two threads on neighbouring stripes do not share a line.
    private static let lockStride = max(64, MemoryLayout<pthread_mutex_t>.stride)

    /// 96 bytes: a branch and its hash.
    struct Slot {
        var hash: SMTHash
        var left: SMTHash
        var right: SMTHash
    }

    /// Slots for `depth` levels: 2^depth − 1 of them.
    static func slotCount(depth: Int) -> Int { (1 << depth) - 1 }

    init(depth: Int) {
        precondition((0...40).contains(depth))
        self.depth = depth
        let count = max(Self.slotCount(depth: depth), 1)
        // Zeroed: an all-zero hash is no node's (it is the empty subtree), so a zero slot is empty.
        slots = calloc(count, MemoryLayout<Slot>.stride)!.bindMemory(to: Slot.self, capacity: count)
        locks = UnsafeMutableRawPointer.allocate(byteCount: Self.stripes * Self.lockStride, alignment: 64)
        for i in 0..<Self.stripes {
            let m = (locks + i * Self.lockStride).bindMemory(to: pthread_mutex_t.self, capacity: 1)
            m.initialize(to: pthread_mutex_t())
            pthread_mutex_init(m, nil)
        }
    }

    deinit {
        for i in 0..<Self.stripes { pthread_mutex_destroy(lock(i)) }
        locks.deallocate()
        free(slots)
    }

    @inline(__always)
    private func lock(_ stripe: Int) -> UnsafeMutablePointer<pthread_mutex_t> {
        (locks + stripe * Self.lockStride).assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// The slot of the node at `depth` whose path starts with `path`'s first `depth` bits.
    @inline(__always)
    private func index(_ depth: Int, _ path: UInt64) -> Int {
        depth == 0 ? 0 : (1 << depth) - 1 + Int(truncatingIfNeeded: path >> UInt64(64 - depth))
    }

    @inline(__always)
    private func withSlot<R>(_ depth: Int, _ path: UInt64, _ body: (inout Slot) -> R) -> R {
        let i = index(depth, path)
        let m = lock(i & (Self.stripes - 1))
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return body(&slots[i])
    }

    /// The branch `hash` if it is what the slot at (`depth`, `path`) holds.
    @inline(__always)
    func find(_ hash: SMTHash, depth: Int, path: UInt64) -> SMTNode? {
        withSlot(depth, path) { s in s.hash == hash ? SMTNode.branch(left: s.left, right: s.right) : nil }
    }

    /// Puts a durable branch in its slot (replacing whatever was there: the slot holds the
    /// newest node at that place).
    func store(_ hash: SMTHash, left: SMTHash, right: SMTHash, depth: Int, path: UInt64) {
        withSlot(depth, path) { $0 = Slot(hash: hash, left: left, right: right) }
    }

    /// Puts a durable branch read from disk in its slot if the slot is empty (a read may come
    /// from an older root: it must not push out the current tree's branch). True if stored.
    func fill(_ hash: SMTHash, left: SMTHash, right: SMTHash, depth: Int, path: UInt64) -> Bool {
        withSlot(depth, path) { s in
            guard s.hash.isZero || s.hash == hash else { return false }
            s = Slot(hash: hash, left: left, right: right)
            return true
        }
    }

    /// Empties the slot if it still holds `hash` (a superseded branch whose place is now a
    /// leaf or empty; one whose place got a new branch was replaced already).
    func remove(_ hash: SMTHash, depth: Int, path: UInt64) {
        withSlot(depth, path) { if $0.hash == hash { $0.hash = .zero } }
    }

    /// The hashes held (tests, counts): a scan of every slot.
    var hashes: [SMTHash] {
        var out: [SMTHash] = []
        for i in 0..<Self.slotCount(depth: depth) {
            let h = withSlotAt(i) { $0.hash }
            if !h.isZero { out.append(h) }
        }
        return out
    }

    var count: Int {
        var n = 0
        for i in 0..<Self.slotCount(depth: depth) where !withSlotAt(i, { $0.hash }).isZero { n += 1 }
        return n
    }

    private func withSlotAt<R>(_ i: Int, _ body: (Slot) -> R) -> R {
        let m = lock(i & (Self.stripes - 1))
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return body(slots[i])
    }
}
