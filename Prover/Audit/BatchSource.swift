import Bridge
import Core
import Sequencer

/// Where a replay reads batches from: an archive directory, L1 directly, or memory (tests).
/// Batches are fetched one at a time so a long history never sits in memory at once.
public protocol BatchSource: Sendable {
    /// The batch indices available, ascending (0, 1, 2, … for a complete history).
    func indices() async throws -> [UInt64]
    func batch(_ index: UInt64) async throws -> ArchivedBatch
    /// The L1 inbox messages the blocks must match.
    func inbox() async throws -> [InboxMessage]
    /// L1 times and claims for the L1 checks (none by default: the checks are skipped).
    func facts() async throws -> L1Facts
}

extension BatchSource {
    public func facts() async throws -> L1Facts { L1Facts() }
}

/// Batches from an exported archive.
public struct ArchiveSource: BatchSource {
    public let archive: BatchArchive
    public init(_ archive: BatchArchive) { self.archive = archive }
    public func indices() async throws -> [UInt64] { try archive.indices() }
    public func batch(_ index: UInt64) async throws -> ArchivedBatch { try archive.read(index) }
    public func inbox() async throws -> [InboxMessage] { try archive.readInbox() }
}

/// Batches straight from L1: the live commits are listed once, the calldata of each is
/// fetched when the replay reaches it.
public struct L1Source: BatchSource {
    public let history: L1History
    public let commits: [L1History.Commit]
    /// The L1 block the listing was taken at (inbox messages are read up to the same block).
    public let l1Block: UInt64

    public static func open(_ history: L1History) async throws -> L1Source {
        let head = try await history.rollup.eth.blockNumber()
        return L1Source(history: history, commits: try await history.liveBatches(to: head), l1Block: head)
    }

    public func indices() async throws -> [UInt64] { commits.map(\.batchIndex) }
    public func batch(_ index: UInt64) async throws -> ArchivedBatch { try await history.fetch(commits[Int(index)]) }
    public func inbox() async throws -> [InboxMessage] { try await history.inbox(to: l1Block) }
    public func facts() async throws -> L1Facts {
        try await history.facts(commits: commits, inbox: try await inbox(), to: l1Block)
    }
}

/// Batches held in memory (tests and callers that already have them).
public struct ListSource: BatchSource {
    public let batches: [ArchivedBatch]
    public let messages: [InboxMessage]
    public init(_ batches: [ArchivedBatch], inbox: [InboxMessage]) { self.batches = batches; self.messages = inbox }
    public func indices() async throws -> [UInt64] { batches.map(\.index) }
    public func batch(_ index: UInt64) async throws -> ArchivedBatch {
        guard let b = batches.first(where: { $0.index == index }) else { throw BatchArchive.Error.corrupt("no batch \(index)") }
        return b
    }
    public func inbox() async throws -> [InboxMessage] { messages }
}

/// Runs a replay over a source: batches 0…`toBatch` in order (every batch's checks need the
/// state all earlier ones built), or, from a snapshot that agrees with its batch's commitment
/// (`SnapshotCheck`), only the batches after it.
public enum Audit {
    public struct Progress: Sendable {
        public let batch: UInt64
        public let batches: Int
        public let block: UInt64
        public let transactions: UInt64
    }

    /// `forceInclusionDelay` replaces the contract's (or supplies it when the contract has
    /// none); `timestampSkew` replaces the default 120 s.
    public static func replay(_ source: some BatchSource, genesis: Genesis, toBatch: UInt64? = nil, workDirectory: String? = nil,
                              forceInclusionDelay: UInt64? = nil, timestampSkew: UInt64? = nil, snapshot: StateSnapshot? = nil,
                              progress: @escaping (Progress) -> Void = { _ in }) async throws -> AuditReport {
        let replayer = try await replayKeeping(source, genesis: genesis, toBatch: toBatch, workDirectory: workDirectory,
                                               forceInclusionDelay: forceInclusionDelay, timestampSkew: timestampSkew,
                                               snapshot: snapshot, progress: progress)
        defer { replayer.close() }
        return replayer.report
    }

    /// The same replay, but the replayer is returned open: its `state` is the replayed chain
    /// at the last batch that agreed (for proofs from it). The caller closes it.
    public static func replayKeeping(_ source: some BatchSource, genesis: Genesis, toBatch: UInt64? = nil, workDirectory: String? = nil,
                                     forceInclusionDelay: UInt64? = nil, timestampSkew: UInt64? = nil, snapshot: StateSnapshot? = nil,
                                     progress: @escaping (Progress) -> Void = { _ in }) async throws -> Replayer {
        var available = try await source.indices()
        let replayer: Replayer
        if let snapshot {
            // Refused before any store exists: a snapshot that is not the committed state changes nothing.
            guard available.contains(snapshot.batchIndex) else { throw SnapshotCheck.Refusal.noSuchBatch(snapshot.batchIndex) }
            let checked = try SnapshotCheck.check(snapshot, genesis: genesis, batch: try await source.batch(snapshot.batchIndex))
            replayer = try Replayer(genesis: genesis, inbox: try InboxLog(try await source.inbox()), resumingFrom: snapshot,
                                    checked: checked, workDirectory: workDirectory)
            available = available.filter { $0 > snapshot.batchIndex }
        } else {
            replayer = try Replayer(genesis: genesis, inbox: try InboxLog(try await source.inbox()), workDirectory: workDirectory)
        }
        var facts = try await source.facts()
        if let forceInclusionDelay { facts.forceInclusionDelay = forceInclusionDelay }
        if let timestampSkew { facts.timestampSkew = timestampSkew }
        replayer.facts = facts
        let all = available.filter { toBatch == nil || $0 <= toBatch! }
        var current: UInt64 = 0
        var txs: UInt64 = 0
        replayer.onBlock = { n, k in
            txs += UInt64(k)
            progress(Progress(batch: current, batches: all.count, block: n, transactions: txs))
        }
        // Pipeline: while batch k is applied (one core), batch k+1 is fetched, decoded and its
        // signatures recovered (all cores).
        let admission = replayer.admission
        func prepare(_ i: UInt64) -> Task<Replayer.Prepared, Swift.Error> {
            Task { Replayer.Prepared(try await source.batch(i), admission: admission) }
        }
        var next = all.first.map(prepare)
        for (k, i) in all.enumerated() {
            current = i
            let prepared = try await next!.value
            next = k + 1 < all.count ? prepare(all[k + 1]) : nil
            if try replayer.check(prepared) != nil { next?.cancel(); break }
        }
        return replayer
    }
}
