import Bridge
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The auditor against a real rollup on the local L1: batches posted by `BatchPoster` replay
/// from L1 and from their export; a batch with a false commitment, posted with the sequencer
/// key, is found by `emeth audit replay --challenge`, which has the guardian revert it.
@Suite(.serialized) struct AuditDevnetTests {
    typealias F = BridgeFixture

    func history(_ f: F) -> L1History { L1History(rollup: f.rollup, fromBlock: f.deployment.block) }

    func postHonest(_ f: F, blocks: Int, maxBlocks: UInt64 = 2) async throws {
        try await f.depositAll(UInt256(100) * F.emt)
        try await f.sealBlocks(blocks)
        let store = try BridgeStore(path: f.bridgeDir)
        try await f.postAll(try f.poster(store, try f.txManager(store), maxBlocks: maxBlocks))
    }

    @Test func aPostedHistoryReplaysFromL1AndFromItsResumableExport() async throws {
        let f = try await F()
        try await postHonest(f, blocks: 5)
        let chain = try f.openEngine().store
        #expect(try await f.rollup.batchCount() == 3)

        let source = try await L1Source.open(history(f))
        #expect(source.commits.map(\.batchIndex) == [0, 1, 2])
        let fromL1 = try await Audit.replay(source, genesis: f.genesis)
        #expect(fromL1.divergence == nil)
        #expect(fromL1.batches == 3 && fromL1.blocks == 5 && fromL1.transactions == 30 && fromL1.inboxMessages == 3)
        #expect(fromL1.headHash == chain.head.header.hash && fromL1.stateRoot == chain.head.header.stateRoot)
        #expect(fromL1.totalCredit == chain.totals.totalCredit && fromL1.totalDeposited == UInt256(300) * F.emt)

        let dir = f.dir + "/archive"
        let archive = try BatchArchive(directory: dir)
        let first = try await ArchiveExporter(archive: archive).exportFromL1(history(f), deployment: f.deployment)
        #expect(first.written == [0, 1, 2] && first.skipped == [] && first.inboxMessages == 3)
        let b1 = try archive.read(1)
        #expect(b1.commitment.firstBlock == 3 && b1.commitment.lastBlock == 4 && b1.l1Block > f.deployment.block)
        #expect(b1.dataHash == Hash32(bytesOrZero: Keccak.hash256(b1.commitment.data)))
        #expect(try archive.readIndex().source == "l1" && archive.readIndex().deployment == f.deployment.json)
        let again = try await ArchiveExporter(archive: archive).exportFromL1(history(f), deployment: f.deployment)
        #expect(again.written == [] && again.skipped == [0, 1, 2])

        let fromArchive = try await Audit.replay(ArchiveSource(archive), genesis: f.genesis)
        #expect(fromArchive.ok && fromArchive.blocks == 5 && fromArchive.headHash == fromL1.headHash)
    }

    @Test func aFalseCommitmentOnL1IsChallengedByTheCLIAndReverted() async throws {
        let f = try await F(challengePeriod: 3_600)
        try await postHonest(f, blocks: 4)               // batches 0 (1–2) and 1 (3–4)
        let e = try f.openEngine()
        try await f.sealBlocks(2)                        // blocks 5–6, posted by hand below
        let g = f.genesis
        let honest = try BatchAssembler(chainId: g.chainId, rollup: g.rollup, signer: g.signer).commitment(index: 2, blocks: 5...6, store: e.store)
        let lie = try Hash32(bytes: Keccak.hash256(Array("not the state".utf8)))
        let bad = BatchCommitment(batchIndex: 2, firstBlock: 5, lastBlock: 6, lastBlockHash: honest.lastBlockHash, stateRoot: lie,
                                  settlementRoot: honest.settlementRoot, totalCredit: honest.totalCredit, totalBurned: honest.totalBurned,
                                  inboxCursor: honest.inboxCursor, data: honest.data)
        try await f.l1(f.sequencer).send(to: f.deployment.rollup, data: bad.calldata, what: "commitBatch")
        #expect(try await f.rollup.batchCount() == 3)

        let found = try await Audit.replay(try await L1Source.open(history(f)), genesis: g)
        let d = try #require(found.divergence)
        #expect(d.batch == 2 && d.block == nil && d.tx == nil && d.field == "commitment.stateRoot")
        #expect(d.expected == honest.stateRoot.description && d.found == lie.description)

        // The CLI, with the guardian key, finds the same and challenges batch 2.
        f.closeEngine()
        let report = f.dir + "/report.json"
        let run = try AuditCLI.run(["audit", "replay", "--l1", f.devnet.url.absoluteString, "--deployment", f.dir + "/deployment.json",
                                    "--genesis", f.dir + "/genesis.json", "--challenge", "--json", report],
                                   env: ["EMETH_PRIVATE_KEY": BridgeKeyHex.guardian])
        #expect(run.status == 1)
        #expect(run.stdout.contains("DIVERGENCE at batch 2: commitment.stateRoot"))
        #expect(run.stdout.contains("challenged batch 2"))
        let json = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: report)))
        #expect(json["ok"] == .bool(false) && json["divergence"]?["field"] == .string("commitment.stateRoot"))
        #expect(try await f.rollup.batchCount() == 2)
        let reverted = try await f.eth.logs(address: f.deployment.rollup, topics: [[RollupContract.batchRevertedEvent.topic0]],
                                            from: .number(f.deployment.block), to: .latest)
        #expect(reverted.count == 1)
        let v = try RollupContract.batchRevertedEvent.decodeLog(topics: reverted[0].topics, data: reverted[0].data)
        #expect(v[0].uintValue == UInt256(2) && v[1].uintValue == UInt256(2) && v[2].addressValue == f.guardian.address)

        // The honest batch 2 committed again is the live one: the history now agrees.
        try await f.l1(f.sequencer).send(to: f.deployment.rollup, data: honest.calldata, what: "commitBatch")
        let source = try await L1Source.open(history(f))
        #expect(source.commits.count == 3)
        let ok = try await Audit.replay(source, genesis: g)
        #expect(ok.ok && ok.batches == 3 && ok.blocks == 6)
        let clean = try AuditCLI.run(["audit", "replay", "--l1", f.devnet.url.absoluteString, "--deployment", f.dir + "/deployment.json",
                                      "--genesis", f.dir + "/genesis.json"])
        #expect(clean.status == 0)
        #expect(clean.stdout.hasPrefix("OK: batches 0…2, 6 blocks"))
    }
}

enum BridgeKeyHex {
    static let guardian = BridgeFixture.devKeys[2]
}

extension Hash32 {
    init(bytesOrZero b: Bytes) { self = (try? Hash32(bytes: b)) ?? .zero }
}
