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
        var tree = SparseMerkleTree(store: InMemorySMTNodeStore())
        let root = try tree.update(Self.leaves(records: records, totals: totals))
        return Hash32(unchecked: root.bytes)
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
        guard head.number == 0 else { throw RestoreError.notFresh(head: head.number) }
        var tree = SparseMerkleTree(store: nodes)
        let root = Hash32(unchecked: try tree.update(Self.leaves(records: records, totals: totals)).bytes)
        guard root == header.stateRoot else {
            nodes.discardPending()
            throw RestoreError.rootMismatch(computed: root, header: header.stateRoot)
        }
        var batch = WriteBatch()
        _ = nodes.commit(into: &batch)
        for r in records { batch.put("state", r.key, r.value) }
        batch.put("meta", Self.totalsKey, StateEncoding.encode(totals))
        batch.put("meta", Self.cursorKey, header.inboxCursor.bigEndian8)
        try write(batch, sync: false)
        nodes.didWrite()
        head = SealedBlockHeaderInfo(header: header)
        self.totals = totals
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
