import Core

/// Loading a state snapshot into a fresh store: the auditor resumes a replay from a verified
/// snapshot (`emeth audit replay --from-snapshot`) instead of re-executing from genesis.
extension ChainStore {
    public enum RestoreError: Swift.Error, Equatable, CustomStringConvertible {
        case notFresh(head: UInt64)
        case rootMismatch(computed: Hash32, header: Hash32)

        public var description: String {
            switch self {
            case .notFresh(let h): return "a snapshot can only be loaded into a store at genesis (this one is at block \(h))"
            case .rootMismatch(let c, let h): return "the snapshot's records hash to state root \(c), its header says \(h)"
            }
        }
    }

    /// The state root of `records` (tree key → encoded record, as in the `state` family) and
    /// `totals`, computed in memory: the same leaves `verifyHeadStateRoot` hashes.
    public static func stateRoot(records: [(key: Bytes, value: Bytes)], totals: Totals) throws -> Hash32 {
        try BuiltState(records: records, totals: totals).root
    }

    static func leaves(records: [(key: Bytes, value: Bytes)], totals: Totals) throws -> [SMTChange] {
        var changes = try records.map { SMTChange(key: try SMTHash($0.key), valueHash: StateTreeKey.valueHash(ofRecord: $0.value)) }
        changes.append(SMTChange(key: StateEncoding.totalsKey, valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(totals))))
        return changes
    }

    /// Replaces the genesis state of a freshly created store with `records` and `totals` at
    /// `header`'s block: records, tree nodes, totals and inbox cursor, like a replay's
    /// `commitState` (no block is stored, so the store is a scratch copy that cannot be
    /// reopened). Refuses, writing nothing, unless the store is at genesis and the records
    /// hash to `header.stateRoot`.
    public func restoreState(header: BlockHeader, totals: Totals, records: [(key: Bytes, value: Bytes)]) throws {
        try restoreState(header: header, state: BuiltState(records: records, totals: totals))
    }

    /// The same with the tree already built (and its root already compared with L1 by the
    /// caller): its nodes are written as they are (`RocksDBNodeStore.bulkLoad`), not built a
    /// second time through the store. Refuses, writing nothing, unless the store is at genesis
    /// and `state`'s root is `header.stateRoot`.
    public func restoreState(header: BlockHeader, state: BuiltState) throws {
        guard head.number == 0 else { throw RestoreError.notFresh(head: head.number) }
        guard state.root == header.stateRoot else { throw RestoreError.rootMismatch(computed: state.root, header: header.stateRoot) }
        var batch = WriteBatch()
        nodes.bulkLoad(state.nodes, into: &batch)
        for r in state.records { batch.put("state", r.key, r.value) }
        batch.put("meta", Self.totalsKey, StateEncoding.encode(state.totals))
        batch.put("meta", Self.cursorKey, header.inboxCursor.bigEndian8)
        try write(batch, sync: false)
        head = SealedBlockHeaderInfo(header: header)
        self.totals = state.totals
        inboxCursor = header.inboxCursor
    }

    /// Every state record (tree key → encoded record, ascending by key): what a snapshot holds
    /// besides the header and totals.
    public func stateRecords() throws -> [(key: Bytes, value: Bytes)] {
        var out: [(key: Bytes, value: Bytes)] = []
        try db.forEach("state") { key, value in
            out.append((key, value))
            return true
        }
        return out
    }
}

/// State records and totals with the state tree built from them in memory (every node, from an
/// empty tree): what a snapshot's loader hashes once to compare the root with L1 and then
/// writes into the replay store as it is (`ChainStore.restoreState(header:state:)`). Made only
/// from records, so its nodes are always the tree of its own records.
public struct BuiltState: Sendable {
    public let records: [(key: Bytes, value: Bytes)]
    public let totals: Totals
    public let root: Hash32
    /// Every node of the tree (with its depth and place), as the update made them.
    let nodes: [SMTNewNode]

    public init(records: [(key: Bytes, value: Bytes)], totals: Totals) throws {
        let collected = CollectedNodes()
        var tree = SparseMerkleTree(store: collected)
        let root = try tree.update(ChainStore.leaves(records: records, totals: totals))
        self.records = records
        self.totals = totals
        self.root = Hash32(unchecked: root.bytes)
        nodes = collected.nodes
    }

    /// Nodes in the tree (leaves and branches).
    public var nodeCount: Int { nodes.count }
}

/// The node store of a tree built from empty: an update from the empty root reads nothing, so
/// this only keeps what it writes, in the order written (no map from hash to node to build).
/// Reads (none from an update on the empty tree) search what was written.
final class CollectedNodes: SMTNodeStore, Sendable {
    private let written = LockedValue<[SMTNewNode]>([])

    var nodes: [SMTNewNode] { written.value }

    func node(_ hash: SMTHash) -> SMTNode? {
        written.withLock { w in w.first { $0.hash == hash }?.node }
    }

    func put(_ nodes: [(hash: SMTHash, node: SMTNode)]) {
        record(SMTNodeUpdate(written: nodes.map { SMTNewNode(hash: $0.hash, node: $0.node, depth: Int.max) }, superseded: []))
    }

    func record(_ update: SMTNodeUpdate) {
        written.withLock { w in
            if w.isEmpty { w = update.written } else { w.append(contentsOf: update.written) }
        }
    }
}
