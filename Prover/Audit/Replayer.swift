import Core
import Foundation
import Sequencer

/// Re-executes posted batches from genesis and checks every claim they make (docs/AUDIT.md): data
/// hash, decoding, every transaction signature, block links, inbox contents, every root, the
/// header hash and its Signer signature, conservation, and the commitment fields. It runs the
/// sequencer's own `BlockProducer` on a temporary RocksDB store, so state lives on disk and
/// memory stays bounded by one batch; the store is deleted by `close()`.
///
/// Feed batches in index order with `check(_:)`; the first divergence is returned (and kept in
/// `report`), after which the replayer refuses more input: the state after a rejected block
/// is not one any later batch can be checked against.
public final class Replayer {
    public let genesis: Genesis
    public let inbox: InboxLog
    public let admission: L2Admission
    let producer: BlockProducer
    let directory: String
    private(set) var store: ChainStore?
    /// The replayed chain's store (state records and state tree at the last agreed batch);
    /// nil once closed. It keeps no blocks.
    public var state: ChainStore? { store }
    public private(set) var report = AuditReport()
    /// The next batch index expected (batches are consecutive from 0).
    public internal(set) var nextBatch: UInt64 = 0
    /// Called after every replayed block with (block number, transactions in it).
    public var onBlock: ((UInt64, Int) -> Void)?
    /// L1 times, the force-inclusion delay and the `Claimed` events the L1 checks use (empty:
    /// those checks are skipped). Set before the first batch.
    public var facts = L1Facts() { didSet { claimsByRef = Dictionary(grouping: facts.claims) { ClaimRef(method: $0.method, reference: $0.reference) } } }
    struct ClaimRef: Hashable { let method: UInt8; let reference: UInt64 }
    private var claimsByRef: [ClaimRef: [L1Facts.Claim]] = [:]
    private let started = Date()

    public enum Error: Swift.Error, CustomStringConvertible {
        case closed
        case alreadyDiverged(Divergence)
        public var description: String {
            switch self {
            case .closed: return "the replayer was closed"
            case .alreadyDiverged(let d): return "the replay already stopped at a divergence: \(d)"
            }
        }
    }

    /// `workDirectory`: where the temporary chain store goes (a fresh subdirectory is made and
    /// removed by `close()`); the system temporary directory by default.
    public init(genesis: Genesis, inbox: InboxLog, workDirectory: String? = nil) throws {
        self.genesis = genesis
        self.inbox = inbox
        admission = L2Admission(chainId: genesis.chainId, rollup: genesis.rollup)
        // Execution needs no key: the replay compares header hashes and checks posted
        // signatures by recovery against genesis.signer.
        producer = BlockProducer(stf: StateTransition(genesis: genesis))
        let base = workDirectory ?? FileManager.default.temporaryDirectory.path
        directory = (base as NSString).appendingPathComponent("emeth-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try ChainStore(path: directory + "/chain", genesis: genesis)
    }

    deinit { close() }

    /// Closes and deletes the temporary store. Idempotent.
    public func close() {
        guard let s = store else { return }
        s.db.close()
        store = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A batch whose data was hashed, decoded and whose signatures were recovered ahead of
    /// its turn: `Audit.replay` prepares batch k+1 on the other cores while batch k is applied.
    /// Only what a batch says about itself is done ahead; every check against the chain so far
    /// still happens in `check`, in order.
    public struct Prepared: Sendable {
        public let batch: ArchivedBatch
        let blocks: [BatchCodec.Block]?
        let authenticated: [Result<L2Transaction, L2TxError>]?

        public init(_ batch: ArchivedBatch, admission: L2Admission) {
            self.batch = batch
            guard Hash32(keccakOf: batch.commitment.data) == batch.dataHash,
                  let blocks = try? BatchCodec.decode(batch.commitment.data) else {
                self.blocks = nil; authenticated = nil   // `check` finds and reports the problem
                return
            }
            self.blocks = blocks
            authenticated = admission.authenticate(blocks.flatMap(\.transactions))
        }
    }

    /// Checks the next batch. Returns the first divergence in it, or nil when it agrees.
    /// Throws only when the replay itself cannot proceed (disk, closed replayer).
    @discardableResult
    public func check(_ batch: ArchivedBatch) throws -> Divergence? {
        try check(Prepared(batch, admission: admission))
    }

    @discardableResult
    public func check(_ prepared: Prepared) throws -> Divergence? {
        let batch = prepared.batch
        guard let store else { throw Error.closed }
        if let d = report.divergence { throw Error.alreadyDiverged(d) }
        let d = try checkBatch(batch, prepared: prepared, store: store)
        if let d {
            report.divergence = d
        } else {
            report.batches += 1
            report.firstBatch = report.firstBatch ?? batch.index
            report.lastBatch = batch.index
            nextBatch = batch.index + 1
        }
        report.seconds = Date().timeIntervalSince(started)
        return d
    }

    private func checkBatch(_ b: ArchivedBatch, prepared: Prepared, store: ChainStore) throws -> Divergence? {
        let c = b.commitment
        let i = c.batchIndex
        func diverge(_ field: String, _ expected: String, _ found: String, _ detail: String = "") -> Divergence {
            Divergence(batch: i, field: field, expected: expected, found: found, detail: detail)
        }
        guard i == nextBatch else { return diverge("batchIndex", String(nextBatch), String(i), "batches must be consecutive from 0") }
        let hash = Hash32(keccakOf: c.data)
        guard hash == b.dataHash else {
            return diverge("dataHash", b.dataHash.description, hash.description, "keccak256 of the batch data is not the hash L1 committed to")
        }
        let head = store.head.header
        guard c.firstBlock == head.number + 1 else {
            return diverge("commitment.firstBlock", String(head.number + 1), String(c.firstBlock), "the batch does not start after the previous one")
        }
        let blocks: [BatchCodec.Block]
        if let ready = prepared.blocks {
            blocks = ready
        } else {
            do { blocks = try BatchCodec.decode(c.data) } catch {
                return diverge("data", "decodable batch data", "\(error)")
            }
        }
        guard let first = blocks.first, let last = blocks.last, first.header.number == c.firstBlock else {
            return diverge("data.firstBlock", String(c.firstBlock), blocks.first.map { String($0.header.number) } ?? "none")
        }
        guard last.header.number == c.lastBlock else {
            return diverge("commitment.lastBlock", String(last.header.number), String(c.lastBlock), "the data's last block is not the committed one")
        }
        // Recovery dominates the cost: the whole batch on all cores (usually done ahead, while
        // the previous batch was applied), then application in order.
        let authenticated = prepared.authenticated ?? admission.authenticate(blocks.flatMap(\.transactions))
        var offset = 0
        var settlement = BatchSettlement()
        var recomputedLast = head
        for block in blocks {
            let txs = Array(authenticated[offset..<(offset + block.transactions.count)])
            offset += block.transactions.count
            switch try replay(block, authenticated: txs, batch: i, store: store) {
            case .diverged(let d): return d
            case .replayed(let sealed):
                try checkClaims(ClaimRef(method: L1Facts.Claim.ticket, reference: sealed.number), batch: i, block: sealed.number, store: store)
                settlement.add(credits: sealed.creditChanges)
                recomputedLast = sealed.header
                report.blocks += 1
                report.transactions += UInt64(sealed.transactions.count)
                report.inboxMessages += UInt64(sealed.inbox.count)
                onBlock?(sealed.number, sealed.transactions.count)
            }
        }
        let totals = store.totals
        report.headBlock = recomputedLast.number
        report.headHash = recomputedLast.hash
        report.stateRoot = recomputedLast.stateRoot
        report.totalCredit = totals.totalCredit
        report.totalBurned = totals.totalBurned
        report.totalDeposited = totals.totalDeposited
        // The commitment must state exactly what the recomputed batch ends in.
        if let d = CommitmentCheck.check(c, last: recomputedLast, settlementRoot: settlement.root, totals: totals) { return d }
        try checkClaims(ClaimRef(method: L1Facts.Claim.proof, reference: i), batch: i, block: c.lastBlock, store: store)
        checkOverdueInbox(batch: i, cursor: c.inboxCursor)
        return nil
    }

    /// Signer faults: every L1 claim referring to this point (a ticket for this block, or a
    /// proof against this batch, whose last block this is) may not exceed the replayed credit.
    private func checkClaims(_ ref: ClaimRef, batch: UInt64, block: UInt64, store: ChainStore) throws {
        for claim in claimsByRef[ref] ?? [] {
            let credit = try store.account(claim.account)?.credit ?? .zero
            guard claim.credit > credit else { continue }
            let how = claim.method == L1Facts.Claim.ticket ? "a Signer ticket for block \(block)" : "a proof against batch \(batch) (last block \(block))"
            report.faults.append(Fault(party: .signer, divergence: Divergence(
                batch: batch, block: block, field: "claim.credit", expected: "≤ \(credit)", found: claim.credit.description,
                detail: "Signer fault: \(claim.account.checksummed) claimed a cumulative credit of \(claim.credit) (paid \(claim.amount)) with \(how)"
                    + " in L1 tx \(claim.l1TxHash.hex) (L1 block \(claim.l1Block)); the replayed credit there is \(credit)")))
        }
    }

    /// Sequencer faults: the first inbox message a commit leaves out may not have waited on L1
    /// longer than the force-inclusion delay when the commit was made.
    private func checkOverdueInbox(batch: UInt64, cursor: UInt64) {
        guard let delay = facts.forceInclusionDelay, let committed = facts.commitTimes[batch],
              inbox.message(cursor) != nil, let appended = facts.inboxTimes[cursor],
              committed > appended, committed - appended > delay else { return }
        report.faults.append(Fault(party: .sequencer, divergence: Divergence(
            batch: batch, field: "inboxCursor", expected: "> \(cursor) (message \(cursor) is overdue)", found: String(cursor),
            detail: "sequencer fault: inbox message \(cursor) was appended on L1 at time \(appended), \(committed - appended) s before this batch's commit"
                + " at \(committed), more than the force-inclusion delay of \(delay) s, and the batch still leaves it out")))
    }
}

extension Hash32 {
    init(keccakOf data: Bytes) { self = try! Hash32(bytes: Keccak.hash256(data)) }
}
