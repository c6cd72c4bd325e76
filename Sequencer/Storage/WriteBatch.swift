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
        /// `keys.count / keySize` puts of fixed-size records, key i at `keys[i * keySize...]`
        /// and its value at `values[i * valueSize...]`: thousands of tree nodes in two
        /// allocations instead of two each.
        case putRun(ColumnFamily, keys: Bytes, values: Bytes, keySize: Int, valueSize: Int)
    }

    public private(set) var operations: [Operation] = []
    /// Sum of key and value sizes, for callers that bound batch size.
    public private(set) var byteCount = 0
    /// Puts and deletes (a run counts each of its records).
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { operations.isEmpty }

    public mutating func put(_ cf: ColumnFamily, _ key: Bytes, _ value: Bytes) {
        operations.append(.put(cf, key: key, value: value))
        byteCount += key.count + value.count
        count += 1
    }

    public mutating func delete(_ cf: ColumnFamily, _ key: Bytes) {
        operations.append(.delete(cf, key: key))
        byteCount += key.count
        count += 1
    }

    /// Puts `keys.count / keySize` records (see `Operation.putRun`), in order.
    public mutating func putRun(_ cf: ColumnFamily, keys: Bytes, values: Bytes, keySize: Int, valueSize: Int) {
        precondition(keySize > 0 && valueSize > 0 && keys.count % keySize == 0 && values.count == keys.count / keySize * valueSize)
        guard !keys.isEmpty else { return }
        operations.append(.putRun(cf, keys: keys, values: values, keySize: keySize, valueSize: valueSize))
        byteCount += keys.count + values.count
        count += keys.count / keySize
    }

    public mutating func append(contentsOf other: WriteBatch) {
        operations += other.operations
        byteCount += other.byteCount
        count += other.count
    }

    public mutating func reserveCapacity(_ n: Int) { operations.reserveCapacity(n) }

    public mutating func removeAll() {
        operations.removeAll(keepingCapacity: true)
        byteCount = 0
        count = 0
    }
}
