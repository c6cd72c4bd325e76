import Core
import Sequencer

/// A follower's audit of one L1 batch (docs/AUDIT.md, "Followers"). A follower has already
/// verified every block it stored — the Signer's signature, each transaction's, re-execution
/// and every root (`BlockVerifier`) — so its store is a replay of the chain the leader served.
/// What is left to check is that L1 carries exactly that chain: the batch data decodes to the
/// very blocks the follower stored (same header, Signer signature, transactions and inbox
/// messages: anything else is a chain L1 was given and the followers were not), their inbox
/// messages are L1's own, and the commitment states what those blocks end in
/// (`CommitmentCheck`, as the replay compares it). Divergences are named as the replay names
/// them; `expected` is the follower's verified value or L1's record, `found` the batch's.
public enum StoredChainAudit {
    /// Checks batch `b`, which must start at `firstBlock` (the block after the previous
    /// batch), against `store`, which must hold every block of it; `inbox` is L1's inbox log
    /// (at least up to the messages the batch's blocks applied). Throws when the store cannot
    /// be read or misses a block of the batch.
    public static func check(_ b: ArchivedBatch, firstBlock: UInt64, store: ChainStore, inbox: InboxLog) throws -> Divergence? {
        let c = b.commitment
        let i = c.batchIndex
        func diverge(_ field: String, _ expected: String, _ found: String, block: UInt64? = nil, tx: Int? = nil,
                     _ detail: String = "") -> Divergence {
            Divergence(batch: i, block: block, tx: tx, field: field, expected: expected, found: found, detail: detail)
        }
        let hash = Hash32(keccakOf: c.data)
        guard hash == b.dataHash else {
            return diverge("dataHash", b.dataHash.description, hash.description, "keccak256 of the batch data is not the hash L1 committed to")
        }
        guard c.firstBlock == firstBlock else {
            return diverge("commitment.firstBlock", String(firstBlock), String(c.firstBlock), "the batch does not start after the previous one")
        }
        let posted: [BatchCodec.Block]
        do { posted = try BatchCodec.decode(c.data) } catch { return diverge("data", "decodable batch data", "\(error)") }
        guard let first = posted.first, first.header.number == c.firstBlock else {
            return diverge("data.firstBlock", String(c.firstBlock), posted.first.map { String($0.header.number) } ?? "none")
        }
        guard let lastPosted = posted.last, lastPosted.header.number == c.lastBlock else {
            return diverge("commitment.lastBlock", String(posted.last?.header.number ?? 0), String(c.lastBlock),
                           "the data's last block is not the committed one")
        }
        guard firstBlock >= 1, let before = try store.block(firstBlock - 1) else {
            throw ChainStore.Error.corrupt("block \(firstBlock - 1) is not in the store")
        }
        var cursor = before.header.inboxCursor
        var settlement = BatchSettlement()
        var last = before.header
        for (k, p) in posted.enumerated() {
            let n = c.firstBlock + UInt64(k)
            guard p.header.number == n else { return diverge("data.blocks", String(n), String(p.header.number), block: n, "blocks must be consecutive") }
            guard let mine = try store.block(n) else { throw ChainStore.Error.corrupt("block \(n) of batch \(i) is not in the store") }
            if let d = compare(p, with: mine, batch: i) { return d }
            if let d = inbox.check(mine.inbox, cursor: cursor, batch: i, block: n) { return d }
            cursor = mine.header.inboxCursor
            settlement.add(mine)
            last = mine.header
        }
        guard let totals = try store.totals(at: c.lastBlock) else { throw ChainStore.Error.corrupt("no totals for block \(c.lastBlock)") }
        return CommitmentCheck.check(c, last: last, settlementRoot: settlement.root, totals: totals)
    }

    /// The posted block must be the stored one, field for field.
    static func compare(_ p: BatchCodec.Block, with mine: SealedBlock, batch: UInt64) -> Divergence? {
        let n = mine.number
        let detail = "L1 carries another block \(n) than the one this follower verified and stored"
        func d(_ field: String, _ expected: String, _ found: String, tx: Int? = nil) -> Divergence {
            Divergence(batch: batch, block: n, tx: tx, field: field, expected: expected, found: found, detail: detail)
        }
        let (a, b) = (mine.header, p.header)
        let fields: [(String, String, String)] = [
            ("parentHash", a.parentHash.description, b.parentHash.description),
            ("timestamp", String(a.timestamp), String(b.timestamp)),
            ("txRoot", a.txRoot.description, b.txRoot.description),
            ("stateRoot", a.stateRoot.description, b.stateRoot.description),
            ("settlementRoot", a.settlementRoot.description, b.settlementRoot.description),
            ("inboxCursor", String(a.inboxCursor), String(b.inboxCursor)),
            ("txCount", String(a.txCount), String(b.txCount)),
            ("signature", mine.signature.hex, p.signature.hex),
            ("transactions", String(mine.transactions.count), String(p.transactions.count)),
            ("inbox", String(mine.inbox.count), String(p.inbox.count)),
        ]
        for (field, expected, found) in fields where expected != found { return d(field, expected, found) }
        for (k, (tx, env)) in zip(mine.transactions, p.transactions).enumerated() where tx.encoded != env.encoded {
            return d("tx", tx.encoded.hex, env.encoded.hex, tx: k)
        }
        for (k, (m, q)) in zip(mine.inbox, p.inbox).enumerated() where m != q {
            return d("inbox[\(k)]", "\(m)", "\(q)")
        }
        return nil
    }
}
