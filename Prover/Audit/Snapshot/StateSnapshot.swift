import Core
import Foundation
import Sequencer

/// The replayed state at the end of a final batch, as `emeth audit snapshot` writes it and
/// `emeth audit replay --from-snapshot` resumes from (docs/SNAPSHOT.md): every state record,
/// the last block's header (its hash is the batch's `lastBlockHash` on L1, its `stateRoot` the
/// committed root, its `inboxCursor` where the next block reads the inbox) and the totals.
/// Nothing in it is trusted: the loader recomputes the root from the records and compares it
/// with L1 before any state is built on it.
public struct StateSnapshot: Equatable, Sendable {
    public var chainId: UInt256
    public var rollup: Address
    /// keccak256 of the genesis file as the chain store keeps it (`Genesis.json.serialized`).
    public var genesisHash: Hash32
    public var batchIndex: UInt64
    public var header: BlockHeader
    public var totals: Totals
    /// Tree key (32 bytes) → encoded record, strictly ascending by key.
    public var records: [Record]

    public struct Record: Equatable, Sendable {
        public var key: Bytes
        public var value: Bytes
        public init(key: Bytes, value: Bytes) { self.key = key; self.value = value }
    }

    public init(genesis: Genesis, batchIndex: UInt64, header: BlockHeader, totals: Totals, records: [Record]) {
        chainId = genesis.chainId; rollup = genesis.rollup; genesisHash = Self.hash(of: genesis)
        self.batchIndex = batchIndex; self.header = header; self.totals = totals; self.records = records
    }

    static func hash(of g: Genesis) -> Hash32 { hash32(Keccak.hash256(Array(g.json.serialized.utf8))) }

    public static let magic = Array("EMETHSNP".utf8)
    public static let version: UInt16 = 1
    /// Bytes before the record section: magic, version, compression, chain id, rollup,
    /// genesis hash, batch index, header, totals, record count, section length.
    static let fixedSize = 8 + 2 + 1 + 32 + 20 + 32 + 8 + 256 + 192 + 8 + 8
    /// The largest record section a loader inflates (a job record is 672 bytes: 2^34 bytes
    /// is some 25 million jobs).
    public static let maxSectionSize = 1 << 34

    public enum Compression: UInt8, Sendable { case none = 0, zstd = 1 }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case notASnapshot
        case unsupportedVersion(UInt16)
        case truncated(size: Int, needed: Int)
        case checksum(stored: Hash32, computed: Hash32)
        case corrupt(String)

        public var description: String {
            switch self {
            case .notASnapshot: return "not an EMETH state snapshot (the file does not start with EMETHSNP)"
            case .unsupportedVersion(let v): return "snapshot format version \(v) is not supported (this build reads version \(StateSnapshot.version))"
            case .truncated(let s, let n): return "the snapshot is truncated: \(s) bytes, at least \(n) needed"
            case .checksum(let s, let c):
                return "the snapshot is corrupt: its checksum says \(s), its bytes hash to \(c)"
            case .corrupt(let m): return "the snapshot is corrupt: \(m)"
            }
        }
    }

    // MARK: Writing

    public func encoded(compression: Compression = .zstd) throws -> Bytes {
        var section = Bytes()
        section.reserveCapacity(records.reduce(0) { $0 + 36 + $1.value.count })
        for r in records {
            section += r.key
            section += UInt32(r.value.count).snapshotBytes
            section += r.value
        }
        if compression == .zstd { section = try Zstd.compress(section, level: 3) }
        var out = Self.magic
        out += Self.version.snapshotBytes
        out.append(compression.rawValue)
        out += chainId.bigEndianBytes
        out += rollup.bytes
        out += genesisHash.bytes
        out += batchIndex.snapshotBytes
        out += header.encoded
        out += StateEncoding.encode(totals)
        out += UInt64(records.count).snapshotBytes
        out += UInt64(section.count).snapshotBytes
        out += section
        out += Keccak.hash256(out)
        return out
    }

    // MARK: Reading

    /// Decodes and checks a snapshot file's bytes: magic, version, checksum, then every field.
    /// Says what is wrong rather than guessing.
    public init(decoding bytes: Bytes) throws {
        guard bytes.count >= Self.magic.count, Array(bytes[0..<8]) == Self.magic else {
            throw bytes.count < 8 && Self.magic.starts(with: bytes) ? Error.truncated(size: bytes.count, needed: Self.fixedSize + 32) : Error.notASnapshot
        }
        var r = Reader(bytes: bytes, at: 8)
        guard bytes.count >= 10 else { throw Error.truncated(size: bytes.count, needed: Self.fixedSize + 32) }
        let version = UInt16(r.uint(2))
        guard version == Self.version else { throw Error.unsupportedVersion(version) }
        guard bytes.count >= Self.fixedSize + 32 else { throw Error.truncated(size: bytes.count, needed: Self.fixedSize + 32) }
        let sectionSize = bytes[(Self.fixedSize - 8)..<Self.fixedSize].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let needed = UInt64(Self.fixedSize) + 32 &+ sectionSize
        guard sectionSize <= UInt64(Self.maxSectionSize), UInt64(bytes.count) >= needed else {
            throw Error.truncated(size: bytes.count, needed: sectionSize <= UInt64(Self.maxSectionSize) ? Int(needed) : Int.max)
        }
        guard UInt64(bytes.count) == needed else { throw Error.corrupt("\(UInt64(bytes.count) - needed) bytes after the checksum") }
        let body = bytes[0..<(bytes.count - 32)]
        let stored = hash32(Array(bytes[(bytes.count - 32)...]))
        let computed = hash32(Keccak.hash256(Array(body)))
        guard stored == computed else { throw Error.checksum(stored: stored, computed: computed) }
        guard let compression = Compression(rawValue: r.bytes(1)[0]) else { throw Error.corrupt("unknown compression \(bytes[10])") }
        chainId = try! UInt256(bigEndian: r.bytes(32)[...])
        rollup = try! Address(bytes: r.bytes(20))
        genesisHash = hash32(r.bytes(32))
        batchIndex = r.uint(8)
        do {
            header = try BlockHeader.decode(r.bytes(256))
            totals = try StateEncoding.decodeTotals(r.bytes(192))
        } catch { throw Error.corrupt("\(error)") }
        let count = r.uint(8)
        _ = r.uint(8)
        var section = r.bytes(Int(sectionSize))
        if compression == .zstd {
            do { section = try Zstd.decompress(section, maxSize: Self.maxSectionSize) } catch { throw Error.corrupt("record section: \(error)") }
        }
        records = try Self.records(section, count: count)
    }

    static func records(_ s: Bytes, count: UInt64) throws -> [Record] {
        var out: [Record] = []
        out.reserveCapacity(Int(min(count, UInt64(s.count / 36))))
        var i = 0
        var previous: Bytes?
        while i < s.count {
            guard s.count - i >= 36 else { throw Error.corrupt("record \(out.count) is cut short") }
            let key = Array(s[i..<(i + 32)])
            let n = Int(s[(i + 32)..<(i + 36)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard s.count - i - 36 >= n else { throw Error.corrupt("record \(out.count) is cut short") }
            if let previous, !previous.lexicographicallyPrecedes(key) {
                throw Error.corrupt("record \(out.count): keys are not strictly ascending")
            }
            out.append(Record(key: key, value: Array(s[(i + 36)..<(i + 36 + n)])))
            previous = key
            i += 36 + n
        }
        guard UInt64(out.count) == count else { throw Error.corrupt("\(out.count) records, the header says \(count)") }
        return out
    }

    struct Reader {
        let bytes: Bytes
        var at: Int
        mutating func bytes(_ n: Int) -> Bytes { defer { at += n }; return Array(bytes[at..<(at + n)]) }
        mutating func uint(_ n: Int) -> UInt64 { bytes(n).reduce(0) { $0 << 8 | UInt64($1) } }
    }
}

extension FixedWidthInteger {
    /// Big-endian bytes of the integer's width (the snapshot's integers).
    var snapshotBytes: Bytes { withUnsafeBytes(of: self.bigEndian) { Array($0) } }
}

/// A 32-byte value the format guarantees is 32 bytes long.
private func hash32(_ b: Bytes) -> Hash32 { try! Hash32(bytes: b) }
