import Core
import Foundation
import Prover
import Sequencer

/// A small but complete chain for the auditor's tests, sealed in-process by `SequencerEngine`
/// on a temporary RocksDB: deposits through the inbox, a job's whole life with fees
/// (Register → Process → Submit → Verify), withdrawals (credits, so settlement roots and
/// tickets), a later deposit, cut into four batches by `BatchAssembler`. The tampering
/// helpers rebuild batches the way a dishonest sequencer would: re-signed, re-linked and
/// re-encoded, so each test isolates exactly one lie.
final class AuditLocalChain: @unchecked Sendable {
    static let signerKey = try! PrivateKey(bytes: Keccak.hash256(Array("emeth-audit-test-signer".utf8)))
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let users = (0..<4).map { try! PrivateKey(bytes: Keccak.hash256(Array("emeth-audit-user-\($0)".utf8))) }
    static let verifier = try! PrivateKey(bytes: Keccak.hash256(Array("emeth-audit-verifier".utf8)))
    static let emt = UInt256(1_000_000_000_000_000_000)
    static let job = try! JobID(bytes: Array(Keccak.hash256(Array("audit-job".utf8)).prefix(16)))
    /// Batch ranges: blocks 1–2, 3–4, 5–6, 7–8.
    static let ranges: [ClosedRange<UInt64>] = [1...2, 3...4, 5...6, 7...8]

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-audit-chain-\(UUID().uuidString)").path
    let genesis: Genesis
    let store: ChainStore
    var blocks: [SealedBlock] = []   // blocks[n - 1] is block n
    var inbox: [InboxMessage] = []
    var batches: [ArchivedBatch] = []

    init() throws {
        genesis = Genesis(chainId: 31337, rollup: Self.rollup, signer: Self.signerKey.address, timestamp: 1_000,
                          roles: Roles(verifiers: [Self.verifier.address]))
        store = try ChainStore(path: dir, genesis: genesis)
        let e = SequencerEngine(store: store, signerKey: Self.signerKey)
        let u = Self.users
        func deposit(_ k: PrivateKey, _ amount: UInt256) throws {
            let m = InboxMessage(index: UInt64(inbox.count), kind: .deposit, account: k.address, amount: amount, l1Block: 10 + UInt64(inbox.count))
            inbox.append(m)
            try e.enqueue(m)
        }
        func send(_ k: PrivateKey, _ call: L2Call) throws {
            let nonce = (try store.account(k.address)?.nonce ?? 0) + UInt64(e.mempool.pendingCount(of: k.address))
            let digest = e.admission.domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
            try e.submit(L2Envelope(call: call, nonce: nonce, signature: try Secp256k1.sign(digest: digest, key: k).rsv))
        }
        func seal() throws { blocks.append(try e.seal(timestamp: genesis.timestamp + UInt64(blocks.count + 1) * 10, allowEmpty: true)!) }
        let register = L2Call.registerJob(.init(jobId: Self.job, programId: 7, numParallel: 1, numEpoch: 1,
                                                dataset: try Hash32(bytes: Keccak.hash256(Array("ds".utf8))), param: .zero,
                                                fuelLimit: 1_000_000, fuelPrice: 1_000_000_000, deadline: 1_000_000))
        for k in u { try deposit(k, UInt256(100) * Self.emt) }                       // block 1: inbox 0–3
        try seal()
        try send(u[0], register); try send(u[1], .withdraw(amount: UInt256(5) * Self.emt))   // block 2
        try seal()
        try send(u[1], .process(jobId: Self.job)); try send(u[2], .withdraw(amount: UInt256(3) * Self.emt))  // block 3
        try seal()
        try send(u[1], .submit(jobId: Self.job, result: try Hash32(bytes: Keccak.hash256(Array("r".utf8))), fuelUsed: 600_000))  // block 4
        try send(u[3], .withdraw(amount: UInt256(1) * Self.emt))
        try seal()
        try send(Self.verifier, .verify(jobId: Self.job)); try deposit(u[2], UInt256(7) * Self.emt)  // block 5: inbox 4
        try seal()
        try send(u[0], .withdraw(amount: UInt256(2) * Self.emt)); try send(u[1], .withdraw(amount: UInt256(4) * Self.emt))  // block 6
        try seal()
        try send(u[2], .withdraw(amount: UInt256(6) * Self.emt))   // block 7
        try seal()
        try send(u[3], .withdraw(amount: UInt256(8) * Self.emt)); try send(u[1], .withdraw(amount: UInt256(1) * Self.emt))  // block 8
        try seal()
        let assembler = BatchAssembler(chainId: genesis.chainId, rollup: genesis.rollup, signer: genesis.signer)
        batches = try Self.ranges.enumerated().map { i, r in ArchivedBatch(commitment: try assembler.commitment(index: UInt64(i), blocks: r, store: store)) }
    }

    deinit {
        store.db.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var inboxLog: InboxLog { try! InboxLog(inbox) }

    /// Replays `batches` (default: the honest ones) and returns the report.
    func replay(_ list: [ArchivedBatch]? = nil, inbox: [InboxMessage]? = nil) throws -> AuditReport {
        let r = try Replayer(genesis: genesis, inbox: try InboxLog(inbox ?? self.inbox))
        defer { r.close() }
        for b in list ?? batches where try r.check(b) != nil { break }
        return r.report
    }

    // MARK: Tampering

    /// The decoded blocks of honest batch `i`.
    func decoded(_ i: Int) throws -> [BatchCodec.Block] { try BatchCodec.decode(batches[i].commitment.data) }

    /// A header re-signed by the real Signer key (the dishonest sequencer holds it).
    static func resign(_ b: BatchCodec.Block, header: BlockHeader? = nil, inbox: [InboxMessage]? = nil,
                       transactions: [L2Envelope]? = nil) -> BatchCodec.Block {
        let h = header ?? b.header
        return BatchCodec.Block(header: h, signature: try! Secp256k1.sign(digest: h.hash.bytes, key: signerKey).rsv,
                                inbox: inbox ?? b.inbox, transactions: transactions ?? b.transactions)
    }

    /// Re-links `blocks` after `parent` (parentHash of each = hash of the previous, re-signed).
    static func rechain(_ blocks: [BatchCodec.Block], after parent: Hash32) -> [BatchCodec.Block] {
        var prev = parent
        return blocks.map { b in
            var h = b.header
            h.parentHash = prev
            let out = resign(b, header: h)
            prev = h.hash
            return out
        }
    }

    /// Batch `i` rebuilt from `blocks` with the honest commitment's other fields, except
    /// lastBlockHash (the new last header's) and any `adjust` made to it.
    func rebuilt(_ i: Int, _ blocks: [BatchCodec.Block], adjust: (inout Fields) -> Void = { _ in }) throws -> [ArchivedBatch] {
        let c = batches[i].commitment
        var f = Fields(lastBlockHash: blocks.last!.header.hash, stateRoot: c.stateRoot, settlementRoot: c.settlementRoot,
                       totalCredit: c.totalCredit, totalBurned: c.totalBurned, inboxCursor: c.inboxCursor, data: try BatchCodec.encode(blocks))
        adjust(&f)
        var out = batches
        out[i] = ArchivedBatch(commitment: BatchCommitment(batchIndex: c.batchIndex, firstBlock: c.firstBlock, lastBlock: c.lastBlock,
                                                           lastBlockHash: f.lastBlockHash, stateRoot: f.stateRoot, settlementRoot: f.settlementRoot,
                                                           totalCredit: f.totalCredit, totalBurned: f.totalBurned, inboxCursor: f.inboxCursor, data: f.data))
        return out
    }

    struct Fields {
        var lastBlockHash, stateRoot, settlementRoot: Hash32
        var totalCredit, totalBurned: UInt256
        var inboxCursor: UInt64
        var data: Bytes
    }

    /// The parent hash batch `i` starts from.
    func parentHash(of i: Int) -> Hash32 {
        let first = Self.ranges[i].lowerBound
        return first == 1 ? (try! store.block(0)!.hash) : blocks[Int(first) - 2].hash
    }

    /// Re-signs transaction `tx` with its sender's key after `change` altered its call.
    static func resigned(_ tx: L2Envelope, by key: PrivateKey, genesis: Genesis, call: L2Call) -> L2Envelope {
        let domain = L2TypedData.domain(chainId: genesis.chainId, rollup: genesis.rollup)
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: tx.nonce))
        return L2Envelope(call: call, nonce: tx.nonce, signature: try! Secp256k1.sign(digest: digest, key: key).rsv)
    }
}
