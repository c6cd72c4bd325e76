import Core
import Testing
@testable import Sequencer

/// Sealing: roots that prove balances, credits and order; Signer signatures and tickets that
/// recover to the Signer; the same inputs giving the same block hashes byte for byte.
@Suite struct BlockProducerTests {
    typealias H = STFHarness
    static let signerKey = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let job = H.jobId(7)

    static func tx(_ from: Address, _ nonce: UInt64, _ call: L2Call) -> L2Transaction {
        L2Transaction(call: call, nonce: nonce, sender: from,
                      hash: Hash32(unchecked: Keccak.hash256(Array("\(from)-\(nonce)".utf8))),
                      signature: Bytes(repeating: 1, count: 64) + [27]) // stored, not checked, by these tests
    }

    /// Three blocks: deposits; a job registered, processed, submitted; verified and withdrawn.
    static func chain() throws -> (blocks: [SealedBlock], state: InMemoryState, tree: SparseMerkleTree, signer: Signer) {
        let h = H()
        let genesis = Genesis(chainId: 31337, rollup: rollup, signer: signerKey.address, timestamp: 1_000, roles: h.stf.roles)
        let producer = BlockProducer(stf: h.stf)
        let signer = Signer(key: signerKey, chainId: 31337, rollup: rollup)
        let state = InMemoryState()
        var tree = SparseMerkleTree(store: InMemorySMTNodeStore())
        var parent = try BlockProducer.genesis(genesis, tree: &tree)
        let inputs: [([InboxMessage], [L2Transaction])] = [
            ([InboxMessage(index: 0, kind: .deposit, account: H.requester, amount: 1 * .emt, l1Block: 5),
              InboxMessage(index: 1, kind: .deposit, account: H.node, amount: 1 * .emt, l1Block: 5)], []),
            ([], [tx(H.requester, 0, H.register(job, fuelLimit: 120_000, fuelPrice: 120 * .gholon, deadline: 5_000)),
                  tx(H.node, 0, .process(jobId: job)),
                  tx(H.node, 5, .withdraw(amount: 1)), // wrong nonce: dropped
                  tx(H.node, 1, .submit(jobId: job, result: H.h(0xaa), fuelUsed: 100_000))]),
            ([], [tx(H.verifier, 0, .verify(jobId: job)), tx(H.node, 2, .withdraw(amount: 12_000_000 * .gholon))]),
        ]
        var blocks: [SealedBlock] = []
        for (k, (inbox, txs)) in inputs.enumerated() {
            var w = state.begin()
            let out = try producer.execute(parent: parent, timestamp: 1_000 + UInt64(k) * 2, inbox: inbox, transactions: txs,
                                           state: &w, tree: &tree)
            state.commit(w)
            let block = signer.seal(out)
            blocks.append(block)
            parent = block.header
            if k == 1 { #expect(out.dropped.map(\.0.nonce) == [5]) }
        }
        return (blocks, state, tree, signer)
    }

    @Test func headersChainAndCountWhatTheyApplied() throws {
        let (blocks, _, _, _) = try Self.chain()
        #expect(blocks.map(\.number) == [1, 2, 3])
        #expect(blocks[1].header.parentHash == blocks[0].hash)
        #expect(blocks[2].header.parentHash == blocks[1].hash)
        #expect(blocks.map(\.header.txCount) == [0, 3, 2])
        #expect(blocks.map(\.header.inboxCursor) == [2, 2, 2])
        #expect(blocks[0].header.txRoot == .zero)
        #expect(blocks[1].header.txRoot.bytes == OrderedMerkleTree.root(blocks[1].transactions.map(\.hash.bytes)))
        #expect(blocks[1].receipts.map(\.success) == [true, true, true])
        #expect(blocks[0].header.settlementRoot == .zero)
    }

    @Test func stateRootProvesExactBalancesAndAbsence() throws {
        let (blocks, state, tree, _) = try Self.chain()
        let root = blocks[2].header.stateRoot.bytes
        let node = try #require(state.account(H.node))
        // Deposit back + 100,000 × 120 Gholon earned − 12,000,000 Gholon withdrawn.
        #expect(node.balance == 1 * .emt)
        #expect(node.credit == 12_000_000 * .gholon)
        let proof = try tree.proof(StateEncoding.accountKey(H.node))
        #expect(proof.verify(root: StateEncoding.accountKey(H.node), valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(node)),
                             in: root))
        var wrong = node
        wrong.balance = wrong.balance + 1
        #expect(!proof.verify(root: StateEncoding.accountKey(H.node), valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(wrong)),
                              in: root))
        let stranger = try tree.proof(StateEncoding.accountKey(H.stranger))
        #expect(stranger.verify(root: StateEncoding.accountKey(H.stranger), valueHash: nil, in: root))
        let job = try #require(state.job(Self.job))
        #expect(job.status == .verified)
        #expect(try tree.proof(StateEncoding.jobKey(Self.job)).verify(root: StateEncoding.jobKey(Self.job),
                                                                       valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(job)), in: root))
    }

    @Test func settlementRootAndTicketsCarryTheNewCredit() throws {
        let (blocks, _, _, signer) = try Self.chain()
        let b = blocks[2]
        let credit = UInt256(12_000_000) * .gholon
        let leaf = StandardMerkleTree.settlementLeaf(account: H.node, credit: credit)
        #expect(MerkleProof.verify(proof: [], root: b.header.settlementRoot.bytes, leaf: leaf)) // one leaf: root = leaf
        #expect(b.tickets.count == 1)
        let t = b.tickets[0]
        #expect(t.account == H.node && t.credit == credit && t.blockNumber == 3)
        let digest = EIP712.Ticket.digest(domain: signer.domain, account: H.node, credit: credit, blockNumber: 3)
        #expect(try Secp256k1.recoverAddress(digest: digest, rsv: t.signature) == Self.signerKey.address)
        #expect(try Secp256k1.recoverAddress(digest: b.hash.bytes, rsv: b.signature) == Self.signerKey.address)
    }

    /// Execution needs no key: the executed block is the sealed block's content, header for
    /// header, and another Signer's seal changes only the signatures.
    @Test func executionIsSeparateFromSigning() throws {
        let h = H()
        let genesis = Genesis(chainId: 31337, rollup: Self.rollup, signer: Self.signerKey.address, timestamp: 1_000, roles: h.stf.roles)
        var tree = SparseMerkleTree(store: InMemorySMTNodeStore())
        let parent = try BlockProducer.genesis(genesis, tree: &tree)
        var w = h.state.begin()
        let executed = try BlockProducer(stf: h.stf).execute(
            parent: parent, timestamp: 1_000, inbox: [InboxMessage(index: 0, kind: .deposit, account: H.requester, amount: 1 * .emt, l1Block: 5),
                                                      InboxMessage(index: 1, kind: .deposit, account: H.node, amount: 1 * .emt, l1Block: 5)],
            transactions: [], state: &w, tree: &tree)
        let (blocks, _, _, signer) = try Self.chain()
        #expect(executed.header == blocks[0].header)
        #expect(executed.creditChanges.isEmpty && executed.inboxFailures == [nil, nil])
        let other = Signer(key: try PrivateKey(hex: "0x" + String(repeating: "22", count: 32)), chainId: 31337, rollup: Self.rollup)
        let mine = signer.seal(executed), theirs = other.seal(executed)
        #expect(mine == blocks[0])
        #expect(theirs.header == mine.header && theirs.signature != mine.signature)
        #expect(try Secp256k1.recoverAddress(digest: theirs.hash.bytes, rsv: theirs.signature) == other.address)
    }

    @Test func sameInputsSameBlocks() throws {
        let a = try Self.chain().blocks.map(\.hash), b = try Self.chain().blocks.map(\.hash)
        #expect(a == b)
    }
}

extension SparseMerkleProof {
    func verify(root key: SMTHash, valueHash: SMTHash?, in stateRoot: Bytes) -> Bool {
        verify(root: try! SMTHash(stateRoot), key: key, valueHash: valueHash)
    }
}
