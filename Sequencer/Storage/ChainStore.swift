import Core

/// The sequencer's durable chain in RocksDB (docs/ARCHITECTURE.md (Storage)). Column families:
/// `blocks` (number, 8 bytes big-endian → block), `hashes` (block hash → number),
/// `txs` (tx hash → number ‖ index), `state` (tree key → record), `smt` (tree nodes),
/// `tickets` (address → latest ticket), `totals` (number → totals after that block, which a
/// batch commits for its last block), `meta` (head, totals, inbox cursor, genesis),
/// `jobindex` (jobs by owner, node and status: `JobIndex`).
/// Everything one block changes goes into one synced WriteBatch: after a crash the store holds
/// every block that was acknowledged, and no part of one that was not.
public final class ChainStore: StateSource, @unchecked Sendable {
    public let db: RocksDB
    public let nodes: RocksDBNodeStore
    public internal(set) var head: SealedBlockHeaderInfo
    public internal(set) var totals: Totals
    public internal(set) var inboxCursor: UInt64
    public let genesis: Genesis
    /// Crash points for the kill -9 tests (none unless set; see `Faults`).
    public var faults = Faults()

    public struct SealedBlockHeaderInfo: Sendable, Equatable {
        public let header: BlockHeader
        public var number: UInt64 { header.number }
    }

    static let families: [ColumnFamily] = ["blocks", "hashes", "txs", "state", .smt, "tickets", "totals", "meta", JobIndex.family]
    /// The families a block writes many random keys to — tree nodes and state records (keyed by
    /// hashes), transactions by hash, tickets by account — take a hashed memtable: each insert
    /// into one skip list of a full memtable was a cache miss per level, ~2 µs a key. They are
    /// read by key; only rare full scans (snapshot, rollback, index rebuild) iterate them, and
    /// those still see every key in order. (Each costs an 8 MiB bucket array per memtable, so
    /// families with a key or two per block keep the skip list.)
    static let options: RocksDBOptions = {
        var o = RocksDBOptions()
        o.hashedMemtable = [.smt, "state", "txs", "tickets"]
        return o
    }()
    static let headKey = Array("head".utf8), totalsKey = Array("totals".utf8)
    static let cursorKey = Array("inboxCursor".utf8), genesisKey = Array("genesis".utf8)
    static let formatKey = Array("format".utf8)

    /// The layout of the stored blocks and transactions. 1 (stores without the key): each
    /// transaction as JSON inside the block's RLP. 2: the binary form (`BlockCodec`). A store in
    /// another format is refused when opened; there is no migration.
    public static let formatVersion: UInt64 = 2

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case genesisMismatch
        case corrupt(String)
        case notNext(expected: UInt64, got: UInt64)
        case unsupportedFormat(found: UInt64)

        public var description: String {
            switch self {
            case .unsupportedFormat(let found):
                return "the data directory holds a chain store in storage format \(found)"
                    + (found == 1 ? " (blocks with their transactions as JSON)" : "")
                    + ", but this build reads only format \(ChainStore.formatVersion) (transactions in binary) and does not convert"
                    + " stores: start the chain in a new data directory"
            case .genesisMismatch: return "the data directory belongs to another chain (its genesis differs from the configured one)"
            case .corrupt(let m): return "corrupt chain store: \(m)"
            case .notNext(let e, let g): return "block \(g) does not follow the head (expected \(e))"
            }
        }
    }

    /// Opens (or creates, writing block 0) the store at `path`, then checks that the head's
    /// state root is what the stored state hashes to. `treeCacheNodes` bounds the state-tree
    /// nodes kept in memory (`RocksDBNodeStore`).
    public init(path: String, genesis: Genesis, treeCacheNodes: Int = RocksDBNodeStore.defaultCacheNodes) throws {
        db = try RocksDB(path: path, columnFamilies: Self.families, options: Self.options)
        nodes = RocksDBNodeStore(db: db, cacheNodes: treeCacheNodes)
        self.genesis = genesis
        if let stored = try db.get("meta", Self.genesisKey) {
            let format = try db.get("meta", Self.formatKey).map { UInt64(bigEndian8: $0) } ?? 1
            guard format == Self.formatVersion else { throw Error.unsupportedFormat(found: format) }
            guard stored == Array(genesis.json.serialized.utf8) else { throw Error.genesisMismatch }
            guard let h = try db.get("meta", Self.headKey), h.count == 8,
                  let block = try db.get("blocks", h) else { throw Error.corrupt("no head block") }
            head = SealedBlockHeaderInfo(header: try BlockCodec.header(block))
            totals = try StateEncoding.decodeTotals(try db.get("meta", Self.totalsKey) ?? [])
            inboxCursor = UInt64(bigEndian8: try db.get("meta", Self.cursorKey) ?? [])
            try verifyHeadStateRoot()
            if try db.get("meta", JobIndex.builtKey) == nil { try JobIndex.build(self) }
        } else {
            var tree = SparseMerkleTree(store: nodes)
            let header = try BlockProducer.genesis(genesis, tree: &tree)
            let block = SealedBlock(header: header, signature: [], inbox: [], inboxFailures: [], transactions: [], receipts: [], tickets: [])
            var batch = WriteBatch()
            _ = nodes.commit(into: &batch)
            batch.put("meta", Self.genesisKey, Array(genesis.json.serialized.utf8))
            batch.put("meta", Self.formatKey, Self.formatVersion.bigEndian8)
            Self.putBlock(block, into: &batch)
            batch.put("meta", Self.totalsKey, StateEncoding.encode(Totals()))
            batch.put("totals", UInt64(0).bigEndian8, StateEncoding.encode(Totals()))
            batch.put("meta", Self.cursorKey, UInt64(0).bigEndian8)
            batch.put("meta", JobIndex.builtKey, [1])
            try db.write(batch, sync: true)
            nodes.didWrite()
            head = SealedBlockHeaderInfo(header: header)
            totals = Totals()
            inboxCursor = 0
        }
    }

    // MARK: StateSource

    public func account(_ address: Address) throws -> Account? {
        try db.get("state", StateEncoding.accountKey(address).bytes).map(StateEncoding.decodeAccount)
    }

    public func job(_ id: JobID) throws -> Job? {
        try db.get("state", StateEncoding.jobKey(id).bytes).map(StateEncoding.decodeJob)
    }

    /// A block-level view on top of the committed state.
    public func begin() -> WorldState { WorldState(base: self, totals: totals, inboxCursor: inboxCursor) }

    /// The state tree at the head.
    public var tree: SparseMerkleTree { SparseMerkleTree(store: nodes, root: try! SMTHash(head.header.stateRoot.bytes)) }

    // MARK: Writing

    /// Makes a sealed block durable: the block, its indexes, the changed records, the new tree
    /// nodes, tickets and head, in one synced batch. Returns only once fsync'd.
    public func commit(_ block: SealedBlock, state: WorldState) throws {
        let batch = try prepare(block, state: state)
        try write(batch, sync: true)
        didWrite(block.header, state: state)
    }

    /// Everything `block` changes, as one batch (nothing written yet).
    public func prepare(_ block: SealedBlock, state: WorldState) throws -> WriteBatch {
        guard block.number == head.number + 1 else { throw Error.notNext(expected: head.number + 1, got: block.number) }
        var batch = try prepareState(state)
        Self.putSigned(block, totals: state.totals, into: &batch)
        return batch
    }

    /// The first half of `prepare`, for a block executed but not yet signed: its tree nodes
    /// (everything pending in `nodes`), records, job index entries, totals and inbox cursor.
    /// `state.base` must be the block's parent state: the job index moves each job from its
    /// version there. Unlike `prepare` it does not check the head, because the sequencer's
    /// pipeline prepares block k+1 while block k is still being written (`SequencerEngine`
    /// orders them). Call it once per block, right after the block's tree update.
    public func prepareState(_ state: WorldState) throws -> WriteBatch { try records(state, indexJobs: true) }

    /// The second half of `prepare`, once `block` is signed: the block itself, its hash and
    /// transaction indexes, its tickets and the totals after it. Touches no store state, so it
    /// runs off the engine's lock. Returns the block's stored bytes (what is replicated and served).
    @discardableResult
    public static func putSigned(_ block: SealedBlock, totals: Totals, into batch: inout WriteBatch) -> Bytes {
        for t in block.tickets { batch.put("tickets", t.account.bytes, RLP.encode(BlockCodec.encode(t))) }
        for (i, tx) in block.transactions.enumerated() {
            batch.put("txs", tx.hash.bytes, block.number.bigEndian8 + UInt32(i).bigEndian4)
        }
        let bytes = putBlock(block, into: &batch)
        batch.put("totals", block.number.bigEndian8, StateEncoding.encode(totals))
        return bytes
    }

    /// A replay's commit (the auditor, a rollback's re-execution): only what the next block
    /// needs — records, tree nodes, totals and inbox cursor — with no block (a replayed block
    /// is not signed here) and no fsync: such a store is a scratch copy rebuilt from its source
    /// if the machine dies (and cannot be reopened: its head pointer stays at genesis, so the
    /// open-time state check refuses it). Storing whole blocks cost a third of the replay's time.
    public func commitState(_ header: BlockHeader, state: WorldState) throws {
        guard header.number == head.number + 1 else { throw Error.notNext(expected: head.number + 1, got: header.number) }
        let batch = try records(state, indexJobs: false)
        try write(batch, sync: false)
        didWrite(header, state: state)
    }

    /// The block's tree nodes (everything pending in `nodes`), changed records, totals and inbox
    /// cursor; with `indexJobs`, the job index entries, each job moved from its version in
    /// `state.base` (the block's parent state).
    private func records(_ state: WorldState, indexJobs: Bool) throws -> WriteBatch {
        var batch = WriteBatch()
        _ = nodes.commit(into: &batch)
        for a in state.changedAccounts {
            let acc = try state.account(a)
            let key = StateEncoding.accountKey(a).bytes
            if acc.isEmpty { batch.delete("state", key) } else { batch.put("state", key, StateEncoding.encode(acc)) }
        }
        for id in state.changedJobs {
            guard let j = try state.job(id) else { continue }
            batch.put("state", StateEncoding.jobKey(id).bytes, StateEncoding.encode(j))
            if indexJobs { JobIndex.update(from: try state.baseJob(id), to: j, into: &batch) }
        }
        batch.put("meta", Self.totalsKey, StateEncoding.encode(state.totals))
        batch.put("meta", Self.cursorKey, state.inboxCursor.bigEndian8)
        return batch
    }

    /// Writes a prepared batch; returns only once it is fsync'd (with `sync`).
    public func write(_ batch: WriteBatch, sync: Bool = true) throws {
        faults.hit("store.beforeWrite")
        try db.write(batch, sync: sync)
        faults.hit("store.afterWrite")
    }

    /// The head moves to `header`'s block once its batch is durable (and its tree nodes may be cached).
    public func didWrite(_ header: BlockHeader, state: WorldState) {
        nodes.didWrite()
        head = SealedBlockHeaderInfo(header: header)
        totals = state.totals
        inboxCursor = state.inboxCursor
    }

    @discardableResult
    static func putBlock(_ block: SealedBlock, into batch: inout WriteBatch) -> Bytes {
        let n = block.number.bigEndian8
        let bytes = BlockCodec.encode(block)
        batch.put("blocks", n, bytes)
        batch.put("hashes", block.hash.bytes, n)
        batch.put("meta", headKey, n)
        return bytes
    }

    // MARK: Reading

    public func block(_ number: UInt64) throws -> SealedBlock? {
        try db.get("blocks", number.bigEndian8).map(BlockCodec.decode)
    }

    /// Block `number` as stored (`BlockCodec`, storage format 2): the bytes `emeth_getBlockRange`
    /// serves and a follower verifies and stores unchanged; nil if absent.
    public func storedBlock(_ number: UInt64) throws -> Bytes? {
        try db.get("blocks", number.bigEndian8)
    }

    /// The receipt and sender of transaction `index` of block `number`, read without decoding
    /// the block's transactions; nil if there is no such block or transaction.
    public func receipt(block number: UInt64, index: UInt32) throws -> (receipt: TxReceipt, sender: Address)? {
        guard let raw = try db.get("blocks", number.bigEndian8) else { return nil }
        return try BlockCodec.receipt(raw, index: index)
    }

    /// Bytes block `number` takes in the store (the bridge's backlog metric), nil if absent.
    public func storedBlockSize(_ number: UInt64) throws -> Int? {
        try db.get("blocks", number.bigEndian8)?.count
    }

    /// The totals after block `number` (what a batch ending there commits to).
    public func totals(at number: UInt64) throws -> Totals? {
        try db.get("totals", number.bigEndian8).map(StateEncoding.decodeTotals)
    }

    public func blockNumber(hash: Hash32) throws -> UInt64? {
        try db.get("hashes", hash.bytes).map { UInt64(bigEndian8: $0) }
    }

    /// Block number and index of a sequenced transaction.
    public func location(of tx: Hash32) throws -> (block: UInt64, index: UInt32)? {
        guard let v = try db.get("txs", tx.bytes), v.count == 12 else { return nil }
        return (UInt64(bigEndian8: Array(v[0..<8])), UInt32(bigEndian4: Array(v[8..<12])))
    }

    public func latestTicket(_ account: Address) throws -> Ticket? {
        guard let v = try db.get("tickets", account.bytes) else { return nil }
        let t = try RLP.decode(v).listValue("ticket")
        guard t.count == 4 else { throw Error.corrupt("ticket") }
        return Ticket(account: account, credit: try t[1].uint256Value("credit"), blockNumber: try t[2].uint64Value("blockNumber"),
                      signature: try t[3].bytesValue("signature"))
    }

    /// Rebuilds the state root from the stored records alone and compares it with the head's:
    /// catches a store whose state and blocks disagree before anything is built on it.
    public func verifyHeadStateRoot() throws {
        var tree = SparseMerkleTree(store: InMemorySMTNodeStore())
        var changes: [SMTChange] = []
        try db.forEach("state") { key, value in
            changes.append(SMTChange(key: try SMTHash(key), valueHash: StateTreeKey.valueHash(ofRecord: value)))
            return true
        }
        changes.append(SMTChange(key: StateEncoding.totalsKey, valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(totals))))
        let root = try tree.update(changes)
        guard root.bytes == head.header.stateRoot.bytes else {
            throw Error.corrupt("state records hash to \(root.hex) but block \(head.number) has state root \(head.header.stateRoot)")
        }
    }
}

extension UInt64 {
    var bigEndian8: Bytes { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * UInt64($0))) } }
    init(bigEndian8 b: Bytes) { self = b.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

extension UInt32 {
    var bigEndian4: Bytes { (0..<4).map { UInt8(truncatingIfNeeded: self >> (24 - 8 * UInt32($0))) } }
    init(bigEndian4 b: Bytes) { self = b.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } }
}
