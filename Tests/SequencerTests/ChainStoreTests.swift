import Core
import Foundation
import Testing
@testable import Sequencer
import Workloads

/// The chain on a real RocksDB in a temporary directory.
@Suite struct ChainStoreTests {
    typealias H = STFHarness
    static let signerKey = BlockProducerTests.signerKey

    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("emeth-store-\(UUID().uuidString)").path
    }

    static func genesis(_ h: H) -> Genesis {
        Genesis(chainId: 31337, rollup: BlockProducerTests.rollup, signer: signerKey.address, timestamp: 1_000, roles: h.stf.roles)
    }

    /// Seals the same three blocks as BlockProducerTests, into the store.
    static func fill(_ store: ChainStore, _ h: H) throws -> [SealedBlock] {
        let producer = BlockProducer(stf: h.stf)
        let signer = Signer(key: signerKey, chainId: 31337, rollup: BlockProducerTests.rollup)
        let job = BlockProducerTests.job, tx = BlockProducerTests.tx
        let inputs: [([InboxMessage], [L2Transaction])] = [
            ([InboxMessage(index: 0, kind: .deposit, account: H.requester, amount: 1 * .emt, l1Block: 5),
              InboxMessage(index: 1, kind: .deposit, account: H.node, amount: 1 * .emt, l1Block: 5)], []),
            ([], [tx(H.requester, 0, H.register(job, fuelLimit: 120_000, fuelPrice: 120 * .gholon, deadline: 5_000)),
                  tx(H.node, 0, .process(jobId: job)),
                  tx(H.node, 1, .submit(jobId: job, result: H.h(0xaa), fuelUsed: 100_000))]),
            ([], [tx(H.verifier, 0, .verify(jobId: job)), tx(H.node, 2, .withdraw(amount: 12_000_000 * .gholon))]),
        ]
        var out: [SealedBlock] = []
        for (k, (inbox, txs)) in inputs.enumerated() {
            var w = store.begin()
            var tree = store.tree
            let b = signer.seal(try producer.execute(parent: store.head.header, timestamp: 1_000 + UInt64(k) * 2, inbox: inbox,
                                                     transactions: txs, state: &w, tree: &tree))
            try store.commit(b, state: w)
            out.append(b)
        }
        return out
    }

    @Test func blocksStateAndTicketsSurviveReopen() throws {
        let dir = Self.tempDir(), h = H()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var store: ChainStore? = try ChainStore(path: dir, genesis: Self.genesis(h))
        let blocks = try Self.fill(store!, h)
        // The same blocks, byte for byte, as the in-memory chain of BlockProducerTests.
        #expect(blocks.map(\.hash) == (try BlockProducerTests.chain().blocks.map(\.hash)))
        store = nil

        let reopened = try ChainStore(path: dir, genesis: Self.genesis(h))
        #expect(reopened.head.number == 3)
        #expect(reopened.head.header == blocks[2].header)
        for b in blocks { #expect(try reopened.block(b.number) == b) }
        #expect(try reopened.blockNumber(hash: blocks[1].hash) == 2)
        let loc = try #require(try reopened.location(of: blocks[1].transactions[2].hash))
        #expect(loc.block == 2 && loc.index == 2)
        #expect(try reopened.account(H.node)?.credit == 12_000_000 * .gholon)
        #expect(try reopened.job(BlockProducerTests.job)?.status == .verified)
        #expect(try reopened.latestTicket(H.node) == blocks[2].tickets[0])
        #expect(reopened.totals.totalDeposited == 2 * .emt)
        #expect(reopened.inboxCursor == 2)
    }

    /// Blocks are stored in binary: each transaction as the batch codec's bytes with its sender,
    /// hash and failure code, so a read neither parses JSON nor recovers signatures; a receipt is
    /// read without decoding the transactions.
    @Test func blocksAreStoredInBinaryAndReceiptsReadWithoutDecoding() throws {
        let dir = Self.tempDir(), h = H()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ChainStore(path: dir, genesis: Self.genesis(h))
        let blocks = try Self.fill(store, h)
        let b = blocks[1]
        let raw = try #require(try store.db.get("blocks", b.number.bigEndian8))
        #expect(raw == BlockCodec.encode(b))
        let f = try RLP.decode(raw).list
        #expect(f.count == 6)
        #expect(try f[0].bytes == b.header.encoded && f[1].bytes == b.signature)
        let txs = try f[4].list
        #expect(txs.count == 3)
        for (i, item) in txs.enumerated() {
            let t = try item.list
            let tx = b.transactions[i]
            // The batch's binary form, byte for byte: what forceTransaction carries.
            #expect(try t[0].bytes == RLP.encode(BatchCodec.Block(b).transactions[i].rlp))
            #expect(try L2Envelope(encoded: try t[0].bytes) == tx.envelope)
            #expect(try t[1].bytes == tx.sender.bytes && t[2].bytes == tx.hash.bytes && t[3].bytes == [])
        }
        #expect(!String(decoding: raw, as: UTF8.self).contains("\"message\""))
        for blk in blocks {
            for (i, tx) in blk.transactions.enumerated() {
                let r = try #require(try store.receipt(block: blk.number, index: UInt32(i)))
                #expect(r.receipt == blk.receipts[i] && r.sender == tx.sender)
            }
            #expect(try store.receipt(block: blk.number, index: UInt32(blk.transactions.count)) == nil)
        }
        #expect(try store.receipt(block: 9, index: 0) == nil)
    }

    /// A store written in another storage format (format 1 kept transactions as JSON and had no
    /// format key) is refused at open with the format named, and left as it was.
    @Test func refusesAStoreInAnotherStorageFormat() throws {
        let dir = Self.tempDir(), h = H()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var store: ChainStore? = try ChainStore(path: dir, genesis: Self.genesis(h))
        _ = try Self.fill(store!, h)
        #expect(try store!.db.get("meta", Array("format".utf8)) == UInt64(2).bigEndian8)
        store = nil
        let db = try RocksDB(path: dir, columnFamilies: ChainStore.families)
        try db.delete("meta", Array("format".utf8), sync: true)
        db.close()
        #expect(throws: ChainStore.Error.unsupportedFormat(found: 1)) { _ = try ChainStore(path: dir, genesis: Self.genesis(h)) }
        do { _ = try ChainStore(path: dir, genesis: Self.genesis(h)) } catch {
            #expect("\(error)" == "the data directory holds a chain store in storage format 1 (blocks with their transactions as JSON),"
                    + " but this build reads only format 2 (transactions in binary) and does not convert stores: start the chain in a new data directory")
        }
        let db3 = try RocksDB(path: dir, columnFamilies: ChainStore.families)
        #expect(try db3.get("meta", Array("format".utf8)) == nil)        // nothing was written
        try db3.put("meta", Array("format".utf8), UInt64(3).bigEndian8, sync: true)
        db3.close()
        #expect(throws: ChainStore.Error.unsupportedFormat(found: 3)) { _ = try ChainStore(path: dir, genesis: Self.genesis(h)) }
    }

    @Test func refusesAnotherChainsDirectoryAndCorruptState() throws {
        let dir = Self.tempDir(), h = H()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var store: ChainStore? = try ChainStore(path: dir, genesis: Self.genesis(h))
        _ = try Self.fill(store!, h)
        store = nil
        var other = Self.genesis(h)
        other.chainId = 1
        #expect(throws: ChainStore.Error.self) { _ = try ChainStore(path: dir, genesis: other) }

        // Tamper with one balance behind the store's back: the root check at open catches it.
        let db = try RocksDB(path: dir, columnFamilies: ChainStore.families)
        var acc = try StateEncoding.decodeAccount(try #require(try db.get("state", StateEncoding.accountKey(H.node).bytes)))
        acc.balance = acc.balance + 1
        try db.put("state", StateEncoding.accountKey(H.node).bytes, StateEncoding.encode(acc), sync: true)
        db.close()
        do {
            _ = try ChainStore(path: dir, genesis: Self.genesis(h))
            Issue.record("a store whose state disagrees with its head must not open")
        } catch {
            #expect("\(error)".contains("has state root"))
        }
    }
}

/// The engine seals on the policy's triggers, with a clock the test controls.
@Suite struct SequencerEngineTests {
    @Test func sealsOnMaxTxsAndOnBlockTime() throws {
        let dir = ChainStoreTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = ChainStoreTests.signerKey
        let store = try ChainStore(path: dir, genesis: Genesis(chainId: 31337, rollup: BlockProducerTests.rollup, signer: key.address,
                                                              timestamp: 1_000, roles: Roles()))
        let engine = SequencerEngine(store: store, signerKey: key, policy: SealPolicy(maxTxs: 4, maxBytes: 1_000_000, blockTimeMs: 500))
        let workload = Workload(seed: 3, users: 2, txsPerBlock: 6)
        for m in workload.inbox(forBlock: 1) { try engine.enqueue(m) }
        engine.notePending(nowMs: 1_000_000)
        #expect(try engine.sealIfDue(nowMs: 1_000_499) == nil)              // block time not yet up
        let first = try #require(try engine.sealIfDue(nowMs: 1_000_500))     // block time
        #expect(first.inbox.count == 2 && first.transactions.isEmpty)
        let envs = workload.transactions(forBlock: 2, nonce: { try! store.account($0)?.nonce ?? 0 }, domain: engine.admission.domain)
        for e in envs { try engine.submit(e, nowMs: 1_000_600); engine.notePending(nowMs: 1_000_600) }
        let second = try #require(try engine.sealIfDue(nowMs: 1_000_700))   // 6 pooled ≥ maxTxs 4: at once
        #expect(second.transactions.count == 4)                              // and maxTxs caps the block
        #expect(try engine.sealIfDue(nowMs: 1_001_199) == nil)              // the other 2 wait for block time
        #expect(try engine.sealIfDue(nowMs: 1_001_200)?.transactions.count == 2)
        #expect(store.head.number == 3)
        #expect(try engine.sealIfDue(nowMs: 1_009_000) == nil)              // nothing pending, no heartbeat: no empty block
    }
}
