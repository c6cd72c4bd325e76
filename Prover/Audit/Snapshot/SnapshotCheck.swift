import Bridge
import Core
import Sequencer

/// Whether a snapshot may stand in for replaying its batches: it is for this chain, it is the
/// state L1 committed for its batch (header hash, state root, inbox cursor, totals — and the
/// records really hash to that root), and the batch is final. Everything is checked before
/// any store is made, so a refused snapshot changes nothing.
public enum SnapshotCheck {
    public enum Refusal: Swift.Error, Equatable, CustomStringConvertible {
        case wrongChain(field: String, snapshot: String, expected: String)
        case noSuchBatch(UInt64)
        case mismatch(batch: UInt64, field: String, snapshot: String, l1: String)
        case rootMismatch(batch: UInt64, records: Hash32, committed: Hash32)
        case notFinal(UInt64)

        public var description: String {
            switch self {
            case .wrongChain(let f, let s, let e):
                return "refused: the snapshot is for another chain: its \(f) is \(s), this chain's is \(e)"
            case .noSuchBatch(let b): return "refused: the snapshot is at batch \(b), which is not a live batch on L1"
            case .mismatch(let b, let f, let s, let l):
                return "refused: the snapshot does not match batch \(b) on L1: its \(f) is \(s), L1 committed \(l)"
            case .rootMismatch(let b, let r, let c):
                return "refused: the snapshot's records hash to state root \(r), but batch \(b) committed \(c) on L1"
            case .notFinal(let b):
                return "refused: batch \(b) is not final on L1 (its challenge period has not passed): only a final batch's state may be trusted"
            }
        }
    }

    /// Checks `s` against `genesis` and the L1 commitment of its batch, and recomputes the
    /// state root from its records. Finality is the caller's to check (`requireFinal`).
    /// Returns the tree it built, whose nodes the replay store then takes as they are
    /// (`Replayer(…resumingFrom:checked:)`): the tree is built once.
    @discardableResult
    public static func check(_ s: StateSnapshot, genesis: Genesis, batch b: ArchivedBatch) throws -> BuiltState {
        if s.chainId != genesis.chainId {
            throw Refusal.wrongChain(field: "chainId", snapshot: s.chainId.description, expected: genesis.chainId.description)
        }
        if s.rollup != genesis.rollup {
            throw Refusal.wrongChain(field: "rollup", snapshot: s.rollup.checksummed, expected: genesis.rollup.checksummed)
        }
        let g = StateSnapshot.hash(of: genesis)
        if s.genesisHash != g { throw Refusal.wrongChain(field: "genesis hash", snapshot: s.genesisHash.description, expected: g.description) }
        let c = b.commitment
        let fields: [(String, String, String)] = [
            ("batch index", String(s.batchIndex), String(c.batchIndex)),
            ("last block", String(s.header.number), String(c.lastBlock)),
            ("state root", s.header.stateRoot.description, c.stateRoot.description),
            ("last block hash", s.header.hash.description, c.lastBlockHash.description),
            ("inbox cursor", String(s.header.inboxCursor), String(c.inboxCursor)),
            ("totalCredit", s.totals.totalCredit.description, c.totalCredit.description),
            ("totalBurned", s.totals.totalBurned.description, c.totalBurned.description),
        ]
        for (field, mine, l1) in fields where mine != l1 {
            throw Refusal.mismatch(batch: s.batchIndex, field: field, snapshot: mine, l1: l1)
        }
        let built = try BuiltState(records: s.records.map { ($0.key, $0.value) }, totals: s.totals)
        if built.root != c.stateRoot { throw Refusal.rootMismatch(batch: s.batchIndex, records: built.root, committed: c.stateRoot) }
        return built
    }

    /// The batch must be final on L1: until then a challenge may revert it and the state.
    public static func requireFinal(_ batch: UInt64, rollup: RollupContract) async throws {
        guard try await rollup.isFinal(batch) else { throw Refusal.notFinal(batch) }
    }
}

extension StateSnapshot {
    /// The state of `replayer` after its last agreed batch (which must be `batchIndex`).
    public init(replayer: Replayer, batchIndex: UInt64) throws {
        guard let store = replayer.state, replayer.report.ok, replayer.nextBatch == batchIndex + 1 else {
            throw StateSnapshot.Error.corrupt("the replay did not end cleanly at batch \(batchIndex)")
        }
        self.init(genesis: replayer.genesis, batchIndex: batchIndex, header: store.head.header, totals: store.totals,
                  records: try store.stateRecords().map { Record(key: $0.key, value: $0.value) })
    }
}

extension Replayer {
    /// A replayer that continues after `snapshot`'s batch, its store loaded from the snapshot.
    /// Check the snapshot first (`SnapshotCheck`) and pass the tree the check built as
    /// `checked`, so that its nodes are written as they are; without it the tree is built
    /// here. This only refuses records that do not hash to the snapshot header's own root.
    public convenience init(genesis: Genesis, inbox: InboxLog, resumingFrom snapshot: StateSnapshot, checked: BuiltState? = nil,
                            workDirectory: String? = nil) throws {
        let built = try checked ?? BuiltState(records: snapshot.records.map { ($0.key, $0.value) }, totals: snapshot.totals)
        try self.init(genesis: genesis, inbox: inbox, workDirectory: workDirectory)
        do {
            try state!.restoreState(header: snapshot.header, state: built)
        } catch {
            close()
            throw error
        }
        nextBatch = snapshot.batchIndex + 1
    }
}
