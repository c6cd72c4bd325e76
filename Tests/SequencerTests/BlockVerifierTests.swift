import Core
import Foundation
import Testing
import Workloads
@testable import Sequencer

/// What a follower checks before it stores a served block (`BlockVerifier`): a leader's real
/// chain (RocksDB on disk, real signatures) applies byte for byte; each tampered field is
/// refused naming that field with both values, and nothing of a refused block is written.
@Suite struct BlockVerifierTests {
    static let otherKey = try! PrivateKey(hex: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba")

    /// A leader's chain of `blocks` blocks (deposits, then 6 transactions a block, withdrawals
    /// among them, so blocks carry tickets) and a fresh follower store on the same genesis.
    final class Fixture {
        let leaderDir = ChainStoreTests.tempDir(), followerDir = ChainStoreTests.tempDir()
        let leader: ChainStore
        let follower: ChainStore
        let verifier: BlockVerifier
        let key = ChainStoreTests.signerKey

        init(blocks: UInt64 = 4) throws {
            let genesis = Genesis(chainId: 31337, rollup: BlockProducerTests.rollup, signer: key.address, timestamp: 1_000, roles: Roles())
            leader = try ChainStore(path: leaderDir, genesis: genesis)
            let engine = SequencerEngine(store: leader, signerKey: key, policy: SealPolicy(maxTxs: 100))
            try Workload(seed: 5, users: 3, txsPerBlock: 6).run(engine, to: blocks) { _ in }
            follower = try ChainStore(path: followerDir, genesis: genesis)
            verifier = BlockVerifier(genesis: genesis)
        }

        deinit {
            leader.db.close(); follower.db.close()
            for d in [leaderDir, followerDir] { try? FileManager.default.removeItem(atPath: d) }
        }

        func served(_ n: UInt64) throws -> Bytes { try #require(try leader.storedBlock(n)) }
        func block(_ n: UInt64) throws -> SealedBlock { try #require(try leader.block(n)) }

        /// Verifies `bytes` as the follower's next block; stores it if it verifies.
        @discardableResult
        func apply(_ bytes: Bytes) throws -> BlockRefusal? {
            switch try verifier.verify(verifier.prepare([bytes])[0], on: follower) {
            case .failure(let r): return r
            case .success(let v):
                try follower.write(v.batch, sync: true)
                follower.didWrite(v.block.header, state: v.state)
                return nil
            }
        }

        /// Applies the leader's blocks 1…n.
        func follow(to n: UInt64) throws {
            for k in 1...n { #expect(try apply(try served(k)) == nil) }
        }

        /// `block` with `header`, re-signed by `signer` (a Signer gone rogue, or another key).
        func resigned(_ b: SealedBlock, header h: BlockHeader, by signer: PrivateKey? = nil) -> Bytes {
            let sig = try! Secp256k1.sign(digest: h.hash.bytes, key: signer ?? key).rsv
            return BlockCodec.encode(SealedBlock(header: h, signature: sig, inbox: b.inbox, inboxFailures: b.inboxFailures,
                                                 transactions: b.transactions, receipts: b.receipts, tickets: b.tickets))
        }

        func with(_ b: SealedBlock, transactions: [L2Transaction]? = nil, receipts: [TxReceipt]? = nil, tickets: [Ticket]? = nil) -> Bytes {
            BlockCodec.encode(SealedBlock(header: b.header, signature: b.signature, inbox: b.inbox, inboxFailures: b.inboxFailures,
                                          transactions: transactions ?? b.transactions, receipts: receipts ?? b.receipts,
                                          tickets: tickets ?? b.tickets))
        }

        /// Asserts that `bytes` is refused as the block after `before`, and that the store did
        /// not move.
        func expectRefused(_ bytes: Bytes, after before: UInt64) throws -> BlockRefusal {
            let refusal = try #require(try apply(bytes))
            #expect(refusal.block == before + 1)
            #expect(follower.head.number == before)
            #expect(try follower.storedBlock(before + 1) == nil)
            return refusal
        }

        /// After refusals, the leader's real block still applies: nothing of them was kept.
        func expectRealBlockApplies() throws {
            let n = follower.head.number + 1
            #expect(try apply(try served(n)) == nil)
            #expect(try follower.storedBlock(n) == leader.storedBlock(n))
        }
    }

    @Test func aLeadersChainAppliesByteForByte() throws {
        let f = try Fixture(blocks: 4)
        try f.follow(to: 4)
        #expect(f.follower.head == f.leader.head)
        for n in 0...UInt64(4) { #expect(try f.follower.storedBlock(n) == f.leader.storedBlock(n)) }
        let b = try f.block(3)
        #expect(b.transactions.count == 6 && !b.tickets.isEmpty)
        for tx in b.transactions { #expect(try f.follower.location(of: tx.hash)! == f.leader.location(of: tx.hash)!) }
        for t in b.tickets { #expect(try f.follower.latestTicket(t.account) == f.leader.latestTicket(t.account)) }
        #expect(f.follower.totals == f.leader.totals)
    }

    @Test func signatureOfAnotherKey() throws {
        let f = try Fixture()
        try f.follow(to: 1)
        let b = try f.block(2)
        let r = try f.expectRefused(f.resigned(b, header: b.header, by: BlockVerifierTests.otherKey), after: 1)
        #expect(r.field == "signature" && r.index == nil)
        #expect(r.expected == f.key.address.checksummed && r.found == BlockVerifierTests.otherKey.address.checksummed)
        #expect(r.description == "block 2: Signer signature recovers \(BlockVerifierTests.otherKey.address.checksummed), expected \(f.key.address.checksummed)")
        try f.expectRealBlockApplies()
    }

    @Test func parentHashIsTheHeadsHash() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        var h = b.header
        h.parentHash = Hash32(unchecked: Bytes(repeating: 0xab, count: 32))
        let real = f.follower.head.header.hash
        let r = try f.expectRefused(f.resigned(b, header: h), after: 2)
        #expect(r.field == "parentHash" && r.expected == real.description && r.found == h.parentHash.description)
        #expect(r.description == "block 3: parentHash \(h.parentHash) does not match block 2's hash \(real)")
        try f.expectRealBlockApplies()
    }

    @Test func aBlockOutOfOrderNamesTheNumber() throws {
        let f = try Fixture()
        try f.follow(to: 1)
        let r = try f.expectRefused(try f.served(3), after: 1)
        #expect(r.field == "number" && r.expected == "2" && r.found == "3")
        try f.expectRealBlockApplies()
    }

    @Test func reexecutedRootsAndCounts() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        let other = Hash32(unchecked: Bytes(repeating: 0xcd, count: 32))
        for field in ["stateRoot", "txRoot", "settlementRoot", "inboxCursor", "txCount"] {
            var h = b.header
            let real: String
            switch field {
            case "stateRoot": real = h.stateRoot.description; h.stateRoot = other
            case "txRoot": real = h.txRoot.description; h.txRoot = other
            case "settlementRoot": real = h.settlementRoot.description; h.settlementRoot = other
            case "inboxCursor": real = String(h.inboxCursor); h.inboxCursor += 1
            default: real = String(h.txCount); h.txCount -= 1
            }
            let bytes = f.resigned(b, header: h)
            if field == "txCount" {
                // The stored form checks the count against its own list: a decoding failure.
                let r = try #require(try f.apply(bytes))
                #expect(r.field == "encoding" && r.block == 3)
                continue
            }
            let r = try #require(try f.apply(bytes))
            let found = field == "inboxCursor" ? String(h.inboxCursor) : other.description
            #expect(r.field == field && r.expected == real && r.found == found, "\(field): \(r)")
            #expect(r.description.hasPrefix("block 3: \(field) \(found) does not match re-execution \(real)"))
            #expect(f.follower.head.number == 2)
        }
        #expect(try f.apply(try f.served(3)) == nil)
    }

    @Test func earlierTimestampThanTheParent() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        var h = b.header
        h.timestamp = f.follower.head.header.timestamp - 1
        let r = try f.expectRefused(f.resigned(b, header: h), after: 2)
        #expect(r.field == "timestamp" && r.expected == "≥ \(h.timestamp + 1)" && r.found == String(h.timestamp))
        try f.expectRealBlockApplies()
    }

    @Test func transactionFieldsAndBytes() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        let tx = b.transactions[1]
        func replacing(_ t: L2Transaction) -> [L2Transaction] { var l = b.transactions; l[1] = t; return l }

        // The sender the leader stored is not the one the signature recovers.
        let stranger = BlockVerifierTests.otherKey.address
        var r = try f.expectRefused(f.with(b, transactions: replacing(L2Transaction(envelope: tx.envelope, sender: stranger, hash: tx.hash))), after: 2)
        #expect(r.field == "tx.sender" && r.index == 1 && r.expected == tx.sender.checksummed && r.found == stranger.checksummed)

        let wrongHash = Hash32(unchecked: Bytes(repeating: 7, count: 32))
        r = try f.expectRefused(f.with(b, transactions: replacing(L2Transaction(envelope: tx.envelope, sender: tx.sender, hash: wrongHash))), after: 2)
        #expect(r.field == "tx.hash" && r.index == 1 && r.expected == tx.hash.description && r.found == wrongHash.description)
        #expect(r.description == "block 3, tx 1: tx.hash is \(wrongHash), expected \(tx.hash)")

        // One field of the signed transaction changed (its nonce): the signature recovers someone else.
        let altered = L2Envelope(call: tx.envelope.call, nonce: tx.nonce + 1, signature: tx.signature)
        let recovered = try L2Admission(chainId: 31337, rollup: BlockProducerTests.rollup).authenticate(altered).sender
        r = try f.expectRefused(f.with(b, transactions: replacing(L2Transaction(envelope: altered, sender: tx.sender, hash: tx.hash))), after: 2)
        #expect(r.field == "tx.sender" && r.index == 1 && r.expected == recovered.checksummed && r.found == tx.sender.checksummed)

        // A signature no key recovers from (v = 29).
        let broken = L2Envelope(call: tx.envelope.call, nonce: tx.nonce, signature: Array(tx.signature.dropLast()) + [29])
        r = try f.expectRefused(f.with(b, transactions: replacing(L2Transaction(envelope: broken, sender: tx.sender, hash: tx.hash))), after: 2)
        #expect(r.field == "tx.signature" && r.index == 1 && r.found == broken.signature.hex)
        try f.expectRealBlockApplies()
    }

    @Test func outcomesTheBlockRecords() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        var receipts = b.receipts
        receipts[2] = TxReceipt(hash: receipts[2].hash, index: 2, failure: .insufficientBalance)
        let r = try f.expectRefused(f.with(b, receipts: receipts), after: 2)
        #expect(r.field == "tx.failure" && r.index == 2 && r.expected == "0 (success)" && r.found == String(FailureCode.insufficientBalance.rawValue))
        #expect(r.description == "block 3, tx 2: tx.failure \(FailureCode.insufficientBalance.rawValue) does not match re-execution 0 (success)")
        try f.expectRealBlockApplies()
    }

    @Test func ticketsOnePerCreditChangeSignedByTheSigner() throws {
        let f = try Fixture()
        try f.follow(to: 2)
        let b = try f.block(3)
        let t = try #require(b.tickets.first)
        let digest = EIP712.Ticket.digest(domain: L2TypedData.domain(chainId: 31337, rollup: BlockProducerTests.rollup),
                                          account: t.account, credit: t.credit + 1, blockNumber: 3)
        let forged = Ticket(account: t.account, credit: t.credit + 1, blockNumber: 3,
                            signature: try Secp256k1.sign(digest: digest, key: f.key).rsv)
        var r = try f.expectRefused(f.with(b, tickets: [forged] + b.tickets.dropFirst()), after: 2)
        #expect(r.field == "ticket.credit" && r.index == 0 && r.expected == t.credit.description && r.found == (t.credit + 1).description)

        let byStranger = Ticket(account: t.account, credit: t.credit, blockNumber: 3, signature: try Secp256k1.sign(
            digest: EIP712.Ticket.digest(domain: L2TypedData.domain(chainId: 31337, rollup: BlockProducerTests.rollup),
                                         account: t.account, credit: t.credit, blockNumber: 3), key: BlockVerifierTests.otherKey).rsv)
        r = try f.expectRefused(f.with(b, tickets: [byStranger] + b.tickets.dropFirst()), after: 2)
        #expect(r.field == "ticket.signature" && r.index == 0 && r.found == BlockVerifierTests.otherKey.address.checksummed
                && r.expected == f.key.address.checksummed)

        r = try f.expectRefused(f.with(b, tickets: Array(b.tickets.dropFirst())), after: 2)
        #expect(r.field == "tickets" && r.found == String(b.tickets.count - 1) && r.expected.hasPrefix(String(b.tickets.count)))
        try f.expectRealBlockApplies()
    }

    @Test func bytesThatAreNoBlock() throws {
        let f = try Fixture()
        let r = try f.expectRefused([0xc0], after: 0)
        #expect(r.field == "encoding" && r.expected == "a block in storage format 2")
        // Appending a byte after a valid block: the decoder refuses trailing bytes, or the
        // re-encoding differs; either way the block is refused as its encoding.
        let padded = try f.expectRefused(try f.served(1) + [0], after: 0)
        #expect(padded.field == "encoding")
        try f.expectRealBlockApplies()
    }
}
