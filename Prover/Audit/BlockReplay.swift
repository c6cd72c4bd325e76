import Core
import Sequencer

/// The checks of one block, in the order that names the root cause first: links (number,
/// parent, time), the inbox against L1, the Signer's signature, each transaction's signature,
/// then re-execution and every recomputed header field.
extension Replayer {
    enum BlockOutcome {
        case replayed(ExecutedBlock)
        case diverged(Divergence)
    }

    func replay(_ b: BatchCodec.Block, authenticated: [Result<L2Transaction, L2TxError>], batch: UInt64,
                store: ChainStore) throws -> BlockOutcome {
        let posted = b.header
        let parent = store.head.header
        func diverge(_ field: String, _ expected: String, _ found: String, tx: Int? = nil, _ detail: String = "") -> BlockOutcome {
            .diverged(Divergence(batch: batch, block: posted.number, tx: tx, field: field, expected: expected, found: found, detail: detail))
        }
        guard posted.number == parent.number + 1 else { return diverge("number", String(parent.number + 1), String(posted.number)) }
        guard posted.parentHash == parent.hash else {
            return diverge("parentHash", parent.hash.description, posted.parentHash.description, "not linked to the replayed block \(parent.number)")
        }
        guard posted.timestamp >= parent.timestamp else {
            return diverge("timestamp", "≥ \(parent.timestamp)", String(posted.timestamp), "block time went backwards")
        }
        if let l1 = facts.commitTimes[batch], posted.timestamp > l1 + facts.timestampSkew {
            return diverge("timestamp", "≤ \(l1 + facts.timestampSkew)", String(posted.timestamp),
                           "the block is dated after the L1 block that commits it (L1 time \(l1) + \(facts.timestampSkew) s allowed skew)")
        }
        if let d = checkInbox(b.inbox, cursor: store.inboxCursor, batch: batch, block: posted.number) { return .diverged(d) }
        // The same state-free check the poster ran before posting: the Signer's signature, then
        // each transaction's.
        let txs: [L2Transaction]
        switch SignedBlockCheck.check(b, signer: genesis.signer, authenticated: authenticated) {
        case .success(let t): txs = t
        case .failure(let f): return diverge(f.field, f.expected, f.found, tx: f.tx, f.detail)
        }
        var state = store.begin()
        var tree = store.tree
        let out: ExecutedBlock
        do {
            out = try producer.execute(parent: parent, timestamp: posted.timestamp, inbox: b.inbox, transactions: txs, state: &state, tree: &tree)
        } catch let e as StateTransition.Invalid {
            return diverge("conservation", "Σ balances + escrows + node deposits + credit + burned = deposited", "\(e)")
        }
        if let (tx, _) = out.dropped.first, let k = txs.firstIndex(where: { $0.hash == tx.hash }) {
            // The nonce the sender had at this point: committed, plus its earlier txs in this block.
            let base = try store.account(tx.sender)?.nonce ?? 0
            let expected = base + UInt64(txs[..<k].filter { $0.sender == tx.sender }.count)
            return diverge("nonce", String(expected), String(tx.nonce), tx: k,
                           "transaction from \(tx.sender.checksummed) is invalid for the state (a wrong nonce, or a signature that recovers to another account)")
        }
        guard state.totals.isConserved else {
            return diverge("conservation", "conserved totals", "\(state.totals)")
        }
        let mine = out.header
        let fields: [(String, String, String)] = [
            ("txCount", String(mine.txCount), String(posted.txCount)),
            ("txRoot", mine.txRoot.description, posted.txRoot.description),
            ("inboxCursor", String(mine.inboxCursor), String(posted.inboxCursor)),
            ("stateRoot", mine.stateRoot.description, posted.stateRoot.description),
            ("settlementRoot", mine.settlementRoot.description, posted.settlementRoot.description),
            ("hash", mine.hash.description, posted.hash.description),
        ]
        for (field, expected, found) in fields where expected != found {
            return diverge(field, expected, found, field == "settlementRoot" ? ticketDetail(out) : "")
        }
        // The header hash matches, and the Signer signed it: this is the posted block. Tickets
        // are not in the data; what any ticket signed for it may say is fixed by the settlement
        // leaves just compared. The scratch store keeps only state and tree: all the next
        // block needs.
        try store.commitState(out.header, state: state)
        return .replayed(out)
    }

    /// What the replayed block's credit changes are, for a settlementRoot divergence: the
    /// credits a posted root (and any ticket signed for it) may claim.
    func ticketDetail(_ block: ExecutedBlock) -> String {
        let list = block.creditChanges.map { "\($0.account.checksummed)=\($0.credit)" }.joined(separator: ", ")
        return "recomputed credits: " + (list.isEmpty ? "none changed" : list)
    }
    /// Inbox messages must continue at the cursor without gap or repeat, and each must be the
    /// L1 message of that index, field for field.
    func checkInbox(_ messages: [InboxMessage], cursor: UInt64, batch: UInt64, block: UInt64) -> Divergence? {
        for (k, m) in messages.enumerated() {
            let want = cursor + UInt64(k)
            func d(_ field: String, _ e: String, _ f: String, _ detail: String = "") -> Divergence {
                Divergence(batch: batch, block: block, field: "inbox[\(k)].\(field)", expected: e, found: f, detail: detail)
            }
            guard m.index == want else {
                return d("index", String(want), String(m.index), m.index < want ? "inbox message \(m.index) was already applied" : "inbox messages \(want)…\(m.index - 1) were skipped")
            }
            guard let l1 = inbox.message(m.index) else {
                return d("index", "< \(inbox.count) (L1 inbox length)", String(m.index), "no such message on L1")
            }
            if l1.kind != m.kind { return d("kind", "\(l1.kind)", "\(m.kind)") }
            if l1.account != m.account { return d("account", l1.account.checksummed, m.account.checksummed) }
            if l1.amount != m.amount { return d("amount", l1.amount.description, m.amount.description) }
            if l1.jobId != m.jobId { return d("jobId", l1.jobId.description, m.jobId.description) }
            if l1.l1Block != m.l1Block { return d("l1Block", String(l1.l1Block), String(m.l1Block)) }
        }
        return nil
    }
}
