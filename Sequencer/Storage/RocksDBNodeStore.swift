import Core
import Dispatch
import Synchronization

/// The state tree's nodes in RocksDB (family "smt": node hash → 65-byte node encoding), with
/// the current tree's nodes kept in memory so that an update reads RocksDB only for what the
/// cache bound left out.
///
/// A node moves through three places:
/// - **pending**: an update created it (`record`/`put`); readable, on no disk;
/// - **unflushed**: `commit(into:)` moved it into the caller's `WriteBatch` — the block's one
///   synced batch, so a block's tree nodes become durable atomically with the block; still
///   readable from here until that batch is written;
/// - **cached**: `didWrite()` says that batch is durable; only now may the node enter the
///   cache. So the cache never holds a node a crash could lose: everything in it is on disk,
///   and a restarted process (cache cold) reads the same nodes from RocksDB.
///
/// The cache has two parts within `cacheNodes` nodes: the upper levels' branches by place
/// (`NodeLevels`: 32-byte hashes in one flat array indexed by path prefix, at most the memory
/// of half the bound as 96-byte nodes), and below them, plus every leaf, the recently touched
/// nodes by hash (`NodeShard`s, two generations). The nodes
/// an update superseded leave it when that update becomes durable. Nodes are immutable
/// (content-addressed), so nothing in it ever goes stale — only unused.
///
/// Thread-safe: the levels are read without a lock (a sequence lock) and the rest is split into shards by
/// hash, each with its own lock, so the parallel halves of an update rarely wait on each
/// other, and a block's nodes enter the cache from two threads.
public final class RocksDBNodeStore: SMTNodeStore {
    public let db: RocksDB
    public let columnFamily: ColumnFamily
    /// The cache bound, in nodes (the levels hold up to half of it as 32-byte hashes in the
    /// memory the same count of 96-byte nodes would take; about 150–300 bytes a node in the
    /// generations).
    public let cacheNodes: Int

    /// 4M nodes, ~650 MB: the whole tree of about a million records.
    public static let defaultCacheNodes = 1 << 22

    /// The deepest levels by place: 2^27 slots, 4 GB.
    static let maxLevels = 26

    /// 2^shardBits shards: up to 256, each holding at least ~4k nodes (a small cache is one).
    private let shardBits: Int
    private let shards: [NodeShard]
    private let levels: NodeLevels
    private let levelDepth: Int
    private let diskReadCount = Atomic<Int>(0)

    /// The nodes not yet durable: what updates recorded since the last `commit(into:)`, and the
    /// batches given out and not yet reported written. Reads find them through `index`, built
    /// on the first read that misses the cache while any are in flight (in the sequencer's
    /// order — update, commit, write, didWrite — none is then).
    struct Flight {
        var pending: [[SMTNewNode]] = []
        var pendingSuperseded: [SMTSupersededNode] = []
        var unflushed: [(nodes: [SMTNewNode], superseded: [SMTSupersededNode])] = []
        var index: NodeTable?
        /// `discardPending` calls so far: a `didWrite` under way must not drop a later batch.
        var discards = 0

        var isEmpty: Bool { pending.isEmpty && unflushed.isEmpty }
    }
    private let flight = LockedValue(Flight())

    /// `cacheNodes` bounds the cached nodes. The upper levels by place take the deepest whole
    /// levels whose slots fit in the memory half of the bound would take as 96-byte nodes;
    /// the rest of the bound, in two generations, holds the recently touched nodes below and
    /// leaves.
    public init(db: RocksDB, columnFamily: ColumnFamily = .smt, cacheNodes: Int = RocksDBNodeStore.defaultCacheNodes) {
        self.db = db
        self.columnFamily = columnFamily
        self.cacheNodes = max(cacheNodes, 0)
        // The levels take at most the memory half the bound would as whole nodes (96 bytes):
        // 2^(depth+1) slots of 32 bytes, for 2^depth − 1 branches.
        var depth = 0
        while depth < Self.maxLevels && NodeLevels.slotCount(depth: depth + 1) * NodeLevels.slotBytes <= self.cacheNodes / 2 * 96 { depth += 1 }
        levelDepth = depth
        levels = NodeLevels(depth: depth)
        let rest = self.cacheNodes - NodeLevels.branchCount(depth: depth)
        var bits = 0
        while bits < 8 && rest >> (bits + 1) >= 4_096 { bits += 1 }
        shardBits = bits
        let shardCount = 1 << bits
        shards = (0..<shardCount).map { _ in NodeShard(generation: rest / shardCount / 2) }
    }

    @inline(__always)
    private func shardIndex(_ h: SMTHash) -> Int { shardBits == 0 ? 0 : Int(truncatingIfNeeded: h.spreadWord >> UInt64(64 - shardBits)) }

    // MARK: SMTNodeStore

    public func node(_ hash: SMTHash) throws(SMTError) -> SMTNode? { try lookup(hash, depth: 0, path: nil) }

    public func node(_ hash: SMTHash, depth: Int) throws(SMTError) -> SMTNode? { try lookup(hash, depth: depth, path: nil) }

    /// With its place: an upper branch is one slot of `levels` away.
    public func node(_ hash: SMTHash, depth: Int, path: UInt64) throws(SMTError) -> SMTNode? {
        if depth < levelDepth, let n = levels.find(hash, depth: depth, path: path) { return n }
        return try lookup(hash, depth: depth, path: path)
    }

    private func lookup(_ hash: SMTHash, depth: Int, path: UInt64?) throws(SMTError) -> SMTNode? {
        let s = shards[shardIndex(hash)]
        if let n = s.lookup(hash) { return n }
        if let n = inFlight(hash) { return n }
        let stored: Bytes?
        do {
            stored = try db.get(columnFamily, hash.bytes)
        } catch {
            throw .store(error.description)
        }
        diskReadCount.add(1, ordering: .relaxed)
        guard let stored else { return nil }
        let node = try SMTNode(encoded: stored, hash: hash)
        // On disk, so it may be cached. An upper branch read with its place fills its slot if
        // the slot is empty: a read from an older root must not push out the current tree's
        // branch (updates replace slots; reads only fill them).
        if let path, depth < levelDepth, case .branch(let l, let r) = node,
           levels.fill(hash, left: l, right: r, depth: depth, path: path) {
            return node
        }
        s.cache(hash, node)
        return node
    }

    private func inFlight(_ hash: SMTHash) -> SMTNode? {
        flight.withLock { f in
            guard !f.isEmpty else { return nil }
            if f.index == nil {
                let index = NodeTable()
                for group in f.pending { for n in group { index.insert(n.hash, n.node) } }
                for batch in f.unflushed { for n in batch.nodes { index.insert(n.hash, n.node) } }
                f.index = index
            }
            return f.index!.find(hash)
        }
    }

    /// Nodes without a place (depth unknown): they go to the generations once durable.
    public func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) {
        record(SMTNodeUpdate(written: nodes.map { SMTNewNode(hash: $0.hash, node: $0.node, depth: Int.max) }, superseded: []))
    }

    public func record(_ update: SMTNodeUpdate) {
        flight.withLock { f in
            if let index = f.index { for n in update.written { index.insert(n.hash, n.node) } }
            f.pending.append(update.written)
            f.pendingSuperseded += update.superseded
        }
    }

    // MARK: The block's batch

    /// Moves every pending node into `batch` (they stay readable, as unflushed, until
    /// `didWrite` or `discardPending`). Returns how many. Call it once per block, right
    /// before writing the block's batch, then `didWrite()` once that batch is durable.
    @discardableResult
    public func commit(into batch: inout WriteBatch) -> Int {
        let nodes: [SMTNewNode] = flight.withLock { f in
            guard !f.pending.isEmpty || !f.pendingSuperseded.isEmpty else { return [] }
            let all = f.pending.count == 1 ? f.pending[0] : Array(f.pending.joined())
            f.unflushed.append((all, f.pendingSuperseded))
            f.pending = []
            f.pendingSuperseded = []
            return all
        }
        // In key order: RocksDB's memtable (a skip list) inserts a sorted run far faster than
        // random keys, since each insert starts from the previous one's position. The two
        // halves of the key space are sorted and encoded on two cores.
        for run in SortedHalves(nodes).runs {
            batch.putRun(columnFamily, keys: run.keys, values: run.values, keySize: 32, valueSize: SMTNode.encodedSize)
        }
        return nodes.count
    }

    /// The oldest batch given to `commit(into:)` is durable: its nodes may now be cached, and
    /// the nodes its updates superseded leave the cache. Upper branches go to their slots (on
    /// this thread), the rest to their shards (on a second one for a large batch).
    public func didWrite() {
        // The batch stays in flight (readable) until the cache holds it: an update reading beside
        // this (the next block, pipelined) then finds its nodes here, never on disk.
        let peeked = flight.withLock { f in f.unflushed.first.map { (batch: $0, discards: f.discards) } }
        guard let (batch, discards) = peeked else { return }
        defer {
            flight.withLock { f in
                guard f.discards == discards, !f.unflushed.isEmpty else { return }  // dropped meanwhile
                let b = f.unflushed.removeFirst()
                if f.isEmpty { f.index = nil } else if let index = f.index {
                    for n in b.nodes { index.remove(n.hash) }
                    // A node may sit in a later batch too: keep it findable.
                    for group in f.pending { for n in group { index.insert(n.hash, n.node) } }
                    for later in f.unflushed { for n in later.nodes { index.insert(n.hash, n.node) } }
                }
            }
        }
        let (nodes, superseded, levelDepth) = (batch.nodes, batch.superseded, levelDepth)
        let placed: @Sendable () -> Void = { self.levels.promote(nodes, superseded: superseded) }
        let hashed: @Sendable () -> Void = {
            var nodesOf = [[Int32]](repeating: [], count: self.shards.count)
            var goneOf = [[Int32]](repeating: [], count: self.shards.count)
            for (i, n) in nodes.enumerated() where !self.isPlaced(n) { nodesOf[self.shardIndex(n.hash)].append(Int32(i)) }
            for (i, s) in superseded.enumerated() where s.isLeaf || s.depth >= levelDepth {
                goneOf[self.shardIndex(s.hash)].append(Int32(i))
            }
            for s in self.shards.indices { self.shards[s].promote(nodes, nodesOf[s], superseded: superseded, goneOf[s]) }
        }
        if nodes.count < 2_048 {
            placed(); hashed()
        } else {
            DispatchQueue.concurrentPerform(iterations: 2) { i in i == 0 ? placed() : hashed() }
        }
    }

    /// An upper branch: cached by place, not by hash.
    @inline(__always)
    private func isPlaced(_ n: SMTNewNode) -> Bool {
        guard n.depth < levelDepth, case .branch = n.node else { return false }
        return true
    }

    /// Drops nodes that were put but not made durable (a block that was abandoned, or a write
    /// that failed): pending ones and every unflushed batch.
    public func discardPending() {
        flight.withLock { f in
            var fresh = Flight()
            fresh.discards = f.discards + 1
            f = fresh
        }
    }

    /// Nodes not yet durable (pending or in a batch not yet written).
    public var pendingCount: Int {
        flight.withLock { f in f.pending.reduce(0) { $0 + $1.count } + f.unflushed.reduce(0) { $0 + $1.nodes.count } }
    }
    /// Nodes in the cache (all durable).
    public var cachedCount: Int { levels.count + shards.reduce(0) { $0 + $1.cachedCount } }
    /// RocksDB reads so far (cache misses): what the cache bound costs.
    public var diskReads: Int { diskReadCount.load(ordering: .relaxed) }
    /// The cache's upper levels by place: the branches of depths 0..<levelsByPlace.
    public var levelsByPlace: Int { levelDepth }

    /// Every cached node's hash (tests: the cache must hold only durable nodes).
    func cachedHashes() -> [SMTHash] { levels.hashes + shards.flatMap { $0.cachedHashes() } }
}

/// A block's new nodes as RocksDB keys and values, in key order, each half of the key space
/// (first bit 0 or 1) as one run of fixed-size records: two buffers, no allocation per node.
/// The halves are sorted and encoded concurrently when there are enough to pay for it; what
/// is sorted is an index (4 bytes), not the nodes.
struct SortedHalves {
    var runs: [(keys: Bytes, values: Bytes)] = []

    struct SortKey {
        var word: UInt64
        var index: Int32
    }

    init(_ nodes: [SMTNewNode]) {
        let parts = LockedValue<[(keys: Bytes, values: Bytes)]>([([], []), ([], [])])
        let encode: @Sendable (Int) -> Void = { half in
            // Sorted as 16-byte (first word, index) pairs, contiguous: the sort compares
            // neighbours in memory and reaches a node's full hash only when first words tie.
            var sorted: [SortKey] = []
            sorted.reserveCapacity(nodes.count / 2 + 64)
            for i in nodes.indices where nodes[i].hash.bit(0) == half {
                sorted.append(SortKey(word: nodes[i].hash.leadingWord, index: Int32(i)))
            }
            sorted.sort { a, b in a.word != b.word ? a.word < b.word : nodes[Int(a.index)].hash < nodes[Int(b.index)].hash }
            // A node made twice in one block (content addressing: the same record) goes once.
            var order: [Int32] = []
            order.reserveCapacity(sorted.count)
            var last: SortKey?
            for k in sorted {
                if let l = last, l.word == k.word, nodes[Int(l.index)].hash == nodes[Int(k.index)].hash { continue }
                order.append(k.index)
                last = k
            }
            let unique = order.count
            let keys = Bytes(unsafeUninitializedCapacity: unique * 32) { buf, n in
                let p = UnsafeMutableRawPointer(buf.baseAddress!)
                for i in 0..<unique { nodes[Int(order[i])].hash.copyBytes(to: p + i * 32) }
                n = unique * 32
            }
            let values = Bytes(unsafeUninitializedCapacity: unique * SMTNode.encodedSize) { buf, n in
                let p = UnsafeMutableRawPointer(buf.baseAddress!)
                for i in 0..<unique { nodes[Int(order[i])].node.encode(to: p + i * SMTNode.encodedSize) }
                n = unique * SMTNode.encodedSize
            }
            parts.withLock { $0[half] = (keys, values) }
        }
        if nodes.count < 2_048 {
            encode(0); encode(1)
        } else {
            DispatchQueue.concurrentPerform(iterations: 2, execute: encode)
        }
        runs = parts.value
    }
}
