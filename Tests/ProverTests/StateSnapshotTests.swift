import Core
import Foundation
import Prover
import Sequencer
import Testing

/// Snapshots of the replayed state (docs/SNAPSHOT.md) on the in-process audit history
/// (`AuditLocalChain`: 4 batches, blocks 1–8): the roots are the sequencer's own, a resumed
/// replay ends where a full one does, and every damaged or foreign snapshot is refused before
/// any store is made.
@Suite(.serialized) struct StateSnapshotTests {
    var c: AuditLocalChain { AuditReplayTests.chain }
    var source: ListSource { ListSource(c.batches, inbox: c.inbox) }

    /// The snapshot after batch 1 (blocks 3–4), taken from a replay.
    func snapshot(at batch: UInt64 = 1) async throws -> StateSnapshot {
        let r = try await Audit.replayKeeping(source, genesis: c.genesis, toBatch: batch)
        defer { r.close() }
        return try StateSnapshot(replayer: r, batchIndex: batch)
    }

    /// A fresh, empty work directory: a refused snapshot must leave it empty.
    func workDirectory() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-snapshot-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func aSnapshotHoldsTheSequencersStateAtItsBatch() async throws {
        let s = try await snapshot()
        // The sequencer sealed block 4 with this header; the snapshot's is the replay's.
        #expect(s.header == c.blocks[3].header)
        #expect(s.header.hash == c.batches[1].commitment.lastBlockHash)
        #expect(s.header.stateRoot == c.batches[1].commitment.stateRoot)
        #expect(s.batchIndex == 1 && s.chainId == c.genesis.chainId && s.rollup == c.genesis.rollup)
        // The records hash to the sequencer's root (recomputed in memory, not read from the header).
        #expect(try ChainStore.stateRoot(records: s.records.map { ($0.key, $0.value) }, totals: s.totals) == c.blocks[3].header.stateRoot)
        #expect(s.records.map(\.key) == s.records.map(\.key).sorted { $0.lexicographicallyPrecedes($1) })
        for compression in [StateSnapshot.Compression.none, .zstd] {
            let bytes = try s.encoded(compression: compression)
            #expect(Array(bytes.prefix(11)) == Array("EMETHSNP".utf8) + [0, 1, compression.rawValue])
            #expect(Array(bytes.suffix(32)) == Keccak.hash256(Array(bytes.dropLast(32))))
            #expect(try StateSnapshot(decoding: bytes) == s)
        }
        // Uncompressed: the fixed part (567 bytes), 36 bytes of key and length per record, the
        // records, the checksum.
        let raw = try s.encoded(compression: .none)
        #expect(raw.count == 567 + s.records.reduce(0) { $0 + 36 + $1.value.count } + 32)
    }

    @Test func aReplayFromASnapshotEndsWhereAFullReplayEnds() async throws {
        let full = try await Audit.replay(source, genesis: c.genesis)
        let s = try StateSnapshot(decoding: try await snapshot().encoded())
        let resumed = try await Audit.replay(source, genesis: c.genesis, snapshot: s)
        #expect(resumed.ok)
        #expect(resumed.batches == 2 && resumed.firstBatch == 2 && resumed.lastBatch == 3 && resumed.blocks == 4)
        #expect(resumed.headBlock == 8 && full.headBlock == 8)
        #expect(resumed.headHash == c.store.head.header.hash && full.headHash == resumed.headHash)
        #expect(resumed.stateRoot == c.store.head.header.stateRoot && full.stateRoot == resumed.stateRoot)
        #expect(resumed.totalCredit == full.totalCredit && resumed.totalBurned == full.totalBurned)
        #expect(resumed.totalDeposited == UInt256(407) * AuditLocalChain.emt)
    }

    @Test func aLieAfterTheSnapshotIsStillCaught() async throws {
        // The same checks as a full replay: batch 2 with a wrong committed state root.
        let wrong = try Hash32(bytes: Bytes(repeating: 7, count: 32))
        let lying = try c.rebuilt(2, try c.decoded(2)) { $0.stateRoot = wrong }
        let r = try await Audit.replay(ListSource(lying, inbox: c.inbox), genesis: c.genesis, snapshot: try await snapshot())
        let d = try #require(r.divergence)
        #expect(d.batch == 2 && d.field == "commitment.stateRoot" && d.expected == c.blocks[5].header.stateRoot.description)
    }

    @Test func aTamperedRecordIsRefusedAndNothingIsBuilt() async throws {
        var s = try await snapshot()
        let k = try #require(s.records.firstIndex { $0.value.count == 96 })   // an account: balance is its first word
        s.records[k].value[31] ^= 1
        // A well-formed file (its checksum recomputed) whose records are not the committed state.
        let tampered = try StateSnapshot(decoding: try s.encoded())
        let tamperedRoot = try ChainStore.stateRoot(records: tampered.records.map { ($0.key, $0.value) }, totals: tampered.totals)
        #expect(tamperedRoot != c.batches[1].commitment.stateRoot)
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        await #expect(throws: SnapshotCheck.Refusal.rootMismatch(batch: 1, records: tamperedRoot, committed: c.batches[1].commitment.stateRoot)) {
            try await Audit.replay(source, genesis: c.genesis, workDirectory: work, snapshot: tampered)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).isEmpty)
        // The store refuses such records on its own too, writing nothing.
        let store = try ChainStore(path: work + "/chain", genesis: c.genesis)
        defer { store.db.close() }
        let genesisNodes = try store.db.entries(.smt)
        #expect(throws: ChainStore.RestoreError.rootMismatch(computed: tamperedRoot, header: s.header.stateRoot)) {
            try store.restoreState(header: s.header, totals: s.totals, records: s.records.map { ($0.key, $0.value) })
        }
        // Built elsewhere and handed over whole: refused the same way, not a node written.
        let built = try BuiltState(records: s.records.map { ($0.key, $0.value) }, totals: s.totals)
        #expect(throws: ChainStore.RestoreError.rootMismatch(computed: tamperedRoot, header: s.header.stateRoot)) {
            try store.restoreState(header: s.header, state: built)
        }
        #expect(try store.head.number == 0 && store.stateRecords().isEmpty && store.totals == Totals())
        #expect(try store.db.entries(.smt) == genesisNodes)
    }

    @Test func aLoadedStoreIsTheReplayedStoreAndStaysItAfterMoreBatches() async throws {
        let s = try await snapshot()
        let checked = try SnapshotCheck.check(s, genesis: c.genesis, batch: c.batches[1])
        #expect(checked.root == c.batches[1].commitment.stateRoot && checked.records.count == s.records.count)
        // Loaded from the checked tree, against the store a replay from genesis built.
        let replayed = try await Audit.replayKeeping(source, genesis: c.genesis, toBatch: 1)
        defer { replayed.close() }
        let loaded = try Replayer(genesis: c.genesis, inbox: try InboxLog(c.inbox), resumingFrom: s, checked: checked)
        defer { loaded.close() }
        let l = try #require(loaded.state)
        try Self.expectSameState(l, try #require(replayed.state))
        #expect(l.nodes.diskReads > 0)   // the loaded nodes were read back from RocksDB
        // Only onto a fresh store: a second load is refused and changes nothing.
        let nodesBefore = try l.db.entries(.smt)
        #expect(throws: ChainStore.RestoreError.notFresh(head: 4)) { try l.restoreState(header: s.header, state: checked) }
        #expect(try l.db.entries(.smt) == nodesBefore)

        // Batches 2 and 3 on top: the same store as the full replay's.
        let full = try await Audit.replayKeeping(source, genesis: c.genesis)
        defer { full.close() }
        let resumed = try await Audit.replayKeeping(source, genesis: c.genesis, snapshot: s)
        defer { resumed.close() }
        #expect(resumed.report.ok && resumed.report.headBlock == 8 && resumed.report.firstBatch == 2)
        try Self.expectSameState(try #require(resumed.state), try #require(full.state))
        #expect(resumed.state!.head.header == c.store.head.header)
    }

    /// Same head, totals, inbox cursor, records, root, and a proof of every key (and of one no
    /// record has) identical.
    static func expectSameState(_ a: ChainStore, _ b: ChainStore) throws {
        #expect(a.head.header == b.head.header && a.totals == b.totals && a.inboxCursor == b.inboxCursor)
        #expect(a.tree.root == b.tree.root)
        let (ra, rb) = (try a.stateRecords(), try b.stateRecords())
        #expect(!ra.isEmpty && ra.map(\.key) == rb.map(\.key) && ra.map(\.value) == rb.map(\.value))
        let keys = try ra.map { try SMTHash($0.key) } + [StateTreeKey.totals, try SMTHash(Bytes(repeating: 0xAB, count: 32))]
        for k in keys {
            let p = try a.tree.proof(k)
            #expect(p == (try b.tree.proof(k)))
            #expect(p.verify(root: a.tree.root, key: k, valueHash: try a.tree.get(k)))
        }
    }

    @Test func aFlippedByteIsACorruptFile() async throws {
        var bytes = try await snapshot().encoded(compression: .none)
        bytes[600] ^= 1
        let body = Array(bytes.dropLast(32))
        #expect(throws: StateSnapshot.Error.checksum(stored: try Hash32(bytes: Array(bytes.suffix(32))), computed: try Hash32(bytes: Keccak.hash256(body)))) {
            try StateSnapshot(decoding: bytes)
        }
    }

    @Test func aTruncatedFileIsRefused() async throws {
        let bytes = try await snapshot().encoded()
        #expect(throws: StateSnapshot.Error.truncated(size: bytes.count - 1, needed: bytes.count)) {
            try StateSnapshot(decoding: Array(bytes.dropLast()))
        }
        #expect(throws: StateSnapshot.Error.truncated(size: 300, needed: 599)) { try StateSnapshot(decoding: Array(bytes.prefix(300))) }
        #expect(throws: StateSnapshot.Error.notASnapshot) { try StateSnapshot(decoding: Array("EMETHSNQ".utf8) + Array(bytes.dropFirst(8))) }
    }

    @Test func aSnapshotOfAnotherChainOrBatchIsRefused() async throws {
        let s = try await snapshot()
        var other = c.genesis
        other.chainId = UInt256(1)
        await #expect(throws: SnapshotCheck.Refusal.wrongChain(field: "chainId", snapshot: "31337", expected: "1")) {
            try await Audit.replay(source, genesis: other, snapshot: s)
        }
        // Presented as batch 2's state: L1 committed another last block there.
        var moved = s
        moved.batchIndex = 2
        await #expect(throws: SnapshotCheck.Refusal.mismatch(batch: 2, field: "last block", snapshot: "4", l1: "6")) {
            try await Audit.replay(source, genesis: c.genesis, snapshot: moved)
        }
        moved.batchIndex = 9
        await #expect(throws: SnapshotCheck.Refusal.noSuchBatch(9)) { try await Audit.replay(source, genesis: c.genesis, snapshot: moved) }
    }
}
