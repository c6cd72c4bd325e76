import Core
import Foundation
import Testing
import Workloads
@testable import Sequencer

/// The sealing pipeline at the engine, on RocksDB: block k+1 executes on block k's in-memory
/// state (`executeSeal`) while k is signed and written (`ExecutedSeal.signed`, `write`,
/// `endSeal`). The stress workload makes block k+1 cancel jobs block k registered, so k+1 reads
/// k's unwritten records, tree nodes and job index entries.
///
/// - The pipelined chain is byte for byte the chain sealed one block at a time: every key and
///   value of every column family (blocks, tickets, tree nodes, job index, meta).
/// - A crash while block k is being made durable after block k+1 executed (the process dies
///   before k's synced batch is written, or after it and before k is acknowledged) leaves the
///   store at k−1 or k, never with k+1; the restarted node, given the same transactions again,
///   seals the very same chain. (A WriteBatch is atomic, so these are the only two outcomes
///   of a kill -9 during k's write: CrashSafetyTests kills real processes there.)
@Suite struct SealPipelineTests {
    static let key = try! PrivateKey(bytes: Keccak.hash256(Array("emeth-signer-7".utf8)))
    static let genesis = Genesis(chainId: 31337, rollup: try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
                                 signer: key.address, timestamp: 1_700_000_000, roles: Roles())
    static let workload = Workload(seed: 7, users: 8, txsPerBlock: 30)
    static let blocks: UInt64 = 5

    /// One sequencer's store and engine; `reopen` is what a restarted process sees.
    final class Chain {
        let dir: String
        var engine: SequencerEngine
        var store: ChainStore { engine.store }

        init() throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-pipeline-\(UUID().uuidString)").path
            self.dir = dir
            engine = try Self.open(dir)
        }
        deinit {
            engine.store.db.close()
            try? FileManager.default.removeItem(atPath: dir)
        }

        static func open(_ dir: String) throws -> SequencerEngine {
            SequencerEngine(store: try ChainStore(path: dir, genesis: SealPipelineTests.genesis), signerKey: SealPipelineTests.key, policy: SealPolicy(maxTxs: 31))
        }

        func reopen() throws {
            engine.store.db.close()
            engine = try Self.open(dir)
        }

        /// Queues block k's inbox messages and transactions, with nonces from the newest state
        /// (a block in flight included), as clients sending ahead would.
        func queue(_ k: UInt64) throws {
            for m in SealPipelineTests.workload.inbox(forBlock: k) { try engine.enqueue(m) }
            for env in try SealPipelineTests.workload.transactions(forBlock: k, nonce: { try engine.nextNonce($0) }, domain: engine.admission.domain) {
                try engine.submit(env)
            }
        }

        /// Seals block k synchronously (queued first).
        @discardableResult
        func sealNext(_ k: UInt64) throws -> SealedBlock {
            try queue(k)
            return try #require(try engine.seal(timestamp: SealPipelineTests.genesis.timestamp + k, allowEmpty: true))
        }

        func execute(_ k: UInt64) throws -> SequencerEngine.ExecutedSeal {
            try queue(k)
            return try #require(try engine.executeSeal(timestamp: SealPipelineTests.genesis.timestamp + k, allowEmpty: true))
        }

        /// Every key and value of every column family, as hex lines.
        func contents() throws -> [String] {
            var out: [String] = []
            for cf in ChainStore.families {
                try store.db.forEach(cf) { k, v in
                    out.append("\(cf) \(k.hex) \(v.hex)")
                    return true
                }
            }
            return out
        }
    }

    /// The chain sealed one block at a time: what the pipeline must reproduce.
    static func reference() throws -> (contents: [String], blocks: [UInt64: Bytes]) {
        let chain = try Chain()
        for k in 1...blocks { try chain.sealNext(k) }
        var stored: [UInt64: Bytes] = [:]
        for k in 1...blocks { stored[k] = try chain.store.storedBlock(k) }
        return (try chain.contents(), stored)
    }

    @Test func blockKPlusOneExecutesOnBlockKsUnwrittenStateAndTheChainIsByteIdentical() throws {
        let reference = try Self.reference()
        let chain = try Chain()
        try chain.sealNext(1)
        let e2 = try chain.execute(2)
        let e3 = try chain.execute(3)
        // Depth one: no third block while two are in flight.
        #expect(try chain.engine.executeSeal(timestamp: Self.genesis.timestamp + 4, allowEmpty: true) == nil)
        #expect(chain.engine.inFlightCount == 2)
        #expect(e2.executed.transactions.count == 30 && e3.executed.transactions.count == 30)
        #expect(e3.executed.header.parentHash == e2.executed.header.hash)
        #expect(try BlockCodec.header(reference.blocks[3]!) == e3.executed.header)
        // Nothing of block 2 or 3 is written or acknowledged yet.
        #expect(chain.store.head.number == 1)
        for tx in e2.executed.transactions + e3.executed.transactions {
            #expect(chain.engine.isPending(tx.hash))
            #expect(try chain.store.location(of: tx.hash) == nil)
        }

        let p2 = e2.signed(by: chain.engine.signer)
        #expect(p2.bytes == reference.blocks[2])
        try chain.store.write(p2.batch)
        #expect(chain.engine.endSeal(p2).number == 2)
        #expect(chain.store.head.number == 2)
        #expect(try chain.store.location(of: e2.executed.transactions[0].hash)?.block == 2)
        #expect(chain.engine.isPending(e3.executed.transactions[0].hash))

        let p3 = e3.signed(by: chain.engine.signer)
        try chain.store.write(p3.batch)
        #expect(chain.engine.endSeal(p3).number == 3)
        #expect(chain.engine.inFlightCount == 0)
        for k in 4...Self.blocks { try chain.sealNext(k) }
        let contents = try chain.contents()
        #expect(contents.count == reference.contents.count)
        #expect(contents == reference.contents)
    }

    @Test(arguments: [false, true])
    func aCrashWhileBlockKIsMadeDurableAfterKPlusOneExecutedLeavesKMinusOneOrK(kWritten: Bool) throws {
        let reference = try Self.reference()
        let chain = try Chain()
        try chain.sealNext(1)
        let e2 = try chain.execute(2)
        let e3 = try chain.execute(3)
        let p2 = e2.signed(by: chain.engine.signer)
        if kWritten { try chain.store.write(p2.batch) }
        // The process dies here: block 2 not acknowledged, block 3 executed in memory only.
        try chain.reopen()   // opens only if the stored state hashes to the head's state root

        let head: UInt64 = kWritten ? 2 : 1
        #expect(chain.store.head.number == head)
        #expect(try chain.store.storedBlock(2) == (kWritten ? reference.blocks[2] : nil))
        #expect(try chain.store.storedBlock(3) == nil)
        for tx in e3.executed.transactions { #expect(try chain.store.location(of: tx.hash) == nil) }
        #expect(chain.engine.inFlightCount == 0)

        // Restarted, and sent the same transactions again: the same blocks, the same store.
        for k in (head + 1)...Self.blocks { try chain.sealNext(k) }
        #expect(try chain.store.storedBlock(3) == reference.blocks[3])
        #expect(try chain.contents() == reference.contents)
    }
}
