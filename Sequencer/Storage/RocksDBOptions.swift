import CRocksDB

/// A RocksDB column family, by name. Keys of different families never collide and each family
/// has its own options (compression) and its own ordered key space.
public struct ColumnFamily: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral name: String) { self.name = name }

    public var description: String { name }

    /// RocksDB's built-in family; always opened.
    public static let `default`: ColumnFamily = "default"
    /// State-tree nodes: node hash → 65-byte node encoding (docs/PROTOCOL.md §4.1).
    public static let smt: ColumnFamily = "smt"
}

/// Tuning of a database. The defaults suit the sequencer: writes arrive as one large synced
/// batch per sealed block, and reads are point lookups (state records, tree nodes by hash).
public struct RocksDBOptions: Sendable {
    public enum Compression: Sendable, Equatable {
        case none, snappy, lz4, zstd

        var raw: Int32 {
            switch self {
            case .none: return Int32(rocksdb_no_compression)
            case .snappy: return Int32(rocksdb_snappy_compression)
            case .lz4: return Int32(rocksdb_lz4_compression)
            case .zstd: return Int32(rocksdb_zstd_compression)
            }
        }
    }

    /// LZ4: cheap enough never to matter on the write path, and it shrinks ABI-encoded records
    /// (many zero bytes) well.
    public var compression: Compression = .lz4
    /// Per-family overrides. Tree nodes are hashes (incompressible): compressing them would
    /// only cost CPU.
    public var compressionOverrides: [ColumnFamily: Compression] = [.smt: .none]
    /// Memtable size per family (RocksDB's default is 64 MiB); larger means fewer flushes.
    public var writeBufferSize: Int = 64 << 20
    public var maxWriteBufferNumber: Int32 = 4
    /// Shared LRU block cache for all families.
    public var blockCacheSize: Int = 256 << 20
    /// Bloom filter bits per key: a point lookup of an absent key (a new account, a node not
    /// yet written) then usually skips the disk entirely.
    public var bloomBitsPerKey: Double = 10
    /// Background flush/compaction threads.
    public var parallelism: Int32 = 2
    /// Old info LOG files kept.
    public var keepLogFiles: Int = 5
    /// Families whose memtable is a hash of small skip lists (by the key's first 3 bytes)
    /// instead of one skip list. Tree nodes are keyed by their hash, so a block's ~12 new
    /// nodes per changed record land at random places: inserting each into one skip list of
    /// hundreds of thousands of entries was most of a block's synced write (a cache miss per
    /// level). Hashed, an insert is a bucket and a tiny list; the ordering is paid once, on the
    /// flush thread. Point reads are unchanged; iterators seek in total order (`scan`).
    public var hashedMemtable: Set<ColumnFamily> = [.smt]

    public init() {}
}

/// The C option objects of one open database; destroyed when it closes.
final class RocksDBNativeOptions {
    let db: OpaquePointer
    let cache: OpaquePointer
    private(set) var perFamily: [OpaquePointer] = []

    init(_ o: RocksDBOptions) {
        db = rocksdb_options_create()
        rocksdb_options_set_create_if_missing(db, 1)
        rocksdb_options_set_create_missing_column_families(db, 1)
        rocksdb_options_increase_parallelism(db, o.parallelism)
        rocksdb_options_set_max_background_jobs(db, max(2, o.parallelism))
        rocksdb_options_set_write_buffer_size(db, o.writeBufferSize)
        rocksdb_options_set_max_write_buffer_number(db, o.maxWriteBufferNumber)
        rocksdb_options_set_level_compaction_dynamic_level_bytes(db, 1)
        rocksdb_options_set_bytes_per_sync(db, 1 << 20)
        rocksdb_options_set_keep_log_file_num(db, o.keepLogFiles)
        rocksdb_options_set_compression(db, o.compression.raw)
        // A hashed memtable takes its inserts from one writer at a time (RocksDB's write
        // group); the sequencer writes one batch per block anyway.
        if !o.hashedMemtable.isEmpty { rocksdb_options_set_allow_concurrent_memtable_write(db, 0) }

        cache = rocksdb_cache_create_lru(o.blockCacheSize)
        let table = rocksdb_block_based_options_create()
        rocksdb_block_based_options_set_block_cache(table, cache)
        // The table takes ownership of the filter policy.
        rocksdb_block_based_options_set_filter_policy(table, rocksdb_filterpolicy_create_bloom_full(o.bloomBitsPerKey))
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1)
        rocksdb_block_based_options_set_format_version(table, 5)
        rocksdb_options_set_block_based_table_factory(db, table)
        rocksdb_block_based_options_destroy(table)
    }

    /// Options for one family: the database's, with its compression override.
    func family(_ cf: ColumnFamily, _ o: RocksDBOptions) -> OpaquePointer {
        let copy = rocksdb_options_create_copy(db)!
        rocksdb_options_set_compression(copy, (o.compressionOverrides[cf] ?? o.compression).raw)
        if o.hashedMemtable.contains(cf) {
            rocksdb_options_set_prefix_extractor(copy, rocksdb_slicetransform_create_fixed_prefix(3))
            rocksdb_options_set_hash_skip_list_rep(copy, 1 << 20, 4, 4)
        }
        perFamily.append(copy)
        return copy
    }

    deinit {
        for p in perFamily { rocksdb_options_destroy(p) }
        rocksdb_options_destroy(db)
        rocksdb_cache_destroy(cache)
    }
}
