import Core

/// Executes blocks: runs a block's inbox messages and transactions, commits the changes to
/// the state tree and computes the three roots and the header. It signs nothing: the
/// sequencer hands the result to its `Signer` (`Signer.seal`), while the auditor, a rollback
/// and any replay compare it with a block signed earlier and need no key. Pure apart from the
/// tree's node store.
public struct BlockProducer: Sendable {
    public let executor: BlockExecutor

    public init(stf: StateTransition) {
        self.executor = BlockExecutor(stf: stf)
    }

    /// Executes the block after `parent`. `state` must sit on the parent's committed state and
    /// `tree` must have the parent's state root; both are advanced to the new block.
    public func execute(parent: BlockHeader, timestamp: UInt64, inbox: [InboxMessage], transactions: [L2Transaction],
                        state: inout WorldState, tree: inout SparseMerkleTree) throws -> ExecutedBlock {
        let time = max(timestamp, parent.timestamp)
        let run = try executor.execute(inbox: inbox, transactions: transactions, time: time, on: &state)
        let stateRoot = try Self.commit(state, to: &tree)
        let txRoot = OrderedMerkleTree.root(run.included.map(\.hash.bytes))
        let settlement = StandardMerkleTree(settlements: run.creditChanges.map { (account: $0.0, credit: $0.1) })
        let header = BlockHeader(number: parent.number + 1, parentHash: parent.hash, timestamp: time,
                                 txRoot: Hash32(unchecked: txRoot), stateRoot: Hash32(unchecked: stateRoot.bytes),
                                 settlementRoot: Hash32(unchecked: settlement.root), inboxCursor: state.inboxCursor,
                                 txCount: UInt64(run.included.count))
        return ExecutedBlock(header: header, inbox: inbox, inboxFailures: run.inboxFailures, transactions: run.included,
                             receipts: run.receipts, creditChanges: run.creditChanges.map { (account: $0.0, credit: $0.1) },
                             dropped: run.dropped)
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
