import Core
import Foundation
import Testing
@testable import Sequencer

/// The L1 batch format: blocks survive encode → decode exactly, the commitment matches the
/// chain, malformed data is refused with a precise reason, and a Submit costs few bytes.
@Suite struct BatchCodecTests {
    static let signerKey = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")

    /// A real chain on a temporary RocksDB: every transaction really signed.
    final class Chain {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-batch-\(UUID().uuidString)").path
        let verifier = try! PrivateKey(bytes: Keccak.hash256(Array("verifier".utf8)))
        let engine: SequencerEngine
        var inbox: UInt64 = 0
        var time: UInt64 = 1_000

        init(policy: SealPolicy = SealPolicy()) throws {
            let g = Genesis(chainId: 31337, rollup: rollup, signer: signerKey.address, timestamp: 1_000,
                            roles: Roles(verifiers: [verifier.address]))
            engine = SequencerEngine(store: try ChainStore(path: dir, genesis: g), signerKey: signerKey, policy: policy)
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func key(_ name: String) -> PrivateKey { try! PrivateKey(bytes: Keccak.hash256(Array(name.utf8))) }

        func deposit(_ a: Address, _ amount: UInt256) throws {
            try engine.enqueue(InboxMessage(index: inbox, kind: .deposit, account: a, amount: amount, l1Block: 7))
            inbox += 1
        }

        func send(_ k: PrivateKey, _ call: L2Call, nonce given: UInt64? = nil) throws {
            let nonce = try given ?? (try engine.store.account(k.address)?.nonce ?? 0) + UInt64(engine.mempool.pendingCount(of: k.address))
            let digest = engine.admission.domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
            try engine.submit(L2Envelope(call: call, nonce: nonce, signature: try Secp256k1.sign(digest: digest, key: k).rsv))
        }

        @discardableResult
        func seal() throws -> SealedBlock {
            time += 2
            return try engine.seal(timestamp: time)!
        }
    }

    static func job(_ i: Int) -> JobID { try! JobID(bytes: Keccak.hash256(Array("job-\(i)".utf8)).prefix(16).map { $0 }) }

    /// n jobs through their whole life: registered, processed, submitted (block 4), verified,
    /// and the node's credit withdrawn. Returns the chain.
    static func lifecycle(jobs n: Int) throws -> Chain {
        let c = try Chain()
        let requester = c.key("requester"), node = c.key("node")
        try c.deposit(requester.address, UInt256(1_000_000) * UInt256(1_000_000_000_000_000_000))
        try c.deposit(node.address, UInt256(1_000_000) * UInt256(1_000_000_000_000_000_000))
        try c.seal()
        for i in 0..<n {
            try c.send(requester, .registerJob(.init(jobId: job(i), programId: 3, numParallel: 1, numEpoch: 1,
                                                     dataset: Hash32(unchecked: Keccak.hash256([UInt8(i % 256), 1])), param: .zero,
                                                     fuelLimit: 120_000, fuelPrice: 120_000_000_000, deadline: 1_000_000)))
        }
        try c.seal()
        for i in 0..<n { try c.send(node, .process(jobId: job(i))) }
        try c.seal()
        for i in 0..<n {
            try c.send(node, .submit(jobId: job(i), result: Hash32(unchecked: Keccak.hash256(Array("result-\(i)".utf8))),
                                     fuelUsed: UInt256(UInt64(90_000 + i))))
        }
        try c.seal()
        for i in 0..<n { try c.send(c.verifier, .verify(jobId: job(i))) }
        try c.seal()
        try c.send(node, .withdraw(amount: 1_000_000_000))
        try c.seal()
        return c
    }

    var assembler: BatchAssembler { BatchAssembler(chainId: 31337, rollup: Self.rollup, signer: Self.signerKey.address) }

    @Test func blocksRoundTripAndTheCommitmentMatchesTheChain() throws {
        let c = try Self.lifecycle(jobs: 12)
        let store = c.engine.store
        let blocks = try (1...6).map { try #require(try store.block($0)) }
        let commitment = try assembler.commitment(index: 0, blocks: 1...6, store: store)
        #expect(try BatchCodec.decode(commitment.data) == blocks.map(BatchCodec.Block.init))
        #expect(commitment.firstBlock == 1 && commitment.lastBlock == 6)
        #expect(commitment.lastBlockHash == blocks[5].hash)
        #expect(commitment.stateRoot == blocks[5].header.stateRoot)
        #expect(commitment.inboxCursor == 2)
        #expect(commitment.settlementRoot == BatchSettlement(blocks: blocks).root)
        #expect(commitment.settlementRoot != .zero)
        // Every job verified: 12 × 5% of 120,000 × 120 Gholon to the verifier, the node's
        // fees and deposits back; the node withdrew 1 Gholon: credit is that withdrawal only.
        #expect(commitment.totalCredit == 1_000_000_000)
        #expect(commitment.totalBurned == .zero)
        #expect(try BatchCommitment(calldata: commitment.calldata) == commitment)
        #expect(Array(commitment.calldata.prefix(4)) == Keccak.hash256(Array("commitBatch(uint256,uint256,uint256,bytes32,bytes32,bytes32,uint256,uint256,uint256,bytes)".utf8)).prefix(4).map { $0 })
    }

    @Test func aSubmitCostsFewBytesAfterCompression() throws {
        let n = 400
        let c = try Self.lifecycle(jobs: n)
        let withSubmits = try assembler.commitment(index: 0, blocks: 4...4, store: c.engine.store).data.count
        let perSubmit = Double(withSubmits) / Double(n)
        print("batch bytes per Submit transaction: \(String(format: "%.1f", perSubmit)) (\(withSubmits) bytes for \(n))")
        #expect(perSubmit <= 130)
        let whole = try assembler.commitment(index: 0, blocks: 1...6, store: c.engine.store).data.count
        print("batch bytes per transaction over a whole lifecycle: \(String(format: "%.1f", Double(whole) / Double(4 * n + 1)))")
    }

    @Test func largestShrinksToFitTheLimit() throws {
        let c = try Self.lifecycle(jobs: 60)
        var small = assembler
        let all = try small.commitment(index: 3, blocks: 1...6, store: c.engine.store)
        small.maxDataBytes = all.data.count - 1
        let fitted = try small.largest(index: 3, from: 1, to: 6, maxBlocks: 100, store: c.engine.store)
        #expect(fitted.lastBlock < 6 && fitted.firstBlock == 1)
        #expect(fitted.data.count <= small.maxDataBytes)
        // One byte over the limit is found so without compressing it all; the first halving is
        // the batch, byte for byte what `commitment` makes of it.
        #expect(fitted == (try small.commitment(index: 3, blocks: 1...3, store: c.engine.store)))
        #expect(try BatchCodec.encodedSize(of: (1...6).map { BatchCodec.Block(try c.engine.store.block($0)!) }, exceeds: all.data.count - 1))
        #expect(try !BatchCodec.encodedSize(of: (1...6).map { BatchCodec.Block(try c.engine.store.block($0)!) }, exceeds: all.data.count))
        // Exactly at the limit: the whole range.
        small.maxDataBytes = all.data.count
        #expect(try small.largest(index: 3, from: 1, to: 6, maxBlocks: 100, store: c.engine.store) == all)
        small.maxDataBytes = all.data.count - 1
        #expect(try small.largest(index: 3, from: 1, to: 6, maxBlocks: 2, store: c.engine.store).lastBlock == 2)
        small.maxDataBytes = 50
        #expect(throws: BatchAssembler.Error.self) { try small.largest(index: 3, from: 2, to: 6, maxBlocks: 100, store: c.engine.store) }
    }

    @Test func theCheckBeforePostingCatchesAForeignSignerAndTampering() throws {
        let c = try Self.lifecycle(jobs: 3)
        let store = c.engine.store
        let blocks = try (1...3).map { try #require(try store.block($0)) }
        let good = try assembler.commitment(index: 0, blocks: 1...3, store: store)
        let foreign = BatchAssembler(chainId: 31337, rollup: Self.rollup, signer: c.verifier.address)
        #expect(throws: BatchAssembler.Error.self) { try foreign.verify(good, against: blocks) }
        // Data of other blocks under these blocks' commitment.
        let other = try assembler.commitment(index: 0, blocks: 1...2, store: store)
        #expect(throws: BatchAssembler.Error.self) { try assembler.verify(other, against: blocks) }
        // The poster's refusal is the auditor's check, word for word.
        do { try foreign.verify(good, against: blocks); Issue.record("a foreign signer must be refused") } catch {
            #expect("\(error)" == "batch failed its pre-post check: block 1: signature: expected \(c.verifier.address.checksummed),"
                    + " found \(Self.signerKey.address.checksummed) (the block hash is not signed by the genesis Signer)")
        }
    }

    /// The state-free check the poster and the auditor share: the Signer's signature over the
    /// header hash, then every transaction's signature, each failure naming its field.
    @Test func theSharedBlockCheckNamesTheSignatureAtFault() throws {
        let c = try Self.lifecycle(jobs: 1)
        let admission = c.engine.admission
        let sealed = try #require(try c.engine.store.block(2))
        let block = BatchCodec.Block(sealed)
        #expect(try SignedBlockCheck.check(block, signer: Self.signerKey.address,
                                           authenticated: admission.authenticate(block.transactions)).get() == sealed.transactions)
        let stranger = c.key("stranger")
        let forged = BatchCodec.Block(header: block.header, signature: try Secp256k1.sign(digest: block.header.hash.bytes, key: stranger).rsv,
                                      inbox: block.inbox, transactions: block.transactions)
        let f1 = SignedBlockCheck.check(forged, signer: Self.signerKey.address, authenticated: admission.authenticate(forged.transactions))
        #expect(f1 == .failure(.init(field: "signature", tx: nil, expected: Self.signerKey.address.checksummed,
                                     found: stranger.address.checksummed, detail: "the block hash is not signed by the genesis Signer")))
        var txs = block.transactions
        var sig = txs[0].signature
        sig[32] ^= 0x80                                                 // s ≥ 2^255 > n/2
        txs[0] = L2Envelope(call: txs[0].call, nonce: txs[0].nonce, signature: sig)
        let highS = BatchCodec.Block(header: block.header, signature: block.signature, inbox: block.inbox, transactions: txs)
        guard case .failure(let f2) = SignedBlockCheck.check(highS, signer: Self.signerKey.address, authenticated: admission.authenticate(txs)) else {
            Issue.record("a high-s signature must be refused"); return
        }
        #expect(f2.field == "tx.signature" && f2.tx == 0 && f2.found == sig.hex && f2.expected == "a valid low-s signature")
    }

    @Test func malformedDataIsRefusedWithTheReason() throws {
        #expect(throws: BatchCodec.Error.empty) { try BatchCodec.decode([]) }
        #expect(throws: BatchCodec.Error.unknownVersion(2)) { try BatchCodec.decode([2, 0, 0]) }
        #expect(throws: Zstd.Error.self) { try BatchCodec.decode([1, 9, 9, 9, 9, 9, 9, 9, 9]) }
        func packed(_ item: RLPItem) throws -> Bytes { [1] + (try Zstd.compress(RLP.encode(item))) }
        #expect(throws: BatchCodec.Error.malformed("a batch holds at least one block")) {
            try BatchCodec.decode(try packed(.list([.uint(UInt64(1)), .list([])])))
        }
        #expect(throws: BatchCodec.Error.malformed("block 5: expected 9 fields, found 1")) {
            try BatchCodec.decode(try packed(.list([.uint(UInt64(5)), .list([.list([.uint(UInt64(1))])])])))
        }
        // Two well-formed blocks whose parent link is broken.
        let c = try Self.lifecycle(jobs: 1)
        let b1 = BatchCodec.Block(try #require(try c.engine.store.block(1)))
        let b3 = BatchCodec.Block(try #require(try c.engine.store.block(3)))
        var items = [BatchCodec.encode(b1), BatchCodec.encode(b3)]
        #expect(throws: BatchCodec.Error.malformed("block 2: parentHash is not the hash of block 1")) {
            try BatchCodec.decode(try packed(.list([.uint(UInt64(1)), .list(items)])))
        }
        // Block numbers that would run past UInt64.max (this trapped on arithmetic overflow).
        #expect(throws: BatchCodec.Error.malformed("2 blocks from block 18446744073709551615 run past the largest block number")) {
            try BatchCodec.decode(try packed(.list([.uint(UInt64.max), .list([BatchCodec.encode(b1), BatchCodec.encode(b3)])])))
        }
        let last = BatchCodec.Block(header: BlockHeader(number: .max, parentHash: b1.header.parentHash, timestamp: b1.header.timestamp,
                                                        txRoot: b1.header.txRoot, stateRoot: b1.header.stateRoot,
                                                        settlementRoot: b1.header.settlementRoot, inboxCursor: b1.header.inboxCursor,
                                                        txCount: b1.header.txCount),
                                    signature: b1.signature, inbox: b1.inbox, transactions: b1.transactions)
        #expect(try BatchCodec.decode(try BatchCodec.encode([last])) == [last])
        // A transaction of an unknown type.
        items = [.list([.bytes(b1.header.parentHash.bytes), .uint(UInt64(1)), .bytes(Bytes(repeating: 0, count: 32)),
                        .bytes(Bytes(repeating: 0, count: 32)), .bytes(Bytes(repeating: 0, count: 32)), .uint(UInt64(0)),
                        .bytes(Bytes(repeating: 1, count: 65)), .list([]),
                        .list([.list([.uint(UInt64(12)), .uint(UInt64(0)), .bytes([1]), .bytes(Bytes(repeating: 1, count: 65))])])])]
        #expect(throws: BatchCodec.Error.malformed("block 1 transaction 0: unknown transaction type 12")) {
            try BatchCodec.decode(try packed(.list([.uint(UInt64(1)), .list(items)])))
        }
    }
}
