import Core

/// Executes a block's contents on a state: inbox messages first (in index order), then the
/// transactions. The sequencer runs this to build a block and the auditor runs it to check
/// one, so both derive receipts and state changes from the same code.
public struct BlockExecutor: Sendable {
    public let stf: StateTransition

    public init(stf: StateTransition) { self.stf = stf }

    public struct Execution: Sendable {
        /// The transactions that entered the block, in order, with their receipts.
        public var included: [L2Transaction] = []
        public var receipts: [TxReceipt] = []
        /// Transactions refused because they were invalid for this state (wrong nonce); the
        /// sequencer drops them, the auditor treats any as a divergence.
        public var dropped: [(L2Transaction, StateTransition.Invalid)] = []
        public var inboxFailures: [FailureCode?] = []
        /// Accounts whose credit changed, with the new credit: the settlement leaves and tickets.
        public var creditChanges: [(Address, UInt256)] = []
    }

    public func execute(inbox: [InboxMessage], transactions: [L2Transaction], time: UInt64,
                        on state: inout WorldState) throws -> Execution {
        var out = Execution()
        for m in inbox { out.inboxFailures.append(try stf.apply(m, time: time, to: &state)) }
        for tx in transactions {
            do {
                let failure = try stf.apply(tx, time: time, to: &state)
                out.receipts.append(TxReceipt(hash: tx.hash, index: UInt32(out.included.count), failure: failure))
                out.included.append(tx)
            } catch let invalid as StateTransition.Invalid {
                if case .conservationViolated = invalid { throw invalid }
                out.dropped.append((tx, invalid))
            }
        }
        try stf.checkConservation(state, after: "block at time \(time)")
        for a in state.changedAccounts {
            let before = try state.baseAccount(a)?.credit ?? .zero
            let after = try state.account(a).credit
            if after != before { out.creditChanges.append((a, after)) }
        }
        return out
    }
}
