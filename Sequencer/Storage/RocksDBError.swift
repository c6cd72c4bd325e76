import CRocksDB

/// Why a RocksDB operation failed; messages carry RocksDB's own text.
public enum RocksDBError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another process (or another handle in this process) holds the database's LOCK file.
    case locked(path: String, message: String)
    case openFailed(path: String, message: String)
    case unknownColumnFamily(String)
    /// The operation (`get`, `put`, `write`, `iterate`, `flush`, …) failed inside RocksDB.
    case operationFailed(operation: String, message: String)
    case closed(path: String)
    /// `close()` was called while iterations were still running.
    case busy(path: String, reason: String)

    public var description: String {
        switch self {
        case .locked(let path, let m): return "RocksDB: database is locked by another process: \(path) (\(m))"
        case .openFailed(let path, let m): return "RocksDB: cannot open \(path): \(m)"
        case .unknownColumnFamily(let name): return "RocksDB: unknown column family \"\(name)\" (not opened)"
        case .operationFailed(let op, let m): return "RocksDB: \(op) failed: \(m)"
        case .closed(let path): return "RocksDB: database \(path) is closed"
        case .busy(let path, let why): return "RocksDB: cannot close \(path): \(why)"
        }
    }

    /// Classifies an open error: RocksDB reports a held LOCK file as an IO error mentioning
    /// the lock ("While lock file: …/LOCK: Resource temporarily unavailable", or "lock hold by
    /// current process" for a second handle inside one process).
    static func fromOpen(path: String, message: String) -> RocksDBError {
        let m = message.lowercased()
        if m.contains("while lock file") || m.contains("lock hold by current process") {
            return .locked(path: path, message: message)
        }
        return .openFailed(path: path, message: message)
    }
}

/// Turns a RocksDB `errptr` into a message and frees it.
@inline(__always)
func takeRocksDBError(_ err: UnsafeMutablePointer<CChar>?) -> String? {
    guard let err else { return nil }
    defer { rocksdb_free(err) }
    return String(cString: err)
}
