import Bridge
import Core
import Foundation
import Logging
import Sequencer

/// Fills a `BatchArchive` from L1 or from a sequencer's own chain store. Resumable: batches
/// already present and intact are skipped (an L1 export also requires the stored dataHash to
/// be the one L1 logged, so a batch replaced after a challenge is fetched again).
public struct ArchiveExporter {
    public let archive: BatchArchive
    /// One line per batch written or removed, and a summary.
    public var logger: Logger

    public init(archive: BatchArchive, logger: Logger = .discarding) { self.archive = archive; self.logger = logger }

    public struct Summary: Equatable, Sendable {
        public var written: [UInt64] = []
        public var skipped: [UInt64] = []
        public var inboxMessages = 0
    }

    /// Every live batch and inbox message of the deployment, as of the current L1 head.
    public func exportFromL1(_ history: L1History, deployment: Deployment) async throws -> Summary {
        var s = Summary()
        let source = try await L1Source.open(history)
        logger.info("L1 block \(source.l1Block): \(source.commits.count) live batches")
        for c in source.commits {
            if archive.isIntact(c.batchIndex, dataHash: c.dataHash) {
                s.skipped.append(c.batchIndex)
                continue
            }
            let b = try await history.fetch(c)
            try archive.write(b)
            s.written.append(c.batchIndex)
            logger.info("batch \(c.batchIndex): blocks \(b.commitment.firstBlock)…\(b.commitment.lastBlock), \(b.commitment.data.count) bytes (L1 tx \(c.l1TxHash.hex))")
        }
        // A previous export may hold batches that L1 has since reverted: drop them.
        for stale in try archive.indices() where stale >= UInt64(source.commits.count) {
            try FileManager.default.removeItem(atPath: archive.path(BatchArchive.fileName(stale)))
            logger.info("batch \(stale): no longer live on L1, removed")
        }
        let inbox = try await source.inbox()
        try archive.writeInbox(inbox)
        s.inboxMessages = inbox.count
        try archive.writeIndex(try archive.index(source: "l1", deployment: deployment.json))
        logger.info("exported \(s.written.count) batches, kept \(s.skipped.count), \(inbox.count) inbox messages")
        return s
    }

    /// Batches built from a chain store: the ranges of the bridge's batch records when given
    /// (the batches as posted), then fixed ranges of `blocksPerBatch` up to the head (shrunk to
    /// the contract's data limit). The inbox is the messages the blocks applied — a store has
    /// no other record of L1 — so an archive made this way checks the chain's internal
    /// consistency, not that its deposits happened on L1.
    public func exportFromStore(_ chain: ChainStore, records: [BatchRecord] = [], blocksPerBatch: UInt64 = 100) throws -> Summary {
        var s = Summary()
        let g = chain.genesis
        let assembler = BatchAssembler(chainId: g.chainId, rollup: g.rollup, signer: g.signer)
        let head = chain.head.number
        var index: UInt64 = 0, next: UInt64 = 1
        let posted = records.filter { $0.status != .reverted }.sorted { $0.index < $1.index }
        while next <= head {
            let done = archive.isIntact(index)
            let c: BatchCommitment?
            if let r = posted.first(where: { $0.index == index }), r.firstBlock == next, r.lastBlock <= head {
                c = done ? nil : try assembler.commitment(index: index, blocks: r.firstBlock...r.lastBlock, store: chain)
                if done { s.skipped.append(index) }
                next = r.lastBlock + 1
            } else if done {
                s.skipped.append(index)
                next = try archive.read(index).commitment.lastBlock + 1
                c = nil
            } else {
                c = try assembler.largest(index: index, from: next, to: head, maxBlocks: max(1, blocksPerBatch), store: chain)
                next = c!.lastBlock + 1
            }
            if let c {
                try archive.write(ArchivedBatch(commitment: c))
                s.written.append(index)
                logger.info("batch \(index): blocks \(c.firstBlock)…\(c.lastBlock), \(c.data.count) bytes")
            }
            index += 1
        }
        var inbox: [InboxMessage] = []
        if head > 0 {
            for n in 1...head { inbox += try chain.block(n)?.inbox ?? [] }
        }
        try archive.writeInbox(inbox)
        s.inboxMessages = inbox.count
        try archive.writeIndex(try archive.index(source: "db", deployment: nil))
        logger.info("exported \(s.written.count) batches, kept \(s.skipped.count), \(inbox.count) inbox messages")
        return s
    }
}
