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
        if let d = inbox.check(b.inbox, cursor: store.inboxCursor, batch: batch, block: posted.number) { return .diverged(d) }
        // The same state-free check the poster ran before posting: the Signer's signature, then
        // each transaction's.
        let txs: [L2Transaction]
        switch SignedBlockCheck.check(b, signer: genesis.signer, authenticated: authenticated) {
        case .success(let t): txs = t
        case .failure(let f): return diverge(f.field, f.expected, f.found, tx: f.tx, f.detail)
        }
        // Re-execution and every recomputed header field: the check a follower runs too.
        let agreed: ReexecutionCheck.Agreed
        switch try ReexecutionCheck.run(posted: posted, inbox: b.inbox, transactions: txs, parent: parent, store: store, producer: producer) {
        case .success(let a): agreed = a
        case .failure(let f): return diverge(f.field, f.expected, f.found, tx: f.tx, f.detail)
        }
        let out = agreed.block
        // The header hash matches, and the Signer signed it: this is the posted block. Tickets
        // are not in the data; what any ticket signed for it may say is fixed by the settlement
        // leaves just compared. The scratch store keeps only state and tree: all the next
        // block needs.
        try store.commitState(out.header, state: agreed.state)
        return .replayed(out)
    }
}
