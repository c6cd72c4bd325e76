import Core

/// Puts and deletes across column families that `RocksDB.write` applies atomically: after a
/// crash either all of them are visible or none. A sealed block's header, transactions,
/// receipts, state records and tree nodes go into one batch (docs/ARCHITECTURE.md (Storage)).
///
/// A plain value: it can be built on any thread, copied, inspected, and written later.
/// Operations apply in order, so a later put or delete of the same key wins.
public struct WriteBatch: Sendable {
    public enum Operation: Equatable, Sendable {
        case put(ColumnFamily, key: Bytes, value: Bytes)
        case delete(ColumnFamily, key: Bytes)
    }

    public private(set) var operations: [Operation] = []
    /// Sum of key and value sizes, for callers that bound batch size.
    public private(set) var byteCount = 0

    public init() {}

    public var count: Int { operations.count }
    public var isEmpty: Bool { operations.isEmpty }

    public mutating func put(_ cf: ColumnFamily, _ key: Bytes, _ value: Bytes) {
        operations.append(.put(cf, key: key, value: value))
        byteCount += key.count + value.count
    }

    public mutating func delete(_ cf: ColumnFamily, _ key: Bytes) {
        operations.append(.delete(cf, key: key))
        byteCount += key.count
    }

    public mutating func append(contentsOf other: WriteBatch) {
        operations += other.operations
        byteCount += other.byteCount
    }

    public mutating func reserveCapacity(_ n: Int) { operations.reserveCapacity(n) }

    public mutating func removeAll() {
        operations.removeAll(keepingCapacity: true)
        byteCount = 0
    }
}
