import Core
import Foundation
import Sequencer

/// The bridge's own durable state in RocksDB (docs/ARCHITECTURE.md, "Storage"), apart from the
/// chain store so the bridge can run in its own process. Column families:
/// `txs` (nonce, 8 bytes big-endian → transaction record), `intents` (intent id → nonce),
/// `batches` (batch index → batch record), `meta` (next nonce, poster cursor).
/// Every write is synced: the bridge's promises (a nonce used, a batch decided) must survive
/// `kill -9` at any instruction.
public final class BridgeStore: Sendable {
    public let db: RocksDB
    static let families: [ColumnFamily] = ["txs", "intents", "batches", "meta"]

    public init(path: String) throws {
        db = try RocksDB(path: path, columnFamilies: Self.families)
    }

    public func meta(_ key: String) throws -> Bytes? { try db.get("meta", Array(key.utf8)) }

    public func metaUInt64(_ key: String) throws -> UInt64? {
        try meta(key).map { $0.reduce(0) { $0 << 8 | UInt64($1) } }
    }

    public static func be(_ n: UInt64) -> Bytes { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }
    public static func uint64(_ b: Bytes) -> UInt64 { b.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

/// An exclusive lock on a file, held for the life of the process (released by the kernel when
/// the process dies, even by `kill -9`): one writer per key and data directory.
public final class LockFile: Sendable {
    public let path: String
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public let owner: String
        public var description: String { "\(path) is locked by another running process (\(owner)); one writer per key at a time" }
    }

    public init(path: String) throws {
        self.path = path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw Held(path: path, owner: "cannot open: errno \(errno)") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
            close(fd)
            throw Held(path: path, owner: owner.isEmpty ? "unknown" : owner)
        }
        ftruncate(fd, 0)
        let text = "pid \(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { flock(fd, LOCK_UN); close(fd) }
}
