import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The replayer against an honest in-process history and against one lie at a time, each
/// caught at its exact batch, block, transaction and field.
@Suite(.serialized) struct AuditReplayTests {
    typealias C = AuditLocalChain
    /// Shared by the read-only tests. A static is never deinitialised, so its directory is
    /// removed when the test process exits.
    static let chain: AuditLocalChain = {
        let c = try! AuditLocalChain()
        chainDir = c.dir
        atexit { if let d = AuditReplayTests.chainDir { try? FileManager.default.removeItem(atPath: d) } }
        return c
    }()
    nonisolated(unsafe) static var chainDir: String?
    var c: AuditLocalChain { Self.chain }

    func index(in block: BatchCodec.Block, _ match: (L2Call) -> Bool) throws -> Int {
        try #require(block.transactions.firstIndex { match($0.call) })
    }

    @Test func anHonestHistoryAgreesEverywhere() throws {
        let r = try c.replay()
        #expect(r.divergence == nil)
        #expect(r.ok)
        #expect(r.batches == 4 && r.firstBatch == 0 && r.lastBatch == 3)
        #expect(r.blocks == 8)
        #expect(r.transactions == 12)
        #expect(r.inboxMessages == 5)
        #expect(r.headBlock == 8)
        #expect(r.headHash == c.store.head.header.hash)
        #expect(r.stateRoot == c.store.head.header.stateRoot)
        #expect(r.totalCredit == c.store.totals.totalCredit && r.totalBurned == c.store.totals.totalBurned)
        #expect(r.totalDeposited == UInt256(407) * C.emt)
        // The fee outcome really happened: the verifier earned its fee, so credits exist.
        #expect(c.store.totals.totalCredit == UInt256(30) * C.emt)
        #expect(r.json["ok"] == .bool(true))
        #expect(r.json["divergence"] == .null)
    }

    @Test func aHighSSignatureIsRefusedAtItsTransaction() throws {
        var blocks = try c.decoded(1)                                   // blocks 3–4
        let k = try index(in: blocks[0]) { if case .withdraw = $0 { return true }; return false }
        var tx = blocks[0].transactions
        var sig = tx[k].signature
        sig[32] ^= 0x80                                                 // s ≥ 2^255 > n/2
        tx[k] = L2Envelope(call: tx[k].call, nonce: tx[k].nonce, signature: sig)
        blocks[0] = BatchCodec.Block(header: blocks[0].header, signature: blocks[0].signature, inbox: blocks[0].inbox, transactions: tx)
        let d = try #require(try c.replay(try c.rebuilt(1, blocks)).divergence)
        #expect(d.batch == 1 && d.block == 3 && d.tx == k && d.field == "tx.signature")
        #expect(d.found == sig.hex)
    }

    @Test func aFlippedBitInATransactionFieldIsCaughtAtThatTransaction() throws {
        var blocks = try c.decoded(2)                                   // blocks 5–6
        // u1's withdraw in block 6 has nonce 3: a flipped amount bit recovers a stranger (nonce 0).
        let k = try index(in: blocks[1]) { if case .withdraw(let a) = $0 { return a == UInt256(4) * C.emt }; return false }
        var tx = blocks[1].transactions
        #expect(tx[k].nonce == 3)
        tx[k] = L2Envelope(call: .withdraw(amount: UInt256(4) * C.emt + UInt256(1)), nonce: 3, signature: tx[k].signature)
        blocks[1] = BatchCodec.Block(header: blocks[1].header, signature: blocks[1].signature, inbox: blocks[1].inbox, transactions: tx)
        let d = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(d.batch == 2 && d.block == 6 && d.tx == k && d.field == "nonce")
        #expect(d.expected == "0" && d.found == "3")
    }

    @Test func aChangedFeeOutcomeIsCaughtInTheStateRoot() throws {
        // The sequencer rewrites the Submit's fuelUsed (re-signed by the same node key) and makes
        // the header's txRoot match; the state it committed no longer follows.
        var blocks = try c.decoded(1)
        let k = try index(in: blocks[1]) { if case .submit = $0 { return true }; return false }
        var tx = blocks[1].transactions
        guard case .submit(let id, let result, let fuel) = tx[k].call else { Issue.record("not a Submit"); return }
        #expect(fuel == UInt256(600_000))
        tx[k] = C.resigned(tx[k], by: C.users[1], genesis: c.genesis, call: .submit(jobId: id, result: result, fuelUsed: 900_000))
        let admission = L2Admission(chainId: c.genesis.chainId, rollup: c.genesis.rollup)
        var h = blocks[1].header
        h.txRoot = try Hash32(bytes: OrderedMerkleTree.root(try tx.map { try admission.authenticate($0).hash.bytes }))
        blocks[1] = C.resign(blocks[1], header: h, transactions: tx)
        let d = try #require(try c.replay(try c.rebuilt(1, blocks)).divergence)
        #expect(d.batch == 1 && d.block == 4 && d.tx == nil && d.field == "stateRoot")
        #expect(d.found == c.blocks[3].header.stateRoot.description)
        #expect(d.expected != d.found)
    }

    @Test func aWrongCommittedStateRootIsCaughtAtTheCommitment() throws {
        let bad = try Hash32(bytes: Keccak.hash256(Array("not the state".utf8)))
        let list = try c.rebuilt(2, try c.decoded(2)) { $0.stateRoot = bad }
        let d = try #require(try c.replay(list).divergence)
        #expect(d.batch == 2 && d.block == nil && d.tx == nil && d.field == "commitment.stateRoot")
        #expect(d.expected == c.blocks[5].header.stateRoot.description && d.found == bad.description)
    }

    @Test func aWrongCommittedSettlementRootIsCaughtAtTheCommitment() throws {
        let bad = try Hash32(bytes: Keccak.hash256(Array("pay me".utf8)))
        let list = try c.rebuilt(3, try c.decoded(3)) { $0.settlementRoot = bad }
        let d = try #require(try c.replay(list).divergence)
        #expect(d.batch == 3 && d.block == nil && d.field == "commitment.settlementRoot")
        #expect(d.expected == c.batches[3].commitment.settlementRoot.description && d.found == bad.description)
    }

    @Test func wrongCommittedTotalsAndCursorAreCaught() throws {
        let credit = try c.replay(try c.rebuilt(0, try c.decoded(0)) { $0.totalCredit = $0.totalCredit + UInt256(1) }).divergence
        #expect(credit?.batch == 0 && credit?.field == "commitment.totalCredit")
        #expect(credit?.expected == (UInt256(5) * C.emt).description)
        let burned = try c.replay(try c.rebuilt(1, try c.decoded(1)) { $0.totalBurned = UInt256(1) }).divergence
        #expect(burned?.batch == 1 && burned?.field == "commitment.totalBurned" && burned?.expected == "0" && burned?.found == "1")
        let cursor = try c.replay(try c.rebuilt(2, try c.decoded(2)) { $0.inboxCursor = 4 }).divergence
        #expect(cursor?.batch == 2 && cursor?.field == "commitment.inboxCursor" && cursor?.expected == "5" && cursor?.found == "4")
    }

    @Test func aMissingInboxDepositIsCaught() throws {
        // Block 1 skips message 1 (user 1's deposit).
        var blocks = try c.decoded(0)
        var inbox = blocks[0].inbox
        inbox.remove(at: 1)
        blocks[0] = BatchCodec.Block(header: blocks[0].header, signature: blocks[0].signature, inbox: inbox, transactions: blocks[0].transactions)
        let d = try #require(try c.replay(try c.rebuilt(0, blocks)).divergence)
        #expect(d.batch == 0 && d.block == 1 && d.tx == nil && d.field == "inbox[1].index" && d.expected == "1" && d.found == "2")
        // Block 5 leaves out the last deposit but keeps claiming the cursor past it.
        var later = try c.decoded(2)
        later[0] = BatchCodec.Block(header: later[0].header, signature: later[0].signature, inbox: [], transactions: later[0].transactions)
        let e = try #require(try c.replay(try c.rebuilt(2, later)).divergence)
        #expect(e.batch == 2 && e.block == 5 && e.field == "inboxCursor" && e.expected == "4" && e.found == "5")
    }

    @Test func aDepositCreditedTwiceIsCaught() throws {
        // Block 6 applies message 4 again (block 5 already did).
        var blocks = try c.decoded(2)
        #expect(blocks[0].inbox.map(\.index) == [4])
        blocks[1] = BatchCodec.Block(header: blocks[1].header, signature: blocks[1].signature, inbox: blocks[0].inbox, transactions: blocks[1].transactions)
        let d = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(d.batch == 2 && d.block == 6 && d.field == "inbox[0].index" && d.expected == "5" && d.found == "4")
        // A deposit L1 never saw (index 5 does not exist on L1) is caught as well.
        let forged = InboxMessage(index: 5, kind: .deposit, account: C.users[0].address, amount: UInt256(1_000) * C.emt, l1Block: 99)
        blocks = try c.decoded(2)
        blocks[1] = BatchCodec.Block(header: blocks[1].header, signature: blocks[1].signature, inbox: [forged], transactions: blocks[1].transactions)
        let f = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(f.batch == 2 && f.block == 6 && f.field == "inbox[0].index" && f.expected == "< 5 (L1 inbox length)" && f.found == "5")
        // And a deposit whose amount differs from L1's.
        blocks = try c.decoded(2)
        let m = blocks[0].inbox[0]
        let richer = InboxMessage(index: 4, kind: .deposit, account: m.account, amount: m.amount + UInt256(1), l1Block: m.l1Block)
        blocks[0] = BatchCodec.Block(header: blocks[0].header, signature: blocks[0].signature, inbox: [richer], transactions: blocks[0].transactions)
        let g = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(g.batch == 2 && g.block == 5 && g.field == "inbox[0].amount" && g.expected == m.amount.description)
    }

    @Test func aBlockPromisingMoreCreditThanEarnedIsCaught() throws {
        // Block 6's settlement root (what its tickets would be signed for) pays user 0 one EMT more.
        var blocks = try c.decoded(2)
        let honest = c.blocks[5]
        let inflated = honest.tickets.map { t in (account: t.account, credit: t.account == C.users[0].address ? t.credit + C.emt : t.credit) }
        var h = blocks[1].header
        h.settlementRoot = try Hash32(bytes: StandardMerkleTree(settlements: inflated).root)
        blocks[1] = C.resign(blocks[1], header: h)
        let d = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(d.batch == 2 && d.block == 6 && d.tx == nil && d.field == "settlementRoot")
        #expect(d.expected == honest.header.settlementRoot.description && d.found == h.settlementRoot.description)
        #expect(d.detail.contains("\(C.users[0].address.checksummed)=\(try c.store.account(C.users[0].address)!.credit)"))
    }

    @Test func aBlockNotSignedByTheSignerIsCaught() throws {
        var blocks = try c.decoded(1)
        var h = blocks[1].header
        h.timestamp += 1
        blocks[1] = BatchCodec.Block(header: h, signature: blocks[1].signature, inbox: blocks[1].inbox, transactions: blocks[1].transactions)
        let d = try #require(try c.replay(try c.rebuilt(1, blocks)).divergence)
        #expect(d.batch == 1 && d.block == 4 && d.field == "signature" && d.expected == C.signerKey.address.checksummed)
    }

    @Test func aBatchNotLinkedToThePreviousOneIsCaught() throws {
        let other = try Hash32(bytes: Keccak.hash256(Array("elsewhere".utf8)))
        let blocks = C.rechain(try c.decoded(2), after: other)
        let d = try #require(try c.replay(try c.rebuilt(2, blocks)).divergence)
        #expect(d.batch == 2 && d.block == 5 && d.field == "parentHash")
        #expect(d.expected == c.blocks[3].hash.description && d.found == other.description)
    }

    @Test func dataNotHashingToTheCommitmentIsCaught() throws {
        var list = c.batches
        let b = list[1]
        var data = b.commitment.data
        data[data.count - 1] ^= 1
        let cm = b.commitment
        list[1] = ArchivedBatch(commitment: BatchCommitment(batchIndex: cm.batchIndex, firstBlock: cm.firstBlock, lastBlock: cm.lastBlock,
                                                           lastBlockHash: cm.lastBlockHash, stateRoot: cm.stateRoot, settlementRoot: cm.settlementRoot,
                                                           totalCredit: cm.totalCredit, totalBurned: cm.totalBurned, inboxCursor: cm.inboxCursor, data: data),
                                dataHash: b.dataHash)
        let d = try #require(try c.replay(list).divergence)
        #expect(d.batch == 1 && d.block == nil && d.field == "dataHash")
        #expect(d.expected == b.dataHash.description && d.found == Keccak.hash256(data).hex)
    }

    @Test func aMissingBatchIsCaught() throws {
        var list = c.batches
        list.remove(at: 1)
        let d = try #require(try c.replay(list).divergence)
        #expect(d.batch == 2 && d.field == "batchIndex" && d.expected == "1" && d.found == "2")
    }
}
