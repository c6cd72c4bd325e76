import CRocksDB
import Core

/// Ordered iteration over one column family. Keys compare as unsigned bytes
/// (lexicographically), so big-endian integers iterate in numeric order — blocks keyed by
/// their number come out by height.
///
/// The iterator lives only for the duration of the call (no iterator can outlive or race a
/// `close()`); the body runs under the database's read lock, so it may read and write the
/// database but must not close it.
extension RocksDB {
    public enum Direction: Sendable { case forward, reverse }

    public struct Entry: Equatable, Sendable {
        public var key: Bytes
        public var value: Bytes
    }

    /// Visits entries in key order starting at `start` (forward: the first key ≥ start;
    /// reverse: the last key ≤ start; nil: the first/last key), until `body` returns false.
    public func forEach(_ cf: ColumnFamily, from start: Bytes? = nil, direction: Direction = .forward,
                        _ body: (_ key: Bytes, _ value: Bytes) throws -> Bool) throws {
        try scan(cf, direction: direction, prefix: nil, body: body) { it in
            switch (start, direction) {
            case (nil, .forward): rocksdb_iter_seek_to_first(it)
            case (nil, .reverse): rocksdb_iter_seek_to_last(it)
            case (let s?, .forward): s.withCChars { rocksdb_iter_seek(it, $0, $1) }
            case (let s?, .reverse): s.withCChars { rocksdb_iter_seek_for_prev(it, $0, $1) }
            }
        }
    }

    /// Visits the entries whose key starts with `prefix`, in forward or reverse key order,
    /// until `body` returns false.
    public func forEach(_ cf: ColumnFamily, prefix: Bytes, direction: Direction = .forward,
                        _ body: (_ key: Bytes, _ value: Bytes) throws -> Bool) throws {
        try scan(cf, direction: direction, prefix: prefix, body: body) { it in
            switch direction {
            case .forward:
                prefix.withCChars { rocksdb_iter_seek(it, $0, $1) }
            case .reverse:
                // The last key with the prefix is the last key before the prefix's successor.
                guard let next = Self.successor(of: prefix) else {
                    rocksdb_iter_seek_to_last(it)
                    return
                }
                next.withCChars { rocksdb_iter_seek_for_prev(it, $0, $1) }
                if rocksdb_iter_valid(it) != 0, Self.key(it) == next { rocksdb_iter_prev(it) }
            }
        }
    }

    /// Up to `limit` entries from `start` (see `forEach(_:from:direction:_:)`).
    public func entries(_ cf: ColumnFamily, from start: Bytes? = nil, direction: Direction = .forward,
                        limit: Int = .max) throws -> [Entry] {
        var out: [Entry] = []
        guard limit > 0 else { return out }
        try forEach(cf, from: start, direction: direction) { k, v in
            out.append(Entry(key: k, value: v))
            return out.count < limit
        }
        return out
    }

    /// Up to `limit` entries whose key starts with `prefix`.
    public func entries(_ cf: ColumnFamily, prefix: Bytes, direction: Direction = .forward, limit: Int = .max) throws -> [Entry] {
        var out: [Entry] = []
        guard limit > 0 else { return out }
        try forEach(cf, prefix: prefix, direction: direction) { k, v in
            out.append(Entry(key: k, value: v))
            return out.count < limit
        }
        return out
    }

    /// The smallest key greater than every key starting with `prefix`, or nil if there is
    /// none (the prefix is empty or all 0xff).
    static func successor(of prefix: Bytes) -> Bytes? {
        var s = prefix
        while let last = s.last {
            if last < 0xff {
                s[s.count - 1] = last + 1
                return s
            }
            s.removeLast()
        }
        return nil
    }

    private static func key(_ it: OpaquePointer) -> Bytes {
        var n = 0
        guard let p = rocksdb_iter_key(it, &n) else { return [] }
        return Bytes(UnsafeRawBufferPointer(start: p, count: n))
    }

    private static func value(_ it: OpaquePointer) -> Bytes {
        var n = 0
        guard let p = rocksdb_iter_value(it, &n) else { return [] }
        return Bytes(UnsafeRawBufferPointer(start: p, count: n))
    }

    private func scan(_ cf: ColumnFamily, direction: Direction, prefix: Bytes?,
                      body: (Bytes, Bytes) throws -> Bool, position: (OpaquePointer) -> Void) throws {
        var bodyError: (any Error)?
        try withHandle(cf) { (db, h) throws(RocksDBError) in
            guard let it = rocksdb_create_iterator_cf(db, iterateOptions, h) else {
                throw .operationFailed(operation: "iterate over \(cf)", message: "cannot create an iterator")
            }
            defer { rocksdb_iter_destroy(it) }
            position(it)
            while rocksdb_iter_valid(it) != 0 {
                let k = Self.key(it)
                if let prefix, !k.starts(with: prefix) { break }
                do {
                    guard try body(k, Self.value(it)) else { break }
                } catch {
                    bodyError = error
                    return
                }
                if direction == .forward { rocksdb_iter_next(it) } else { rocksdb_iter_prev(it) }
            }
            var err: UnsafeMutablePointer<CChar>?
            rocksdb_iter_get_error(it, &err)
            if let m = takeRocksDBError(err) { throw .operationFailed(operation: "iterate over \(cf)", message: m) }
        }
        if let bodyError { throw bodyError }
    }
}
