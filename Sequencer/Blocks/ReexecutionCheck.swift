import Core

/// Re-executes a block signed elsewhere and compares every header field it commits to with
/// the recomputed one. The auditor's replay (`Replayer`) and a follower (`BlockVerifier`) both
/// run it, so a block one of them accepts the other accepts too — and both run the same
/// `BlockProducer.execute` the sequencer sealed the block with. It signs nothing.
public enum ReexecutionCheck {
    /// The first field that differs. `expected` is always the recomputed value, `found` the
    /// block's.
    public struct Failure: Swift.Error, Equatable, Sendable {
        /// `txCount`, `txRoot`, `inboxCursor`, `stateRoot`, `settlementRoot`, `hash`, `nonce`
        /// or `conservation`.
        public let field: String
        /// The transaction's index in the block, for `nonce`.
        public let tx: Int?
        public let expected: String
        public let found: String
        public let detail: String
    }

    /// What re-execution produced, on the caller's state view and tree (not yet written).
    public struct Agreed {
        public let block: ExecutedBlock
        public let state: WorldState
    }

    /// Executes `inbox` then `transactions` (authenticated, in block order) after `parent`, on
    /// `store`'s state at `parent` (its head), at `posted.timestamp`, then compares. Throws only
    /// when the store cannot be read.
    public static func run(posted: BlockHeader, inbox: [InboxMessage], transactions: [L2Transaction], parent: BlockHeader,
                           store: ChainStore, producer: BlockProducer) throws -> Result<Agreed, Failure> {
        func fail(_ field: String, _ expected: String, _ found: String, tx: Int? = nil, _ detail: String = "") -> Result<Agreed, Failure> {
            .failure(Failure(field: field, tx: tx, expected: expected, found: found, detail: detail))
        }
        var state = store.begin()
        var tree = store.tree
        let out: ExecutedBlock
        do {
            out = try producer.execute(parent: parent, timestamp: posted.timestamp, inbox: inbox, transactions: transactions,
                                       state: &state, tree: &tree)
        } catch let e as StateTransition.Invalid {
            return fail("conservation", "Σ balances + escrows + node deposits + credit + burned = deposited", "\(e)")
        }
        if let (tx, _) = out.dropped.first, let k = transactions.firstIndex(where: { $0.hash == tx.hash }) {
            // The nonce the sender had at this point: committed, plus its earlier txs in this block.
            let base = try store.account(tx.sender)?.nonce ?? 0
            let expected = base + UInt64(transactions[..<k].filter { $0.sender == tx.sender }.count)
            return fail("nonce", String(expected), String(tx.nonce), tx: k,
                        "transaction from \(tx.sender.checksummed) is invalid for the state (a wrong nonce, or a signature that recovers to another account)")
        }
        guard state.totals.isConserved else { return fail("conservation", "conserved totals", "\(state.totals)") }
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
            return fail(field, expected, found, field == "settlementRoot" ? creditDetail(out) : "")
        }
        return .success(Agreed(block: out, state: state))
    }

    /// The recomputed credit changes, for a settlementRoot difference: the credits a posted
    /// root (and any ticket signed for it) may claim.
    static func creditDetail(_ block: ExecutedBlock) -> String {
        let list = block.creditChanges.map { "\($0.account.checksummed)=\($0.credit)" }.joined(separator: ", ")
        return "recomputed credits: " + (list.isEmpty ? "none changed" : list)
    }
}
