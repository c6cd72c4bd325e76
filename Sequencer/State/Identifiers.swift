import Core

/// A job identifier: `bytes16`, as in EmethCore. A distinct type so a job id can never be
/// passed where a 32-byte hash is expected.
public struct JobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Bytes

    /// The 16 bytes in one call (see `Address.hash(into:)`).
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }

    public init(bytes: Bytes) throws(HexError) {
        guard bytes.count == 16 else { throw .wrongLength(expected: 16, actual: bytes.count) }
        self.bytes = bytes
    }

    public init(hex: String) throws(HexError) { try self.init(bytes: try Hex.decode(hex)) }

    public static let zero = try! JobID(bytes: Bytes(repeating: 0, count: 16))

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }
    public var description: String { bytes.hex }
    public static func < (a: JobID, b: JobID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// 32 bytes that are a content hash (dataset, param, result: EMETH Storage keys) or a root.
public struct Hash32: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Bytes

    /// The 32 bytes in one call (see `Address.hash(into:)`).
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }

    public init(bytes: Bytes) throws(HexError) {
        guard bytes.count == 32 else { throw .wrongLength(expected: 32, actual: bytes.count) }
        self.bytes = bytes
    }

    init(unchecked bytes: Bytes) { self.bytes = bytes }

    public init(hex: String) throws(HexError) { try self.init(bytes: try Hex.decode(hex)) }

    public static let zero = Hash32(unchecked: Bytes(repeating: 0, count: 32))

    public var description: String { bytes.hex }
    public static func < (a: Hash32, b: Hash32) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
