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
/// A block's update writes its new branches here at once (`record`), before its batch is
/// written, tagged with the block: each change is logged with the slot's older content. Once
/// the block is durable (`markDurable`) its log is dropped — promotion is O(1), the slots
/// already hold the new tree; if the block is discarded instead (`undoPending`) the log is
/// replayed backwards and every slot holds its older, durable version again. So nothing a
/// crash or a discard could lose outlives its block: in memory it is served only while its
/// block is in flight (as the store serves any pending node), and `hashes` — what the cache
/// holds as durable — is the slots with every pending change undone. Nodes read from RocksDB
/// fill slots as before (logged too while a block is in flight, so an undo restores exactly).
///
/// Thread-safety: writers (an update's record, a fill after a RocksDB read, an undo) are
/// serialised by a lock and run inside a sequence lock; a reader takes no lock — it reads the
/// sequence, the slots and the sequence again, and retries if a writer ran in between. The
/// memory is mapped lazily, so levels the tree does not reach cost no pages.
final class NodeLevels: @unchecked Sendable {
    /// Branches by place at depths 0..<depth; slots (hashes) at depths 0...depth.
    let depth: Int
    private let slots: UnsafeMutablePointer<SMTHash>
    private let slotCount: Int
    /// Bit i: slot i is a branch whose children are slots 2i and 2i + 1.
    private let branches: UnsafeMutablePointer<UInt64>
    private let sequence = Atomic<UInt64>(0)
    private let writer: UnsafeMutablePointer<pthread_mutex_t>

    /// A slot's content before a pending change: replayed backwards by `undoPending`.
    struct Undo {
        var hash: SMTHash
        var slot: Int32
        var branch: Bool
    }

    /// One pending block's changes, in the order made: a buffer of its own, grown by doubling
    /// (a raw buffer, not an array: an append is one store, with no uniqueness or exclusivity
    /// check, and the hot loop appends ~2 a node).
    struct Log {
        var tag: UInt64 = 0
        var entries: UnsafeMutablePointer<Undo>?
        var count = 0
        var capacity = 0
        /// Whether the writer's changes are being logged here now.
        var on = false
    }

    /// The pending blocks' logs, oldest first, but the one being written (only the writer
    /// touches these).
    private var segments: [Log] = []
    /// The log being written (the newest block's), valid while `on`.
    private let current: UnsafeMutablePointer<Log>
    /// Buffers of dropped logs, reused so a block's log costs no allocation.
    private var spare: [Log] = []
    /// A dropped log this large (a bulk build's) is freed rather than kept.
    private static let spareMaxEntries = 1 << 20

    /// Bytes of one slot (`SMTHash` is four words).
    static let slotBytes = 32

    /// Slots for branches at depths 0..<depth (their children one level further): 2^(depth+1).
    static func slotCount(depth: Int) -> Int { 1 << (depth + 1) }

    /// Branches a full set of `depth` levels holds: 2^depth − 1.
    static func branchCount(depth: Int) -> Int { (1 << depth) - 1 }

    init(depth: Int) {
        precondition((0...30).contains(depth))  // a slot index fits the undo log's Int32
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
        current = .allocate(capacity: 1)
        current.initialize(to: Log())
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
        for l in segments + spare + [current.pointee] { l.entries?.deallocate() }
        current.deallocate()
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
        guard isBranch(i) != on else { return }
        note(i)
        setBit(i, on)
    }

    @inline(__always)
    private func setBit(_ i: Int, _ on: Bool) {
        if on { branches[i >> 6] |= 1 << UInt64(i & 63) } else { branches[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// Logs slot `i`'s content before the writer changes it (while a block is pending).
    @inline(__always)
    private func note(_ i: Int) {
        guard current.pointee.on else { return }
        if current.pointee.count == current.pointee.capacity { growLog() }
        (current.pointee.entries! + current.pointee.count).initialize(to: Undo(hash: slots[i], slot: Int32(truncatingIfNeeded: i), branch: isBranch(i)))
        current.pointee.count += 1
    }

    private func growLog() {
        let capacity = max(4_096, current.pointee.capacity * 2)
        let grown = UnsafeMutablePointer<Undo>.allocate(capacity: capacity)
        if let old = current.pointee.entries {
            grown.moveInitialize(from: old, count: current.pointee.count)
            old.deallocate()
        }
        current.pointee.entries = grown
        current.pointee.capacity = capacity
    }

    /// Starts logging into `tag`'s log (the newest pending one if `tag` is nil; nothing is
    /// logged when there is none: no block is pending, so nothing would be undone).
    private func openLog(tag: UInt64?) {
        if let last = segments.last, tag == nil || last.tag == tag {
            current.pointee = segments.removeLast()
        } else if let tag {
            current.pointee = spare.popLast() ?? Log()
            current.pointee.tag = tag
            current.pointee.count = 0
        } else {
            return
        }
        current.pointee.on = true
    }

    /// Files the log being written among the pending ones (an empty new one is not kept).
    private func closeLog() {
        guard current.pointee.on else { return }
        current.pointee.on = false
        if current.pointee.count == 0 { recycle(current.pointee) } else { segments.append(current.pointee) }
        current.pointee = Log()
    }

    private func recycle(_ log: Log) {
        guard let entries = log.entries else { return }
        if log.capacity > Self.spareMaxEntries || spare.count >= 4 {
            entries.deallocate()
        } else {
            spare.append(Log(entries: entries, capacity: log.capacity))
        }
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
            note(i)
            setBit(i, false)
            slots[i] = hash
        }
    }

    /// A block's new tree, written when its update is recorded (before its batch is written),
    /// every change logged under `tag` (the block) until `markDurable` or `undoPending`.
    /// `nodes` are its new nodes (with their places; an update lists a node after its
    /// children), `superseded` the branches it replaced. Parents first (the list reversed),
    /// each node in a section of its own — so a reader on another thread waits at most for one
    /// node: the new root's slot is written, and each new branch's bit cleared, its children
    /// written, and its bit set if its slot (written by its parent) names it. Every section
    /// leaves each set bit true. A superseded branch still in its slot (its place is now a
    /// leaf or empty) loses its bit.
    func record(_ nodes: [SMTNewNode], superseded: [SMTSupersededNode], tag: UInt64) {
        let top = depth
        pthread_mutex_lock(writer)
        defer { pthread_mutex_unlock(writer) }
        openLog(tag: tag)
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
        closeLog()
    }

    /// The blocks up to `tag` are durable: their changes stay, their logs go. O(1) per block —
    /// the slots already hold its tree.
    func markDurable(_ tag: UInt64) {
        pthread_mutex_lock(writer)
        defer { pthread_mutex_unlock(writer) }
        var n = 0
        while n < segments.count && segments[n].tag <= tag { n += 1 }
        for l in segments.prefix(n) { recycle(l) }
        segments.removeFirst(n)
    }

    /// Every pending block is dropped: its changes (and fills logged after them) are undone,
    /// newest first, so each slot and bit is exactly what it was before the oldest of them.
    func undoPending() {
        pthread_mutex_lock(writer)
        defer { pthread_mutex_unlock(writer) }
        guard !segments.isEmpty else { return }
        section {
            for l in segments.reversed() {
                for k in stride(from: l.count - 1, through: 0, by: -1) {
                    let u = l.entries![k], i = Int(u.slot)
                    slots[i] = u.hash
                    setBit(i, u.branch)
                }
            }
        }
        for l in segments { recycle(l) }
        segments = []
    }

    /// Blocks whose changes are here and not yet durable (tests).
    var pendingBlocks: Int { write { segments.count } }

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
        // While a block is pending, its undo must also undo this (it restores slots by replaying
        // backwards): the fill joins the newest pending log.
        openLog(tag: nil)
        defer { closeLog() }
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

    /// The durable branches held (tests): a scan of every slot with its bit set, each slot a
    /// pending block changed read as it was before (its oldest logged content).
    var hashes: [SMTHash] {
        write {
            var before: [Int: Undo] = [:]
            for l in segments {
                for k in 0..<l.count where before[Int(l.entries![k].slot)] == nil { before[Int(l.entries![k].slot)] = l.entries![k] }
            }
            var out: [SMTHash] = []
            for i in 1..<(slotCount / 2) {
                if let u = before[i] {
                    if u.branch { out.append(u.hash) }
                } else if isBranch(i) {
                    out.append(slots[i])
                }
            }
            return out
        }
    }

    /// Branches held, pending blocks' included.
    var count: Int {
        write {
            var n = 0
            for w in 0..<max(1, slotCount / 64) { n += branches[w].nonzeroBitCount }
            return n
        }
    }
}
