import API
import Core
import Foundation
import Sequencer
import Testing

/// A fixed list of batches standing in for the bridge's answers (the real provider is the
/// bridge service; here the test decides which blocks are committed and final).
final class FixedBatches: BatchStatusProvider, Sendable {
    private let list = LockedValue<[BatchStatus]>([])

    func set(_ batches: [BatchStatus]) { list.set(batches) }
    func batch(containing block: UInt64) -> BatchStatus? { list.value.first { $0.contains(block) } }
    func batch(index: UInt64) -> BatchStatus? { list.value.first { $0.index == index } }
    var latestFinal: BatchStatus? { list.value.last { $0.final } }
    var backlogBytes: UInt64? { 1_234 }
}

/// Health, metrics, shutdown, engine failure, and what the API says once blocks are batched.
@Suite struct ServiceHTTPTests {
    typealias C = TestChain

    @Test func healthAndMetrics() async throws {
        try await LiveService.with { s in
            let health = try await s.http("GET", "/health")
            #expect(health.status == 200 && health.contentType == "application/json")
            #expect(health.body == #"{"blockNumber":"0x0","head":0,"status":"ok"}"#)
            try s.deposit(C.node.address, C.emt)
            try await s.waitBlock(1)
            let metrics = try await s.http("GET", "/metrics").body
            for line in ["emeth_block_height 1", "emeth_blocks_sealed_total 1", "emeth_mempool_size 0", "emeth_up 1",
                         "# TYPE emeth_txs_received_total counter", "# TYPE emeth_block_seal_seconds gauge"] {
                #expect(metrics.contains(line + "\n"), "missing \(line) in\n\(metrics)")
            }
            #expect(!metrics.contains("emeth_batch_backlog_bytes"))
        }
    }

    /// A block time far away: nothing seals while running; shutdown seals what is pending, so
    /// the acknowledged transaction is durable in the store afterwards.
    @Test func gracefulShutdownSealsPending() async throws {
        let s = try await LiveService.start(policy: SealPolicy(maxTxs: 500, blockTimeMs: 600_000))
        try s.deposit(C.node.address, C.emt)
        let h = try await s.send(C.wire(.withdraw(amount: 5), nonce: 0, by: C.node))
        #expect(try await s.result("emeth_getTransactionReceipt", [.string(h)])["status"] == .string("pending"))
        #expect(try await s.result("emeth_blockNumber") == .string("0x0"))
        try await s.stop(removeData: false)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let store = try ChainStore(path: s.dir, genesis: C.genesis)
        #expect(store.head.number == 1)
        let loc = try #require(try store.location(of: try Hash32(hex: h)))
        #expect(loc.block == 1 && loc.index == 0)
        #expect(try store.account(C.node.address) == Account(balance: C.emt - 5, nonce: 1, credit: 5))
    }

    /// A storage failure stops the engine: /health turns 503 and calls say why.
    @Test func storageFailureStopsTheEngine() async throws {
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 600_000)) { s in
            try s.deposit(C.node.address, C.emt)
            s.service.engine.store.db.close()
            s.service.engine.sealPending()
            let health = try await s.http("GET", "/health")
            #expect(health.status == 503)
            #expect(health.body.hasPrefix(#"{"error":"sealing failed: "#) && health.body.hasSuffix(#"","status":"stopped"}"#))
            let e = try await s.error("emeth_blockNumber")
            #expect(e.code == -32005 && e.message.hasPrefix("sequencer stopped: sealing failed: "))
            #expect(try await s.http("GET", "/metrics").body.contains("emeth_up 0\n"))
        }
    }

    @Test func batchedBlocksReceiptsAndSettlementProofs() async throws {
        let batches = FixedBatches()
        try await LiveService.with(batches: batches) { s in
            try s.deposit(C.node.address, C.emt)
            try s.deposit(C.requester.address, C.emt)
            try await s.waitBlock(1)
            let h1 = try await s.send(C.wire(.withdraw(amount: 1_000 * C.gholon), nonce: 0, by: C.node))
            let h2 = try await s.send(C.wire(.withdraw(amount: 3_000 * C.gholon), nonce: 0, by: C.requester))
            let r1 = try await s.waitSequenced(h1)
            _ = try await s.waitSequenced(h2)
            let h3 = try await s.send(C.wire(.withdraw(amount: 500 * C.gholon), nonce: 1, by: C.node))
            let r3 = try await s.waitSequenced(h3)
            let last = try UInt256(parsing: r3["blockNumber"]!.stringValue!).uint64!
            #expect(r1["status"] == .string("sequenced"))

            // Not yet in a batch: no settlement proof.
            #expect(try await s.error("emeth_getSettlementProof", [.string(C.node.address.checksummed)])
                    == (-32004, "the latest credit of \(C.node.address.checksummed) (block \(last)) is not in a batch yet"))

            batches.set([BatchStatus(index: 0, firstBlock: 1, lastBlock: last, l1TxHash: C.h(0x77), final: false)])
            let committed = try await s.result("emeth_getTransactionReceipt", [.string(h1)])
            #expect(committed["status"] == .string("committed") && committed["batchIndex"] == .string("0x0")
                    && committed["l1TxHash"] == .string(C.h(0x77).bytes.hex))

            // The proof is against the batch settlementRoot of BatchSettlement over blocks 1…last.
            var blocks: [SealedBlock] = []
            for n in 1...last { blocks.append(try #require(try s.service.engine.store.block(n))) }
            let settlement = BatchSettlement(blocks: blocks)
            let p = try await s.result("emeth_getSettlementProof", [.string(C.node.address.checksummed)])
            let credit = 1_500 * C.gholon
            let leaf = StandardMerkleTree.settlementLeaf(account: C.node.address, credit: credit)
            #expect(p["account"] == .string(C.node.address.checksummed) && p["credit"] == credit.q)
            #expect(p["batchIndex"] == .string("0x0") && p["firstBlock"] == .string("0x1") && p["lastBlock"] == UInt256(last).q)
            #expect(p["root"] == .string(settlement.root.bytes.hex) && p["leaf"] == .string(leaf.hex))
            #expect(p["final"] == .bool(false) && p["l1TxHash"] == .string(C.h(0x77).bytes.hex))
            let proof = try #require(p["proof"]?.arrayValue).map { try Hex.decode($0.stringValue!) }
            #expect(proof.count == 1)
            #expect(MerkleProof.verify(proof: proof, root: settlement.root.bytes, leaf: leaf))
            #expect(try await s.result("emeth_getSettlementProof", [.string(C.requester.address.checksummed), .string("0")])["credit"]
                    == (3_000 * C.gholon).q)
            #expect(try await s.error("emeth_getSettlementProof", [.string(C.node.address.checksummed), .string("5")])
                    == (-32004, "batch 5 is unknown"))
            #expect(try await s.error("emeth_getSettlementProof", [.string(C.verifier.address.checksummed)])
                    == (-32004, "account \(C.verifier.address.checksummed) has no credit: nothing to prove"))

            batches.set([BatchStatus(index: 0, firstBlock: 1, lastBlock: last, l1TxHash: C.h(0x77), final: true)])
            #expect(try await s.result("emeth_getTransactionReceipt", [.string(h3)])["status"] == .string("final"))
            #expect(try await s.result("emeth_getSettlementProof", [.string(C.node.address.checksummed)])["final"] == .bool(true))
            let metrics = try await s.http("GET", "/metrics").body
            #expect(metrics.contains("emeth_last_final_batch 0\n") && metrics.contains("emeth_batch_backlog_bytes 1234\n")
                    && metrics.contains("emeth_last_final_block \(last)\n"))

            // The receipt read straight from the block's bytes equals the fully decoded block's.
            for b in blocks {
                for (i, tx) in b.transactions.enumerated() {
                    let r = try await s.result("emeth_getTransactionReceipt", [.string(tx.hash.bytes.hex)])
                    #expect(r["sender"] == .string(tx.sender.checksummed) && r["index"] == UInt256(i).q)
                    #expect(r["failure"] == (b.receipts[i].failure.map { .int(Int($0.rawValue)) } ?? .null))
                }
            }
        }
    }
}
