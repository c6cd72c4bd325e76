import Core
import Foundation
import Sequencer
#if canImport(Glibc)
import Glibc
#endif

/// An export of a rollup's history that a replay can run from without any L1 endpoint:
///
///     DIR/batch-00000000.json   one ArchivedBatch per file (commitment fields, dataHash, data)
///     DIR/inbox.json            every L1 inbox message, in index order
///     DIR/index.json            where it came from, the batch list, the last exported batch
///
/// Files are written atomically (temp file + rename), so an interrupted export leaves whole
/// files only and a re-run resumes: a batch already present is kept when its data still
/// hashes to its recorded dataHash (and, for an L1 export, equals the hash L1 logged).
public struct BatchArchive: Sendable {
    public let directory: String

    public enum Error: Swift.Error, CustomStringConvertible {
        case unreadable(String, String)
        case notAnArchive(String)
        case corrupt(String)
        public var description: String {
            switch self {
            case .unreadable(let p, let why): return "cannot read \(p): \(why)"
            case .notAnArchive(let d): return "\(d) is not a batch archive (no index.json)"
            case .corrupt(let m): return "corrupt archive: \(m)"
            }
        }
    }

    /// Opens (creating the directory if needed) an archive.
    public init(directory: String, create: Bool = true) throws {
        self.directory = directory
        if create { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
    }

    /// An archive that must exist already: its index is read once here, so a wrong directory
    /// fails before any replay starts.
    public static func existing(_ directory: String) throws -> BatchArchive {
        let a = try BatchArchive(directory: directory, create: false)
        _ = try a.readIndex()
        return a
    }

    public static func fileName(_ index: UInt64) -> String { String(format: "batch-%08llu.json", index) }
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    // MARK: Batches

    /// Batch indices present, ascending.
    public func indices() throws -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { n -> UInt64? in
            guard n.hasPrefix("batch-"), n.hasSuffix(".json") else { return nil }
            return UInt64(n.dropFirst(6).dropLast(5))
        }.sorted()
    }

    public func contains(_ index: UInt64) -> Bool { FileManager.default.fileExists(atPath: path(Self.fileName(index))) }

    public func read(_ index: UInt64) throws -> ArchivedBatch {
        let b = try ArchivedBatch(json: try readJSON(Self.fileName(index)))
        guard b.index == index else { throw Error.corrupt("\(Self.fileName(index)) holds batch \(b.index)") }
        return b
    }

    public func write(_ b: ArchivedBatch) throws { try writeJSON(b.json, Self.fileName(b.index)) }

    /// Whether batch `index` is present, readable, its data hashes to its dataHash, and (when
    /// given) that dataHash is the one L1 logged. A resumed export keeps exactly those.
    public func isIntact(_ index: UInt64, dataHash: Hash32? = nil) -> Bool {
        guard contains(index), let b = try? read(index) else { return false }
        return Hash32(keccakOf: b.commitment.data) == b.dataHash && (dataHash == nil || dataHash == b.dataHash)
    }

    // MARK: Inbox and index

    public func writeInbox(_ messages: [InboxMessage]) throws {
        try writeJSON(.array(messages.map(InboxJSON.encode)), "inbox.json")
    }

    public func readInbox() throws -> [InboxMessage] {
        guard FileManager.default.fileExists(atPath: path("inbox.json")) else { return [] }
        guard let list = try readJSON("inbox.json").arrayValue else { throw Error.corrupt("inbox.json is not an array") }
        return try list.map(InboxJSON.decode)
    }

    public func writeIndex(_ index: ArchiveIndex) throws { try writeJSON(index.json, "index.json") }

    public func readIndex() throws -> ArchiveIndex {
        guard FileManager.default.fileExists(atPath: path("index.json")) else { throw Error.notAnArchive(directory) }
        return try ArchiveIndex(json: try readJSON("index.json"))
    }

    /// The index describing the batches now present.
    public func index(source: String, deployment: JSONValue?) throws -> ArchiveIndex {
        let list = try indices().map { i -> ArchiveIndex.Entry in
            let b = try read(i)
            return .init(batchIndex: i, file: Self.fileName(i), firstBlock: b.commitment.firstBlock, lastBlock: b.commitment.lastBlock,
                         dataHash: b.dataHash)
        }
        return ArchiveIndex(source: source, deployment: deployment, batches: list, inboxMessages: UInt64(try readInbox().count))
    }

    // MARK: Files

    func readJSON(_ name: String) throws -> JSONValue {
        let p = path(name)
        do { return try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: p))) } catch {
            throw Error.unreadable(p, "\(error)")
        }
    }

    func writeJSON(_ v: JSONValue, _ name: String) throws {
        let p = path(name), tmp = p + ".tmp"
        try Data((v.prettySerialized + "\n").utf8).write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, p) == 0 else { throw Error.unreadable(p, "cannot rename \(tmp) into place (errno \(errno))") }
    }
}

/// `index.json`: the archive's table of contents.
public struct ArchiveIndex: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let batchIndex: UInt64
        public let file: String
        public let firstBlock: UInt64
        public let lastBlock: UInt64
        public let dataHash: Hash32
    }

    /// `l1` (from the rollup's events and calldata) or `db` (from a sequencer's chain store).
    public var source: String
    /// The deployment.json contents for an L1 export.
    public var deployment: JSONValue?
    public var batches: [Entry]
    public var inboxMessages: UInt64
    public var lastBatch: UInt64? { batches.last?.batchIndex }

    public var json: JSONValue {
        .object([
            "version": .number("1"), "source": .string(source), "deployment": deployment ?? .null,
            "lastBatch": lastBatch.map { .number(String($0)) } ?? .null, "inboxMessages": .number(String(inboxMessages)),
            "batches": .array(batches.map {
                .object(["batchIndex": .number(String($0.batchIndex)), "file": .string($0.file), "firstBlock": .number(String($0.firstBlock)),
                         "lastBlock": .number(String($0.lastBlock)), "dataHash": .string($0.dataHash.description)])
            }),
        ])
    }

    public init(source: String, deployment: JSONValue?, batches: [Entry], inboxMessages: UInt64) {
        self.source = source; self.deployment = deployment; self.batches = batches; self.inboxMessages = inboxMessages
    }

    public init(json: JSONValue) throws {
        func num(_ v: JSONValue?) -> UInt64? {
            switch v { case .number(let s)?, .string(let s)?: return UInt64(s); default: return nil }
        }
        guard let source = json["source"]?.stringValue, let list = json["batches"]?.arrayValue else {
            throw BatchArchive.Error.corrupt("index.json lacks source or batches")
        }
        let entries = try list.map { e -> Entry in
            guard let i = num(e["batchIndex"]), let f = e["file"]?.stringValue, let first = num(e["firstBlock"]), let last = num(e["lastBlock"]),
                  let h = e["dataHash"]?.stringValue, let hash = try? Hash32(hex: h) else {
                throw BatchArchive.Error.corrupt("index.json: a batch entry is incomplete")
            }
            return Entry(batchIndex: i, file: f, firstBlock: first, lastBlock: last, dataHash: hash)
        }
        let dep = json["deployment"].flatMap { $0.isNull ? nil : $0 }
        self.init(source: source, deployment: dep, batches: entries, inboxMessages: num(json["inboxMessages"]) ?? 0)
    }
}
