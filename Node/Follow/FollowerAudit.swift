import API
import Bridge
import Core
import Logging
import Prover
import Sequencer
import ServiceLifecycle

/// A follower with L1 is a live auditor: it reads the rollup's batch commits and inbox
/// messages as L1 logs them (after `confirmations`), and checks every committed batch, in
/// order, once it has applied the batch's blocks (`StoredChainAudit`: the data is exactly its
/// verified blocks, their inbox messages are L1's, the commitment states what they end in).
/// The first batch that does not agree is flagged — log, `/health` "diverged", a metric — and
/// auditing stops there, as a replay does. The audited batches, final once the contract says
/// so, are what the follower's receipts and settlement proofs report (`L1BatchView`).
struct FollowerAudit: Service {
    let chain: FollowerChain
    let history: L1History
    let view: L1BatchView
    let confirmations: UInt64
    let loop: RetryLoop
    let logger: Logger

    init(chain: FollowerChain, l1: L1Connection, view: L1BatchView, confirmations: UInt64, intervalMs: UInt64, logger: Logger) {
        self.chain = chain; self.view = view; self.logger = logger
        self.confirmations = max(1, confirmations)
        history = L1History(rollup: l1.rollup, fromBlock: l1.deployment.block)
        loop = RetryLoop(intervalMs: intervalMs, what: "L1 audit", logger: logger)
    }

    /// What the audit has read of L1 and established so far.
    struct Progress {
        /// L1 blocks read up to (inclusive); nil before the first round.
        var scanned: UInt64?
        /// Live commits by batch index.
        var commits: [UInt64: L1History.Commit] = [:]
        var inbox: [InboxMessage] = []
        /// Batches that agreed, in index order.
        var audited: [BatchStatus] = []
        /// A fetched batch waiting for its blocks to be applied.
        var waiting: ArchivedBatch?
        var divergence: Divergence?

        var nextBatch: UInt64 { UInt64(audited.count) }
        var firstBlock: UInt64 { (audited.last?.lastBlock ?? 0) + 1 }
    }

    func run() async throws {
        logger.info("auditing L1 commitments", metadata: ["rollup": "\(history.rollup.address.checksummed)", "confirmations": "\(confirmations)"])
        var p = Progress()
        await loop.run {
            try await round(&p)
            return .again
        }
    }

    func round(_ p: inout Progress) async throws {
        let l1Head = try await history.rollup.eth.blockNumber()
        let to = l1Head + 1 >= confirmations ? l1Head + 1 - confirmations : 0
        let from = p.scanned.map { $0 + 1 } ?? history.fromBlock
        if to >= from {
            // Commits and reverts, then inbox messages: a batch's commit comes after the messages
            // its blocks applied (a sequencer applies only messages L1 already logged).
            for e in try await history.events(from: from, to: to) {
                switch e {
                case .committed(let c): p.commits[c.batchIndex] = c
                case .reverted(let i): revert(from: i, &p)
                }
            }
            var start = from
            while start <= to {
                let end = min(to, start + history.logChunk - 1)
                for (m, _) in try await InboxLogs(rollup: history.rollup).messages(from: start, to: end) where m.index == UInt64(p.inbox.count) {
                    p.inbox.append(m)
                }
                start = end + 1
            }
            p.scanned = to
        }
        try await audit(&p)
        try await finality(&p)
        view.set(p.audited)
        chain.noteAudit(batch: p.audited.last?.index, divergence: p.divergence.map(Self.problem))
    }

    /// A challenge reverted batch `i` and every later one: they are no longer L1's.
    private func revert(from i: UInt64, _ p: inout Progress) {
        p.commits = p.commits.filter { $0.key < i }
        if p.audited.count > Int(i) { p.audited.removeLast(p.audited.count - Int(i)) }
        if let w = p.waiting, w.index >= i { p.waiting = nil }
        if let d = p.divergence, d.batch >= i {
            logger.notice("L1 reverted the batch that diverged", metadata: ["batch": "\(d.batch)", "revertedFrom": "\(i)"])
            p.divergence = nil
        }
        logger.info("L1 reverted batches", metadata: ["from": "\(i)"])
    }

    /// Audits the committed batches in order, as far as the follower has applied their blocks.
    private func audit(_ p: inout Progress) async throws {
        while p.divergence == nil, let commit = p.commits[p.nextBatch] {
            let batch: ArchivedBatch
            if let w = p.waiting, w.index == commit.batchIndex { batch = w } else { batch = try await history.fetch(commit) }
            guard batch.commitment.lastBlock <= (try chain.headNumber()) else {
                p.waiting = batch
                return
            }
            p.waiting = nil
            let inbox = try InboxLog(p.inbox)
            if let d = try StoredChainAudit.check(batch, firstBlock: p.firstBlock, store: chain.store, inbox: inbox) {
                p.divergence = d
                logger.critical("L1 batch diverges from the verified chain: \(d)", metadata: [
                    "batch": "\(d.batch)", "field": "\(d.field)", "expected": "\(d.expected)", "found": "\(d.found)",
                    "l1Tx": "\(commit.l1TxHash.hex)"])
                return
            }
            let c = batch.commitment
            p.audited.append(BatchStatus(index: c.batchIndex, firstBlock: c.firstBlock, lastBlock: c.lastBlock,
                                         l1TxHash: try? Hash32(bytes: commit.l1TxHash), final: false))
            logger.info("batch audited", metadata: ["batch": "\(c.batchIndex)", "blocks": "\(c.firstBlock)–\(c.lastBlock)"])
        }
    }

    /// Batches become final in order: ask about the first that is not, and stop at the first no.
    private func finality(_ p: inout Progress) async throws {
        for k in p.audited.indices where !p.audited[k].final {
            guard try await history.rollup.isFinal(p.audited[k].index) else { return }
            p.audited[k].final = true
        }
    }

    static func problem(_ d: Divergence) -> ReplicationStatus.Problem {
        ReplicationStatus.Problem(block: d.block, batch: d.batch, field: d.field, expected: d.expected, found: d.found, message: d.description)
    }
}
