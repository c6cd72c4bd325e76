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
/// The cache (`NodeShard`s) keeps the upper levels of the tree exactly and the recently
/// touched paths below them, within `cacheNodes` nodes; the nodes an update superseded leave
/// it when that update becomes durable. Nodes are immutable (content-addressed), so nothing
/// in it ever goes stale — only unused.
///
/// Thread-safe: the cache is split into shards by hash, each with its own lock, so the
/// parallel halves of an update rarely wait on each other, and a block's nodes enter the
/// cache from two threads.
public final class RocksDBNodeStore: SMTNodeStore {
    public let db: RocksDB
    public let columnFamily: ColumnFamily
    /// The cache bound, in nodes (about 150–300 bytes each in memory).
    public let cacheNodes: Int

    /// 4M nodes, at most ~1 GB, typically ~600 MB: the whole tree of about 1.6 million records.
    public static let defaultCacheNodes = 1 << 22

    /// 2^shardBits shards: up to 256, each holding at least ~4k nodes (a small cache is one).
    private let shardBits: Int
    private let shards: [NodeShard]
    private let pinnedDepth: Int
    private let diskReadCount = Atomic<Int>(0)

    /// The nodes not yet durable: what updates recorded since the last `commit(into:)`, and the
    /// batches given out and not yet reported written. Reads find them through `index`, built
    /// on the first read that misses the cache while any are in flight (in the sequencer's
    /// order — update, commit, write, didWrite — none is then).
    struct Flight {
        var pending: [[SMTNewNode]] = []
        var pendingSuperseded: [SMTHash] = []
        var unflushed: [(nodes: [SMTNewNode], superseded: [SMTHash])] = []
        var index: NodeTable?

        var isEmpty: Bool { pending.isEmpty && unflushed.isEmpty }
    }
    private let flight = LockedValue(Flight())

    /// `cacheNodes` bounds the cached nodes. A quarter of it is for the upper levels, kept
    /// whole down to the depth whose full width fills half of that quarter (the other half
    /// absorbs the uneven spread over shards); the rest holds the recently touched paths.
    public init(db: RocksDB, columnFamily: ColumnFamily = .smt, cacheNodes: Int = RocksDBNodeStore.defaultCacheNodes) {
        self.db = db
        self.columnFamily = columnFamily
        self.cacheNodes = max(cacheNodes, 0)
        var bits = 0
        while bits < 8 && self.cacheNodes >> (bits + 1) >= 4_096 { bits += 1 }
        shardBits = bits
        let shardCount = 1 << bits
        let pinnedPerShard = self.cacheNodes / 4 / shardCount
        // Levels 0..<depth hold at most 2^depth − 1 nodes.
        var depth = 0
        while depth < 30 && (1 << (depth + 1)) - 1 <= pinnedPerShard * shardCount / 2 { depth += 1 }
        pinnedDepth = depth
        let recentPerShard = (self.cacheNodes - pinnedPerShard * shardCount) / shardCount
        shards = (0..<shardCount).map { _ in NodeShard(generation: recentPerShard / 2, pinnedLimit: pinnedPerShard) }
    }

    @inline(__always)
    private func shardIndex(_ h: SMTHash) -> Int { shardBits == 0 ? 0 : Int(truncatingIfNeeded: h.spreadWord >> UInt64(64 - shardBits)) }

    // MARK: SMTNodeStore

    public func node(_ hash: SMTHash) throws(SMTError) -> SMTNode? { try node(hash, depth: nil) }

    public func node(_ hash: SMTHash, depth: Int) throws(SMTError) -> SMTNode? { try node(hash, depth: Optional(depth)) }

    private func node(_ hash: SMTHash, depth: Int?) throws(SMTError) -> SMTNode? {
        let s = shards[shardIndex(hash)]
        if let n = s.lookup(hash, deep: depth.map { $0 >= pinnedDepth } ?? false) { return n }
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
        // On disk, so it may be cached. Reads without a depth (proofs, lookups, maybe of old
        // roots) go to the recent generations, never to the pinned levels.
        s.cache(hash, node, pinned: depth.map { $0 < pinnedDepth } ?? false)
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
        let halves = SortedHalves(nodes)
        batch.reserveCapacity(batch.count + nodes.count)
        for half in halves.encoded { for (k, v) in half { batch.put(columnFamily, k, v) } }
        return nodes.count
    }

    /// The oldest batch given to `commit(into:)` is durable: its nodes may now be cached, and
    /// the nodes its updates superseded leave the cache.
    public func didWrite() {
        let batch: (nodes: [SMTNewNode], superseded: [SMTHash])? = flight.withLock { f in
            guard !f.unflushed.isEmpty else { return nil }
            let b = f.unflushed.removeFirst()
            if f.isEmpty { f.index = nil } else if let index = f.index {
                for n in b.nodes { index.remove(n.hash) }
                // A node may sit in a later batch too: keep it findable.
                for group in f.pending { for n in group { index.insert(n.hash, n.node) } }
                for later in f.unflushed { for n in later.nodes { index.insert(n.hash, n.node) } }
            }
            return b
        }
        guard let batch else { return }
        var nodesOf = [[Int32]](repeating: [], count: shards.count)
        var goneOf = [[Int32]](repeating: [], count: shards.count)
        for (i, n) in batch.nodes.enumerated() { nodesOf[shardIndex(n.hash)].append(Int32(i)) }
        for (i, h) in batch.superseded.enumerated() { goneOf[shardIndex(h)].append(Int32(i)) }
        let (nodes, superseded, byShard, goneByShard) = (batch.nodes, batch.superseded, nodesOf, goneOf)
        let work: @Sendable (Int) -> Void = { s in
            self.shards[s].promote(nodes, byShard[s], superseded: superseded, goneByShard[s], pinnedDepth: self.pinnedDepth)
        }
        if batch.nodes.count < 2_048 {
            for s in shards.indices { work(s) }
        } else {
            let half = shards.count / 2
            DispatchQueue.concurrentPerform(iterations: 2) { i in for s in (i * half)..<((i + 1) * half) { work(s) } }
        }
    }

    /// Drops nodes that were put but not made durable (a block that was abandoned, or a write
    /// that failed): pending ones and every unflushed batch.
    public func discardPending() {
        flight.withLock { $0 = Flight() }
    }

    /// Nodes not yet durable (pending or in a batch not yet written).
    public var pendingCount: Int {
        flight.withLock { f in f.pending.reduce(0) { $0 + $1.count } + f.unflushed.reduce(0) { $0 + $1.nodes.count } }
    }
    /// Nodes in the cache (all durable).
    public var cachedCount: Int { shards.reduce(0) { $0 + $1.cachedCount } }
    /// RocksDB reads so far (cache misses): what the cache bound costs.
    public var diskReads: Int { diskReadCount.load(ordering: .relaxed) }
    /// The cache's upper levels: depths 0..<pinnedLevels are kept whole.
    public var pinnedLevels: Int { pinnedDepth }

    /// Every cached node's hash (tests: the cache must hold only durable nodes).
    func cachedHashes() -> [SMTHash] { shards.flatMap { $0.cachedHashes() } }
}

/// A block's new nodes as RocksDB keys and values, in key order: the halves of the key space
/// (first bit 0 or 1) sorted and encoded concurrently, when there are enough to pay for it.
struct SortedHalves {
    var encoded: [[(Bytes, Bytes)]] = [[], []]

    init(_ nodes: [SMTNewNode]) {
        let halves = [nodes.filter { $0.hash.bit(0) == 0 }, nodes.filter { $0.hash.bit(0) == 1 }]
        let parts = LockedValue<[[(Bytes, Bytes)]]>([[], []])
        let encode: @Sendable (Int) -> Void = { i in
            let sorted = halves[i].sorted { $0.hash < $1.hash }
            var out: [(Bytes, Bytes)] = []
            out.reserveCapacity(sorted.count)
            var last: SMTHash?
            for n in sorted where n.hash != last {
                out.append((n.hash.bytes, n.node.encoded))
                last = n.hash
            }
            parts.withLock { $0[i] = out }
        }
        if nodes.count < 2_048 {
            encode(0); encode(1)
        } else {
            DispatchQueue.concurrentPerform(iterations: 2, execute: encode)
        }
        encoded = parts.value
    }
}
