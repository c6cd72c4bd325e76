import Core
import Foundation

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
/// The cache (`NodeCache`) keeps the upper levels of the tree exactly and the recently
/// touched paths below them, within `cacheNodes` nodes; the nodes an update superseded leave
/// it when that update becomes durable. Nodes are immutable (content-addressed), so nothing
/// in it ever goes stale — only unused.
///
/// Thread-safe: the maps are split into shards by hash, each with its own lock, so the
/// parallel halves of an update rarely wait on each other.
public final class RocksDBNodeStore: SMTNodeStore, @unchecked Sendable {
    public let db: RocksDB
    public let columnFamily: ColumnFamily
    /// The cache bound, in nodes (about 140 bytes each in memory).
    public let cacheNodes: Int

    /// 4M nodes, at most ~600 MB: the whole tree of about 1.6 million records.
    public static let defaultCacheNodes = 1 << 22

    static let shardBits = 4
    private let shards: [NodeShard]
    private let pinnedDepth: Int
    private let diskReadCount = NodeReadCounter()

    /// `cacheNodes` bounds the cached nodes. A quarter of it is for the upper levels, kept
    /// whole down to the depth whose full width fills half of that quarter (the other half
    /// absorbs the uneven spread over shards); the rest holds the recently touched paths.
    public init(db: RocksDB, columnFamily: ColumnFamily = .smt, cacheNodes: Int = RocksDBNodeStore.defaultCacheNodes) {
        self.db = db
        self.columnFamily = columnFamily
        self.cacheNodes = max(cacheNodes, 0)
        let shardCount = 1 << Self.shardBits
        let pinnedPerShard = self.cacheNodes / 4 / shardCount
        // Levels 0..<depth hold at most 2^depth − 1 nodes.
        var depth = 0
        while depth < 30 && (1 << (depth + 1)) - 1 <= pinnedPerShard * shardCount / 2 { depth += 1 }
        pinnedDepth = depth
        let recentPerShard = (self.cacheNodes - pinnedPerShard * shardCount) / shardCount
        shards = (0..<shardCount).map { _ in NodeShard(generation: recentPerShard / 2, pinnedLimit: pinnedPerShard) }
    }

    @inline(__always)
    private func shard(_ h: SMTHash) -> NodeShard {
        shards[h.bit(252) << 3 | h.bit(253) << 2 | h.bit(254) << 1 | h.bit(255)]
    }

    // MARK: SMTNodeStore

    public func node(_ hash: SMTHash) throws(SMTError) -> SMTNode? { try node(hash, depth: nil) }

    public func node(_ hash: SMTHash, depth: Int) throws(SMTError) -> SMTNode? { try node(hash, depth: Optional(depth)) }

    private func node(_ hash: SMTHash, depth: Int?) throws(SMTError) -> SMTNode? {
        let s = shard(hash)
        if let n = s.lookup(hash) { return n }
        let stored: Bytes?
        do {
            stored = try db.get(columnFamily, hash.bytes)
        } catch {
            throw .store(error.description)
        }
        diskReadCount.increment()
        guard let stored else { return nil }
        let node = try SMTNode(encoded: stored, hash: hash)
        // On disk, so it may be cached. Reads without a depth (proofs, lookups, maybe of old
        // roots) go to the recent generations, never to the pinned levels.
        s.cache(hash, node, pinned: depth.map { $0 < pinnedDepth } ?? false)
        return node
    }

    public func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) {
        record(SMTNodeUpdate(written: nodes.map { SMTNewNode(hash: $0.hash, node: $0.node, depth: Int.max) }, superseded: []))
    }

    public func record(_ update: SMTNodeUpdate) {
        var byShard = [[SMTNewNode]](repeating: [], count: shards.count)
        for n in update.written { byShard[shardIndex(n.hash)].append(n) }
        var gone = [[SMTHash]](repeating: [], count: shards.count)
        for h in update.superseded { gone[shardIndex(h)].append(h) }
        for i in shards.indices { shards[i].addPending(byShard[i], superseded: gone[i]) }
    }

    @inline(__always)
    private func shardIndex(_ h: SMTHash) -> Int { h.bit(252) << 3 | h.bit(253) << 2 | h.bit(254) << 1 | h.bit(255) }

    // MARK: The block's batch

    /// Moves every pending node into `batch` (they stay readable, as unflushed, until
    /// `didWrite` or `discardPending`). Returns how many. Call it once per block, right
    /// before writing the block's batch, then `didWrite()` once that batch is durable.
    @discardableResult
    public func commit(into batch: inout WriteBatch) -> Int {
        var nodes: [(SMTHash, SMTNode)] = []
        for s in shards { s.flushPending(into: &nodes) }
        // In key order: RocksDB's memtable (a skip list) inserts a sorted run far faster than
        // random keys, since each insert starts from the previous one's position.
        nodes.sort { $0.0 < $1.0 }
        batch.reserveCapacity(batch.count + nodes.count)
        for (h, n) in nodes { batch.put(columnFamily, h.bytes, n.encoded) }
        return nodes.count
    }

    /// The oldest batch given to `commit(into:)` is durable: its nodes may now be cached, and
    /// the nodes its updates superseded leave the cache.
    public func didWrite() {
        for s in shards { s.promoteOldestUnflushed(pinnedDepth: pinnedDepth) }
    }

    /// Drops nodes that were put but not made durable (a block that was abandoned, or a write
    /// that failed): pending ones and every unflushed batch.
    public func discardPending() {
        for s in shards { s.discard() }
    }

    /// Nodes not yet durable (pending or in a batch not yet written).
    public var pendingCount: Int { shards.reduce(0) { $0 + $1.counts().pending } }
    /// Nodes in the cache (all durable).
    public var cachedCount: Int { shards.reduce(0) { $0 + $1.counts().cached } }
    /// RocksDB reads so far (cache misses): what the cache bound costs.
    public var diskReads: Int { diskReadCount.value }
    /// The cache's upper levels: depths 0..<pinnedLevels are kept whole.
    public var pinnedLevels: Int { pinnedDepth }

    /// Every cached node's hash (tests: the cache must hold only durable nodes).
    func cachedHashes() -> [SMTHash] { shards.flatMap { $0.cachedHashes() } }
}

/// One shard of the node maps, under its own lock. The cache part is two-tier: `pinned`
/// holds nodes of the upper levels of the current tree (exact: superseded ones leave), and
/// two generations (`young`, `old`) hold the rest; when `young` is full, `old` is dropped
/// and `young` becomes `old`, so a node survives while it is touched at least once a
/// generation — the paths recent blocks walked. `inFlight` indexes the nodes not yet durable
/// (pending, and those in batches not yet written), which stay out of the cache.
final class NodeShard: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [SMTNewNode] = []
    private var pendingSuperseded: [SMTHash] = []
    private var unflushed: [(nodes: [SMTNewNode], superseded: [SMTHash])] = []
    private let inFlight = NodeTable()
    private let pinned: NodeTable
    private var young: NodeTable
    private var old: NodeTable
    private let generation: Int
    /// A bound on `pinned` that only a store used for several trees at once could reach:
    /// then it is cleared (and refilled from the next updates).
    private let pinnedLimit: Int

    init(generation: Int, pinnedLimit: Int) {
        self.generation = generation
        self.pinnedLimit = pinnedLimit
        pinned = NodeTable(capacity: min(pinnedLimit, 1 << 16))
        young = NodeTable(capacity: min(generation, 1 << 16))
        old = NodeTable()
    }

    func lookup(_ h: SMTHash) -> SMTNode? {
        lock.lock(); defer { lock.unlock() }
        if let n = pinned.find(h) ?? young.find(h) { return n }
        if let n = old.find(h) {
            insertYoung(h, n)
            return n
        }
        return inFlight.count > 0 ? inFlight.find(h) : nil
    }

    /// A node read from disk.
    func cache(_ h: SMTHash, _ n: SMTNode, pinned isPinned: Bool) {
        lock.lock(); defer { lock.unlock() }
        if isPinned { insertPinned(h, n) } else { insertYoung(h, n) }
    }

    func addPending(_ nodes: [SMTNewNode], superseded: [SMTHash]) {
        guard !nodes.isEmpty || !superseded.isEmpty else { return }
        lock.lock(); defer { lock.unlock() }
        for n in nodes { inFlight.insert(n.hash, n.node) }
        pending += nodes
        pendingSuperseded += superseded
    }

    func flushPending(into out: inout [(SMTHash, SMTNode)]) {
        lock.lock(); defer { lock.unlock() }
        guard !pending.isEmpty || !pendingSuperseded.isEmpty else { return }
        for n in pending { out.append((n.hash, n.node)) }
        unflushed.append((pending, pendingSuperseded))
        pending = []
        pendingSuperseded = []
    }

    func promoteOldestUnflushed(pinnedDepth: Int) {
        lock.lock(); defer { lock.unlock() }
        guard !unflushed.isEmpty else { return }
        let batch = unflushed.removeFirst()
        // Superseded first: a node can be superseded and made again in one block (a value
        // changed and changed back); made again, it belongs to the new tree.
        for h in batch.superseded where !pinned.remove(h) && !young.remove(h) { old.remove(h) }
        // The usual case: nothing else is in flight, so the index empties at once.
        let last = unflushed.isEmpty && pending.isEmpty
        for n in batch.nodes {
            if !last { inFlight.remove(n.hash) }
            if n.depth < pinnedDepth { insertPinned(n.hash, n.node) } else { insertYoung(n.hash, n.node) }
        }
        if last { inFlight.removeAll() }
    }

    func discard() {
        lock.lock(); defer { lock.unlock() }
        pending = []
        pendingSuperseded = []
        unflushed = []
        inFlight.removeAll()
    }

    func cachedHashes() -> [SMTHash] {
        lock.lock(); defer { lock.unlock() }
        return pinned.hashes + young.hashes + old.hashes
    }

    func counts() -> (pending: Int, cached: Int) {
        lock.lock(); defer { lock.unlock() }
        return (pending.count + unflushed.reduce(0) { $0 + $1.nodes.count }, pinned.count + young.count + old.count)
    }

    // Called with `lock` held.
    private func insertPinned(_ h: SMTHash, _ n: SMTNode) {
        guard pinnedLimit > 0 else { return insertYoung(h, n) }
        if pinned.count >= pinnedLimit { pinned.removeAll() }
        pinned.insert(h, n)
    }

    // Called with `lock` held.
    private func insertYoung(_ h: SMTHash, _ n: SMTNode) {
        guard generation > 0 else { return }
        if young.count >= generation {
            old = young
            young = NodeTable(capacity: generation)
        }
        young.insert(h, n)
    }
}

/// A counter several threads bump (disk reads).
final class NodeReadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
