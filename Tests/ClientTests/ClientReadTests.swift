import Core
import Sequencer
import Testing
@testable import Client

/// Reading the API's answers back: chain info (checked against its genesis hash), jobs,
/// receipts, admission messages, and the report a command prints.
@Suite struct ClientReadTests {
    static func chainInfo(genesis: JSONValue, hash: Hash32) -> JSONValue {
        .object(["chainId": .string("0x7a69"), "genesisHash": .string(hash.bytes.hex), "genesis": genesis,
                 "domain": .object(["name": .string("EMETH L2"), "version": .string("1"), "chainId": .string("0x7a69"),
                                    "verifyingContract": .string(F.rollup.checksummed)])])
    }

    @Test func chainContextReadsTheGenesisItsHashNames() throws {
        let c = try ChainContext.parse(Self.chainInfo(genesis: F.genesis.json, hash: F.genesis.hash))
        #expect(c == F.chain)
        #expect(c.params.minFuelPrice == F.gholon)
        var other = F.genesis
        other.params.verifierFeeRate = 1
        #expect(throws: ClientError(.unavailable, "emeth_chainInfo reported a genesis that does not match its genesisHash")) {
            try ChainContext.parse(Self.chainInfo(genesis: other.json, hash: F.genesis.hash))
        }
        #expect(throws: ClientError.self) { try ChainContext.parse(.object([:])) }
    }

    @Test func jobJSONReadsBackEveryField() throws {
        var j = F.job(.split)
        j.childCount = 3; j.verifiedChildren = 1; j.result = F.h(0xcc); j.fuelUsed = 77
        let json = JSONValue.object([
            "jobId": .string(j.id.bytes.hex), "owner": .string(j.owner.checksummed), "parentJob": .string(j.parentJob.bytes.hex),
            "programId": .string("0x7"), "numParallel": .string("0x1"), "numEpoch": .string("0x2"), "dataset": .string(j.dataset.bytes.hex),
            "param": .string(j.param.bytes.hex), "fuelLimit": .string(j.fuelLimit.hexQuantity), "fuelPrice": .string(j.fuelPrice.hexQuantity),
            "deadline": .string(UInt256(j.deadline).hexQuantity), "status": .int(9), "statusName": .string("SPLIT"),
            "node": .string(Address.zero.checksummed), "fuelUsed": .string("0x4d"), "result": .string(j.result.bytes.hex),
            "escrow": .string(j.escrow.hexQuantity), "nodeDeposit": .string("0x0"), "childCount": .string("0x3"),
            "verifiedChildren": .string("0x1"), "createdAt": .string(UInt256(j.createdAt).hexQuantity),
            "updatedAt": .string(UInt256(j.updatedAt).hexQuantity)])
        #expect(try JobJSON.parse(json) == j)
        guard case .object(var broken) = json else { return }
        broken["status"] = .int(11)
        #expect(throws: ClientError(.unavailable, "job status 11 is unknown")) { try JobJSON.parse(.object(broken)) }
    }

    @Test func receiptsAndAdmissionMessages() throws {
        let r = try Receipt.parse(.object(["status": .string("sequenced"), "blockNumber": .string("0x1f"), "success": .bool(false),
                                           "failure": .int(5), "hash": .string("0x00")]))
        #expect(r.isSequenced && r.blockNumber == 31 && r.success == false && r.failure == .notAssignedNode)
        let p = try Receipt.parse(.object(["status": .string("pending"), "blockNumber": .null, "failure": .null]))
        #expect(!p.isSequenced && p.blockNumber == nil && p.failure == nil)
        #expect(throws: ClientError.self) { try Receipt.parse(.object(["status": .string("lost")])) }
        #expect(TransactionClient.failureCode(in: "the transaction would fail with NOT_ASSIGNED_NODE (5) against the pending state: only the job's node may do this") == .notAssignedNode)
        #expect(TransactionClient.failureCode(in: "the transaction would fail with PRICE_BELOW_MINIMUM (25) against the pending state") == .priceBelowMinimum)
        #expect(TransactionClient.failureCode(in: "account 0x… holds nothing (no balance, no credit, no role): deposit on L1 first") == nil)
    }

    @Test func reportLinesAndJSON() throws {
        let tx = try SignedTransaction.sign(.process(jobId: F.id(0x0a)), nonce: 4, key: F.node, domain: F.chain.domain)
        var report = TransactionReport(tx: tx)
        let node = F.node.address.checksummed, id = F.id(0x0a).bytes.hex
        #expect(report.lines == ["sent Process of job \(id) from \(node) (nonce 4): \(tx.hash.bytes.hex)"])
        #expect(report.json["success"] == .null && report.json["receipt"] == .null && report.json["nonce"] == .int(4))
        report.receipt = try Receipt.parse(.object(["status": .string("sequenced"), "blockNumber": .string("0x9"), "success": .bool(true)]))
        report.job = F.job(.processing, node: F.node.address)
        report.balance = 5_000_000_000_000_000
        #expect(report.lines.last == "sequenced in block 9: job \(id) is PROCESSING, deposit 0.00315000945 EMT locked; balance of \(node) now 0.005 EMT")
        #expect(report.error == nil && report.json["success"] == .bool(true) && report.json["balance"] == .string("0x11c37937e08000"))
        report.failure = .wrongStatus
        report.reason = "job \(id) is PROCESSING, but process needs it REQUESTED; see `emeth job show \(id)`"
        #expect(report.error == ClientError(.failed, "Process failed in block 9 with WRONG_STATUS (3): job \(id) is PROCESSING, but process needs it REQUESTED; see `emeth job show \(id)`", failure: .wrongStatus))
        #expect(report.json["failure"] == .object(["code": .int(3), "name": .string("WRONG_STATUS"), "reason": .string(report.reason!)]))
        #expect(report.json["success"] == .bool(false))
    }
}
