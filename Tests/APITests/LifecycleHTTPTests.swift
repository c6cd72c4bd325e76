import API
import Core
import Foundation
import Prover
import Sequencer
import Testing

/// One job from registration to withdrawal over real HTTP against a real service, reading
/// back every method's result with exact values.
@Suite struct LifecycleHTTPTests {
    typealias C = TestChain
    static let job = C.jobId(0x0a)
    static let register = L2Call.registerJob(.init(jobId: job, programId: 7, numParallel: 1, numEpoch: 2, dataset: C.h(0xd0),
                                                   param: C.h(0xe0), fuelLimit: 120_000, fuelPrice: 120 * C.gholon,
                                                   deadline: 4_000_000_000))

    @Test func jobLifecycleAndEveryRead() async throws {
        try await LiveService.with { s in try await lifecycle(s) }
    }

    func lifecycle(_ s: LiveService) async throws {
        let requester = C.requester.address, node = C.node.address, verifier = C.verifier.address

        // chainInfo: the domain a wallet signs in, and what identifies the chain.
        let info = try await s.result("emeth_chainInfo")
        #expect(info == .object([
            "chainId": .string("0x7a69"),
            "domain": .object(["name": .string("EMETH L2"), "version": .string("1"), "chainId": .string("0x7a69"),
                               "verifyingContract": .string("0x5FbDB2315678afecb367f032d93F642f64180aa3")]),
            "rollup": .string("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
            "token": .string("0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"),
            "signer": .string(C.signerKey.address.checksummed), "sequencer": .null,
            "genesisHash": .string(C.genesis.hash.bytes.hex),
            "genesis": C.genesis.json,
        ]))
        // The genesis it reports is the one its hash names, and reads back as this chain's rules.
        #expect(info["genesis"].map { Keccak.hash256($0.serialized) } == C.genesis.hash.bytes)
        #expect(try info["genesis"].map { try Genesis.parse($0) } == C.genesis)
        #expect(try await s.result("emeth_blockNumber") == .string("0x0"))

        // Funds enter through the L1 inbox (what the bridge's watcher queues).
        try s.deposit(requester, C.emt)
        try s.deposit(node, C.emt)
        try await s.waitBlock(1)
        #expect(try await s.result("emeth_getAccount", [.string(requester.checksummed)])
                == .object(["address": .string(requester.checksummed), "balance": .string("0xde0b6b3a7640000"),
                            "nonce": .string("0x0"), "credit": .string("0x0")]))

        // Register → Process → Submit. Admission runs each against the pending state: a stranger
        // holding nothing is refused, and so is the node's own Verify (it is not a verifier).
        let hRegister = try await s.send(C.wire(Self.register, nonce: 0, by: C.requester))
        #expect(hRegister == C.hash(Self.register, nonce: 0, by: C.requester))
        let hProcess = try await s.send(C.wire(.process(jobId: Self.job), nonce: 0, by: C.node))
        let hSubmit = try await s.send(C.wire(.submit(jobId: Self.job, result: C.h(0xaa), fuelUsed: 100_000), nonce: 1, by: C.node))
        #expect(try await s.error("emeth_sendTransaction", [C.wire(.verify(jobId: Self.job), nonce: 0, by: C.stranger)])
                == (-32006, "account \(C.stranger.address.checksummed) holds nothing (no balance, no credit, no role): deposit on L1 first"))
        #expect(try await s.error("emeth_sendTransaction", [C.wire(.verify(jobId: Self.job), nonce: 2, by: C.node)])
                == (-32006, "the transaction would fail with NOT_VERIFIER (6) against the pending state: only a verifier may do this"))
        // A transaction queued ahead of its sender's nonce is not checked until it is next in
        // line, and then cannot be refused any more: it is sequenced, failing (the node's
        // Verify at nonce 3, waiting for nonce 2 below).
        let hNodeVerify = try await s.send(C.wire(.verify(jobId: Self.job), nonce: 3, by: C.node))
        let rRegister = try await s.waitSequenced(hRegister)
        for h in [hProcess, hSubmit] { _ = try await s.waitSequenced(h) }
        #expect(rRegister["success"] == .bool(true) && rRegister["failure"] == .null)
        #expect(try await s.result("emeth_getAccount", [.string(C.stranger.address.checksummed)])["nonce"] == .string("0x0"))

        let hVerify = try await s.send(C.wire(.verify(jobId: Self.job), nonce: 0, by: C.verifier))
        let rVerify = try await s.waitSequenced(hVerify)
        let hWithdraw = try await s.send(C.wire(.withdraw(amount: 12_000_000 * C.gholon), nonce: 2, by: C.node))
        let rWithdraw = try await s.waitSequenced(hWithdraw)
        #expect(rWithdraw["success"] == .bool(true))
        let rNodeVerify = try await s.waitSequenced(hNodeVerify)
        #expect(rNodeVerify["status"] == .string("sequenced"))
        #expect(rNodeVerify["success"] == .bool(false) && rNodeVerify["failure"] == .int(6))
        #expect(rNodeVerify["sender"] == .string(node.checksummed))
        #expect(rNodeVerify["batchIndex"] == .null && rNodeVerify["l1TxHash"] == .null)
        #expect(rNodeVerify["blockNumber"] == rWithdraw["blockNumber"])

        // Exact balances (PROTOCOL §3): feeLimit 1.44e16, vFee 7.2e14, earned 1.2e16.
        func account(_ a: Address) async throws -> JSONValue { try await s.result("emeth_getAccount", [.string(a.checksummed)]) }
        #expect(try await account(requester)["balance"] == UInt256(987_280_000_000_000_000).q)
        #expect(try await account(node) == .object(["address": .string(node.checksummed), "balance": C.emt.q,
                                                    "nonce": .string("0x4"), "credit": UInt256(12_000_000_000_000_000).q]))
        #expect(try await account(verifier)["balance"] == UInt256(720_000_000_000_000).q)

        // The job with every field, timestamps from the blocks that created and verified it.
        let registeredAt = try await s.result("emeth_getBlockByNumber", [rRegister["blockNumber"]!])["timestamp"]!
        let verifiedAt = try await s.result("emeth_getBlockByNumber", [rVerify["blockNumber"]!])["timestamp"]!
        let expectedJob = JSONValue.object([
            "jobId": .string(Self.job.bytes.hex), "owner": .string(requester.checksummed), "parentJob": .string(JobID.zero.bytes.hex),
            "programId": .string("0x7"), "numParallel": .string("0x1"), "numEpoch": .string("0x2"),
            "dataset": .string(C.h(0xd0).bytes.hex), "param": .string(C.h(0xe0).bytes.hex), "fuelLimit": .string("0x1d4c0"),
            "fuelPrice": (120 * C.gholon).q, "deadline": UInt256(4_000_000_000).q, "status": .int(4), "statusName": .string("VERIFIED"),
            "node": .string(node.checksummed), "fuelUsed": .string("0x186a0"), "result": .string(C.h(0xaa).bytes.hex),
            "escrow": .string("0x0"), "nodeDeposit": .string("0x0"), "childCount": .string("0x0"), "verifiedChildren": .string("0x0"),
            "createdAt": registeredAt, "updatedAt": verifiedAt,
        ])
        #expect(try await s.result("emeth_getJob", [.string(Self.job.bytes.hex)]) == expectedJob)
        #expect(try await s.result("emeth_getJob", [.string(C.jobId(0x0b).bytes.hex)]) == .null)

        // listJobs: filters and paging.
        #expect(try await s.result("emeth_listJobs", [.object(["status": .int(4)])])
                == .object(["jobs": .array([expectedJob]), "cursor": .null]))
        #expect(try await s.result("emeth_listJobs", [.object(["status": .string("REQUESTED")])])
                == .object(["jobs": .array([]), "cursor": .null]))
        #expect(try await s.result("emeth_listJobs", [.object(["owner": .string(node.checksummed)])])["jobs"] == .array([]))
        #expect(try await s.result("emeth_listJobs", [.object(["node": .string(node.checksummed)])])["jobs"] == .array([expectedJob]))
        #expect(try await s.result("emeth_listJobs")["jobs"] == .array([expectedJob]))

        // The node's ticket: credit 1.2e16 at the withdrawal's block, signed by the Signer.
        let ticket = try await s.result("emeth_getTicket", [.string(node.checksummed)])
        #expect(ticket["account"] == .string(node.checksummed))
        #expect(ticket["credit"] == UInt256(12_000_000_000_000_000).q)
        #expect(ticket["blockNumber"] == rWithdraw["blockNumber"])
        let ticketBlock = try UInt256(parsing: ticket["blockNumber"]!.stringValue!).uint64!
        let digest = EIP712.Ticket.digest(domain: C.domain, account: node, credit: 12_000_000 * C.gholon, blockNumber: ticketBlock)
        let sig = try Hex.decode(ticket["signature"]!.stringValue!)
        #expect(try Secp256k1.recoverAddress(digest: digest, rsv: sig) == C.signerKey.address)
        #expect(try await s.result("emeth_getTicket", [.string(requester.checksummed)]) == .null)

        // Blocks: hashes recompute from the header fields, the Signer signed them.
        let head = try await s.result("emeth_blockNumber")
        let block = try await s.result("emeth_getBlockByNumber", [head, .bool(true)])
        let header = BlockHeader(number: try UInt256(parsing: block["number"]!.stringValue!).uint64!,
                                 parentHash: try Hash32(hex: block["parentHash"]!.stringValue!),
                                 timestamp: try UInt256(parsing: block["timestamp"]!.stringValue!).uint64!,
                                 txRoot: try Hash32(hex: block["txRoot"]!.stringValue!), stateRoot: try Hash32(hex: block["stateRoot"]!.stringValue!),
                                 settlementRoot: try Hash32(hex: block["settlementRoot"]!.stringValue!),
                                 inboxCursor: try UInt256(parsing: block["inboxCursor"]!.stringValue!).uint64!,
                                 txCount: try UInt256(parsing: block["txCount"]!.stringValue!).uint64!)
        #expect(block["hash"] == .string(header.hash.bytes.hex))
        #expect(try Secp256k1.recoverAddress(digest: header.hash.bytes, rsv: try Hex.decode(block["signature"]!.stringValue!))
                == C.signerKey.address)
        #expect(block["inboxCursor"] == .string("0x2") && block["txCount"] == .string("0x2"))
        let tx = try #require(block["transactions"]?.arrayValue?.first)
        #expect(tx["hash"] == .string(hWithdraw) && tx["sender"] == .string(node.checksummed))
        #expect(tx["type"] == .string("Withdraw") && tx["message"] == .object(["amount": .string("12000000000000000"), "nonce": .string("2")]))
        #expect(tx["index"] == .string("0x0") && tx["success"] == .bool(true) && tx["failure"] == .null)
        #expect(try await s.result("emeth_getBlockByNumber", [head])["transactions"] == .array([.string(hWithdraw), .string(hNodeVerify)]))
        let block1 = try await s.result("emeth_getBlockByNumber", [.string("1")])
        #expect(block1["inbox"]?.arrayValue?.count == 2 && block1["transactions"] == .array([]))
        #expect(block1["inbox"]?.arrayValue?.first == .object([
            "index": .string("0x0"), "kind": .string("deposit"), "account": .string(requester.checksummed), "amount": C.emt.q,
            "jobId": .string(JobID.zero.bytes.hex), "l1Block": .string("0x7"), "failure": .null]))
        #expect(try await s.result("emeth_getBlockByNumber", [.string("0x3e8")]) == .null)
        #expect(try await s.result("emeth_getBlockByNumber", [.string("earliest")])["parentHash"] == .string(Hash32.zero.bytes.hex))

        // Receipts: unknown hash → null.
        #expect(try await s.result("emeth_getTransactionReceipt", [.string(C.h(0x01).bytes.hex)]) == .null)

        // The Withdraw's inclusion proof is a proof file that verifies with no store at hand,
        // bound to the block the Signer signed; an unknown hash has none.
        let txProof = try await s.result("emeth_getTransactionProof", [.string(hWithdraw)])
        #expect(txProof["type"] == .string("transaction") && txProof["txHash"] == .string(hWithdraw))
        #expect(ProofFile.verify(txProof, signer: C.signerKey.address).exitCode == 0)
        #expect(txProof["block"]?["hash"] == .string(header.hash.bytes.hex))
        #expect(try await s.result("emeth_getTransactionProof", [.string(C.h(0x01).bytes.hex)]) == .null)

        try await stateProofs(s, head: head, stateRoot: try Hash32(hex: block["stateRoot"]!.stringValue!))
    }

    /// Proofs of the node's account, the job, the totals and an absent account verify against
    /// the block's stateRoot; at an older block the changed account proves only its hash.
    func stateProofs(_ s: LiveService, head: JSONValue, stateRoot: Hash32) async throws {
        let node = C.node.address
        let p = try await s.result("emeth_getStateProof", [.string(node.checksummed), head])
        #expect(p["kind"] == .string("account") && p["stateRoot"] == .string(stateRoot.bytes.hex))
        #expect(p["treeKey"] == .string(StateTreeKey.account(node).hex) && p["block"]?["stateRoot"] == .string(stateRoot.bytes.hex))
        #expect(p["decoded"] == .object(["balance": .string("1000000000000000000"), "nonce": .string("4"),
                                         "credit": .string("12000000000000000")]))
        let account = Account(balance: C.emt, nonce: 4, credit: 12_000_000 * C.gholon)
        #expect(p["record"] == .string(StateEncoding.encode(account).hex))
        let smt = try SparseMerkleProof(json: p["smt"]!)
        #expect(smt.verify(root: stateRoot.bytes, key: StateTreeKey.account(node).bytes,
                           valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(account)).bytes))

        let j = try await s.result("emeth_getStateProof", [.string(Self.job.bytes.hex)])
        #expect(j["kind"] == .string("job") && j["record"] != .null)
        #expect(try SparseMerkleProof(json: j["smt"]!).verify(root: stateRoot.bytes, key: try StateTreeKey.job(id: Self.job.bytes).bytes,
                                                               valueHash: Keccak.hash256(try Hex.decode(j["record"]!.stringValue!))))
        let t = try await s.result("emeth_getStateProof", [.string("totals")])
        var totals = Totals()
        totals.totalDeposited = 2 * C.emt; totals.totalCredit = 12_000_000 * C.gholon
        totals.totalBalances = 2 * C.emt - 12_000_000 * C.gholon
        #expect(t["record"] == .string(StateEncoding.encode(totals).hex))

        let absent = try await s.result("emeth_getStateProof", [.string(C.stranger.address.checksummed.lowercased()), .string("1")])
        #expect(absent["valueHash"] == .null && absent["record"] == .null && absent["blockNumber"] == .int(1))
        #expect(absent["key"] == .string(C.stranger.address.checksummed) && absent["type"] == .string("state"))
        let root1 = try Hash32(hex: try await s.result("emeth_getBlockByNumber", [.string("0x1")])["stateRoot"]!.stringValue!)
        #expect(try SparseMerkleProof(json: absent["smt"]!).verify(root: root1.bytes, key: StateTreeKey.account(C.stranger.address).bytes,
                                                                    valueHash: nil))
        // Block 1: the node had 1 EMT and nonce 0; its record changed since, so only the hash is proven.
        let old = try await s.result("emeth_getStateProof", [.string(node.checksummed), .string("0x1")])
        #expect(old["record"] == .null)
        #expect(old["valueHash"] == .string(StateTreeKey.valueHash(ofRecord: StateEncoding.encode(Account(balance: C.emt))).hex))
    }
}
