import Core

/// Seals blocks: executes a block's inbox messages and transactions, commits the changes to
/// the state tree, computes the three roots, and has the Signer sign the header and issue
/// tickets. Pure apart from the tree's node store, so the auditor can run the same steps.
public struct BlockProducer: Sendable {
    public let executor: BlockExecutor
    public let signer: Signer

    public init(stf: StateTransition, signer: Signer) {
        self.executor = BlockExecutor(stf: stf)
        self.signer = signer
    }

    public struct Output: Sendable {
        public let block: SealedBlock
        /// Transactions refused as invalid for this state (wrong nonce); not in the block.
        public let dropped: [L2Transaction]
    }

    /// Seals the block after `parent`. `state` must sit on the parent's committed state and
    /// `tree` must have the parent's state root; both are advanced to the new block.
    public func produce(parent: BlockHeader, timestamp: UInt64, inbox: [InboxMessage], transactions: [L2Transaction],
                        state: inout WorldState, tree: inout SparseMerkleTree) throws -> Output {
        let time = max(timestamp, parent.timestamp)
        let run = try executor.execute(inbox: inbox, transactions: transactions, time: time, on: &state)
        let stateRoot = try Self.commit(state, to: &tree)
        let txRoot = OrderedMerkleTree.root(run.included.map(\.hash.bytes))
        let settlement = StandardMerkleTree(settlements: run.creditChanges.map { (account: $0.0, credit: $0.1) })
        let header = BlockHeader(number: parent.number + 1, parentHash: parent.hash, timestamp: time,
                                 txRoot: Hash32(unchecked: txRoot), stateRoot: Hash32(unchecked: stateRoot.bytes),
                                 settlementRoot: Hash32(unchecked: settlement.root), inboxCursor: state.inboxCursor,
                                 txCount: UInt64(run.included.count))
        let tickets = run.creditChanges.map { signer.ticket(account: $0.0, credit: $0.1, blockNumber: header.number) }
        let block = SealedBlock(header: header, signature: signer.signBlock(header.hash), inbox: inbox,
                                inboxFailures: run.inboxFailures, transactions: run.included, receipts: run.receipts,
                                tickets: tickets)
        return Output(block: block, dropped: run.dropped.map(\.0))
    }

    /// Writes the block's changed records into the state tree (sorted, so the node writes are
    /// deterministic) and returns the new root. Empty accounts leave the tree.
    public static func commit(_ state: WorldState, to tree: inout SparseMerkleTree) throws -> SMTHash {
        var changes: [SMTChange] = []
        for a in state.changedAccounts {
            let acc = try state.account(a)
            changes.append(SMTChange(key: StateEncoding.accountKey(a),
                                     valueHash: acc.isEmpty ? nil : StateTreeKey.valueHash(ofRecord: StateEncoding.encode(acc))))
        }
        for id in state.changedJobs {
            guard let job = try state.job(id) else { continue }
            changes.append(SMTChange(key: StateEncoding.jobKey(id), valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(job))))
        }
        changes.append(SMTChange(key: StateEncoding.totalsKey, valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(state.totals))))
        return try tree.update(changes)
    }

    /// Block 0: the empty state with its totals leaf.
    public static func genesis(_ g: Genesis, tree: inout SparseMerkleTree) throws -> BlockHeader {
        let root = try tree.update([SMTChange(key: StateEncoding.totalsKey,
                                              valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(Totals())))])
        return BlockHeader(number: 0, parentHash: .zero, timestamp: g.timestamp, txRoot: .zero,
                           stateRoot: Hash32(unchecked: root.bytes), settlementRoot: .zero, inboxCursor: 0, txCount: 0)
    }
}
