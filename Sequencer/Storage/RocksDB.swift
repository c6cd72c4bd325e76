import CRocksDB
import Core
import Foundation

/// A RocksDB database opened with a set of column families (C API, RocksDB 7.8).
///
/// Thread-safe: RocksDB's reads and writes are safe to call concurrently, and this wrapper
/// only adds a read-write lock so that `close()` can never free the handles under a running
/// operation. The database is closed on `close()` or when the last reference goes away.
///
/// Durability: `write(_:sync: true)` returns after the write-ahead log is fsync'd — that is
/// how a sealed block becomes durable (one synced batch per block, never one fsync per
/// transaction). `sync: false` survives a process crash but not a machine crash.
public final class RocksDB: @unchecked Sendable {
    public let path: String
    /// The families open in this handle: the requested ones, "default", and any others the
    /// database already had (RocksDB refuses to open a database without all of them).
    public let columnFamilies: [ColumnFamily]

    private let lock = ReadWriteLock()
    // Guarded by `lock`: nil once closed.
    private var db: OpaquePointer?
    private let handles: [ColumnFamily: OpaquePointer]
    private let native: RocksDBNativeOptions
    let readOptions: OpaquePointer
    let iterateOptions: OpaquePointer
    private let syncWrite: OpaquePointer
    private let asyncWrite: OpaquePointer
    private let flushOptions: OpaquePointer

    /// Opens (creating if missing) the database at `path` with these column families.
    /// Fails with `.locked` when another process — or another open handle — holds it.
    public init(path: String, columnFamilies requested: [ColumnFamily], options: RocksDBOptions = RocksDBOptions()) throws(RocksDBError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .openFailed(path: path, message: "cannot create directory: \(error.localizedDescription)")
        }
        let native = RocksDBNativeOptions(options)
        var families: [ColumnFamily] = [.default]
        for cf in Self.existingFamilies(path: path, options: native.db) + requested where !families.contains(cf) {
            families.append(cf)
        }
        let familyOptions: [OpaquePointer?] = families.map { native.family($0, options) }
        var raw = [OpaquePointer?](repeating: nil, count: families.count)
        var err: UnsafeMutablePointer<CChar>?
        let names = families.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        let opened: OpaquePointer? = names.map { UnsafePointer($0) }.withUnsafeBufferPointer { namePtrs in
            familyOptions.withUnsafeBufferPointer { optPtrs in
                rocksdb_open_column_families(native.db, path, Int32(families.count), namePtrs.baseAddress,
                                             optPtrs.baseAddress, &raw, &err)
            }
        }
        if let message = takeRocksDBError(err) { throw RocksDBError.fromOpen(path: path, message: message) }
        guard let opened else { throw .openFailed(path: path, message: "rocksdb_open returned no handle") }

        var handles: [ColumnFamily: OpaquePointer] = [:]
        for (cf, h) in zip(families, raw) { handles[cf] = h }
        self.db = opened
        self.handles = handles
        self.columnFamilies = families
        self.native = native
        readOptions = rocksdb_readoptions_create()
        // Iterators see every key in order whatever a family's prefix extractor (a hashed
        // memtable has one): a scan is never meant to stop at a prefix RocksDB chose.
        iterateOptions = rocksdb_readoptions_create()
        rocksdb_readoptions_set_total_order_seek(iterateOptions, 1)
        syncWrite = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(syncWrite, 1)
        asyncWrite = rocksdb_writeoptions_create()
        flushOptions = rocksdb_flushoptions_create()
        rocksdb_flushoptions_set_wait(flushOptions, 1)
    }

    deinit {
        closeHandles()
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_readoptions_destroy(iterateOptions)
        rocksdb_writeoptions_destroy(syncWrite)
        rocksdb_writeoptions_destroy(asyncWrite)
        rocksdb_flushoptions_destroy(flushOptions)
    }

    /// Column families present in an existing database (none if there is no database yet).
    private static func existingFamilies(path: String, options: OpaquePointer) -> [ColumnFamily] {
        var err: UnsafeMutablePointer<CChar>?
        var count = 0
        guard let list = rocksdb_list_column_families(options, path, &count, &err) else {
            _ = takeRocksDBError(err)
            return []
        }
        defer { rocksdb_list_column_families_destroy(list, count) }
        return (0..<count).compactMap { i in list[i].map { ColumnFamily(String(cString: $0)) } }
    }

    /// Closes the database (idempotent). Must not be called from inside a `forEach` body.
    public func close() {
        lock.withWriteLock { closeHandles() }
    }

    private func closeHandles() {
        guard let db else { return }
        for h in handles.values { rocksdb_column_family_handle_destroy(h) }
        rocksdb_close(db)
        self.db = nil
    }

    public var isClosed: Bool { lock.withReadLock { db == nil } }

    /// Runs `body` with the open database and the family's handle, under the read lock.
    @inline(__always)
    func withHandle<T>(_ cf: ColumnFamily, _ body: (OpaquePointer, OpaquePointer) throws(RocksDBError) -> T) throws(RocksDBError) -> T {
        try lock.withReadLock { () throws(RocksDBError) -> T in
            guard let db else { throw .closed(path: path) }
            guard let h = handles[cf] else { throw .unknownColumnFamily(cf.name) }
            return try body(db, h)
        }
    }

    // MARK: - Point operations

    /// The value under `key`, or nil.
    public func get(_ cf: ColumnFamily, _ key: Bytes) throws(RocksDBError) -> Bytes? {
        try withHandle(cf) { (db, h) throws(RocksDBError) -> Bytes? in
            var err: UnsafeMutablePointer<CChar>?
            let slice = key.withCChars { k, n in rocksdb_get_pinned_cf(db, readOptions, h, k, n, &err) }
            if let m = takeRocksDBError(err) { throw .operationFailed(operation: "get from \(cf)", message: m) }
            guard let slice else { return nil }
            defer { rocksdb_pinnableslice_destroy(slice) }
            var len = 0
            guard let p = rocksdb_pinnableslice_value(slice, &len) else { return [] }
            return Bytes(UnsafeRawBufferPointer(start: p, count: len))
        }
    }

    public func put(_ cf: ColumnFamily, _ key: Bytes, _ value: Bytes, sync: Bool = false) throws(RocksDBError) {
        try withHandle(cf) { (db, h) throws(RocksDBError) in
            var err: UnsafeMutablePointer<CChar>?
            key.withCChars { k, kn in
                value.withCChars { v, vn in rocksdb_put_cf(db, sync ? syncWrite : asyncWrite, h, k, kn, v, vn, &err) }
            }
            if let m = takeRocksDBError(err) { throw .operationFailed(operation: "put to \(cf)", message: m) }
        }
    }

    public func delete(_ cf: ColumnFamily, _ key: Bytes, sync: Bool = false) throws(RocksDBError) {
        try withHandle(cf) { (db, h) throws(RocksDBError) in
            var err: UnsafeMutablePointer<CChar>?
            key.withCChars { k, n in rocksdb_delete_cf(db, sync ? syncWrite : asyncWrite, h, k, n, &err) }
            if let m = takeRocksDBError(err) { throw .operationFailed(operation: "delete from \(cf)", message: m) }
        }
    }

    /// Applies every operation of `batch` atomically. With `sync`, returns only once the
    /// write-ahead log is on stable storage. An unknown column family fails the whole batch
    /// before anything is written.
    public func write(_ batch: WriteBatch, sync: Bool) throws(RocksDBError) {
        guard !batch.isEmpty else { return }
        try lock.withReadLock { () throws(RocksDBError) in
            guard let db else { throw .closed(path: path) }
            guard let wb = rocksdb_writebatch_create() else {
                throw .operationFailed(operation: "write", message: "cannot allocate a write batch")
            }
            defer { rocksdb_writebatch_destroy(wb) }
            var lastFamily: ColumnFamily?, lastHandle: OpaquePointer?
            for op in batch.operations {
                let cf: ColumnFamily
                switch op {
                case .put(let f, _, _), .delete(let f, _), .putRun(let f, _, _, _, _): cf = f
                }
                if cf != lastFamily {
                    guard let h = handles[cf] else { throw .unknownColumnFamily(cf.name) }
                    lastFamily = cf
                    lastHandle = h
                }
                switch op {
                case .put(_, let key, let value):
                    key.withCChars { k, kn in value.withCChars { v, vn in rocksdb_writebatch_put_cf(wb, lastHandle, k, kn, v, vn) } }
                case .delete(_, let key):
                    key.withCChars { k, kn in rocksdb_writebatch_delete_cf(wb, lastHandle, k, kn) }
                case .putRun(_, let keys, let values, let ks, let vs):
                    keys.withCChars { k, kn in
                        values.withCChars { v, _ in
                            for i in 0..<(kn / ks) { rocksdb_writebatch_put_cf(wb, lastHandle, k! + i * ks, ks, v! + i * vs, vs) }
                        }
                    }
                }
            }
            var err: UnsafeMutablePointer<CChar>?
            rocksdb_write(db, sync ? syncWrite : asyncWrite, wb, &err)
            if let m = takeRocksDBError(err) {
                throw .operationFailed(operation: "write of \(batch.count) operations", message: m)
            }
        }
    }

    /// Writes every family's memtable to SST files and waits (e.g. before a backup; the WAL
    /// already makes synced writes durable without it).
    public func flush() throws(RocksDBError) {
        try lock.withReadLock { () throws(RocksDBError) in
            guard let db else { throw .closed(path: path) }
            for cf in columnFamilies {
                var err: UnsafeMutablePointer<CChar>?
                rocksdb_flush_cf(db, flushOptions, handles[cf], &err)
                if let m = takeRocksDBError(err) { throw .operationFailed(operation: "flush of \(cf)", message: m) }
            }
        }
    }

    /// A RocksDB property of a family, e.g. "rocksdb.estimate-num-keys" (for metrics).
    public func property(_ cf: ColumnFamily, _ name: String) throws(RocksDBError) -> String? {
        try withHandle(cf) { db, h in
            guard let p = rocksdb_property_value_cf(db, h, name) else { return nil }
            defer { rocksdb_free(p) }
            return String(cString: p)
        }
    }
}

extension Array where Element == UInt8 {
    /// The bytes as the `const char*` + length pair the C API takes (nil pointer when empty).
    @inline(__always)
    func withCChars<T>(_ body: (UnsafePointer<CChar>?, Int) -> T) -> T {
        withUnsafeBufferPointer { buf in
            body(buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count)
        }
    }
}
