import API
import Core
import Foundation
import Sequencer
import Testing

/// Every class of refusal over real HTTP, with the exact code and message a client sees, and
/// the rejection counters /metrics reports for them.
@Suite struct RefusalHTTPTests {
    typealias C = TestChain

    @Test func malformedRequestsAndLimits() async throws {
        try await LiveService.with(limits: RPCLimits(maxBodyBytes: 4_096, maxBatch: 5)) { s in
            let parse = try await s.post(#"{"jsonrpc":"2.0","id":1,"method":"emeth_blockNumber""#)
            #expect(parse.status == 200)
            #expect(parse.json?["error"]?["code"] == .int(-32700) && parse.json?["id"] == .null)

            let version = try await s.post(#"{"jsonrpc":"1.0","id":4,"method":"emeth_blockNumber"}"#)
            #expect(version.json == .object(["jsonrpc": .string("2.0"), "id": .int(4), "error": .object([
                "code": .int(-32600), "message": .string(#"invalid request: jsonrpc must be "2.0", got "1.0""#)])]))

            #expect(try await s.error("eth_blockNumber") == (-32601, "the method eth_blockNumber does not exist"))

            let big = #"{"jsonrpc":"2.0","id":1,"method":"emeth_blockNumber","params":[""# + String(repeating: "a", count: 5_000) + #""]}"#
            let tooLarge = try await s.post(big)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["error"] == .object(["code": .int(-32003), "message": .string(
                "request body of \(big.utf8.count) bytes exceeds the limit of 4096 bytes")]))

            let six = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"emeth_blockNumber"}"#, count: 6).joined(separator: ",") + "]"
            #expect(try await s.post(six).json?["error"]?["message"] == .string("batch of 6 requests exceeds the limit of 5"))
            let two = try await s.post("[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"emeth_blockNumber"}"#, count: 2)
                .joined(separator: ",") + "]")
            #expect(two.json == .array(Array(repeating: .object(["jsonrpc": .string("2.0"), "id": .int(1), "result": .string("0x0")]), count: 2)))
            #expect(try await s.post("[]").json?["error"]?["code"] == .int(-32600))
            let notification = try await s.post(#"{"jsonrpc":"2.0","method":"emeth_blockNumber"}"#)
            #expect(notification.status == 204 && notification.json == nil)

            // Bad hex and bad values name the parameter.
            #expect(try await s.error("emeth_getAccount", [.string("0xzz")])
                    == (-32602, "invalid params: address: invalid address: invalid hex character 'z' at offset 2"))
            #expect(try await s.error("emeth_getAccount", [.string("5B38Da6a701c568545dCfcB03FcB875f56beddC4")])
                    == (-32602, "invalid params: address: expected 0x-hex of 20 bytes"))
            #expect(try await s.error("emeth_getJob", [.string("0x0102")])
                    == (-32602, "invalid params: jobId: not 0x-hex of 16 bytes: expected 16 bytes, got 2"))
            #expect(try await s.error("emeth_getBlockByNumber", [.string("0x1g")])
                    == (-32602, "invalid params: number: not a quantity: invalid digit 'g' in number \"0x1g\""))
            #expect(try await s.error("emeth_getBlockByNumber", [.string("1"), .string("yes")])
                    == (-32602, "invalid params: fullTxs: expected true or false"))
            #expect(try await s.error("emeth_getTransactionReceipt", [])
                    == (-32602, "invalid params: missing param hash"))
            #expect(try await s.error("emeth_listJobs", [.object(["status": .int(11)])])
                    == (-32602, "invalid params: status: 11 is no job status (1–10, or a name such as \"REQUESTED\")"))
            #expect(try await s.error("emeth_listJobs", [.object(["limit": .int(0)])])
                    == (-32602, "invalid params: limit: must be between 1 and 1000, got 0"))
            #expect(try await s.error("emeth_listJobs", [.object(["colour": .int(0)])])
                    == (-32602, "invalid params: filter: unknown param \"colour\" (expected status, owner, node, limit, cursor)"))
            #expect(try await s.error("emeth_getStateProof", [.string("0x1234")])
                    == (-32602, "invalid params: key: \"0x1234\" is neither an address (20 bytes), a job id (16 bytes) nor \"totals\""))
            #expect(try await s.error("emeth_getStateProof", [.string("totals"), .string("0x9")])
                    == (-32004, "block 9 does not exist yet (the head is block 0)"))
            #expect(try await s.error("emeth_getSettlementProof", [.string(C.node.address.checksummed)]).code == -32004)
        }
    }

    @Test func refusedTransactions() async throws {
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 30)) { s in
            let withdraw = L2Call.withdraw(amount: 5)
            // Malformed wire form: the field is named.
            var wire = C.wire(withdraw, nonce: 0, by: C.requester).objectValue!
            wire["message"] = .object(["amount": .string("0xz"), "nonce": .string("0")])
            #expect(try await s.error("emeth_sendTransaction", [.object(wire)])
                    == (-32602, "invalid params: tx: message.amount: not a uint256: invalid digit 'z' in number \"0xz\""))
            #expect(try await s.error("emeth_sendTransaction", [.string("0x00")])
                    == (-32602, "invalid params: tx: expected the wire-form object {type, message, signature}"))

            // Bad signatures: high-s, wrong v, wrong length.
            var sig = C.sign(withdraw, nonce: 0, by: C.requester)
            var bad = sig
            bad[64] = 29
            wire = C.wire(withdraw, nonce: 0, by: C.requester).objectValue!
            wire["signature"] = .string(bad.hex)
            #expect(try await s.error("emeth_sendTransaction", [.object(wire)]).code == -32000)
            let n = try UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            let highS = (n - (try UInt256(bigEndian: Array(sig[32..<64])))).bigEndianBytes
            bad = Array(sig[0..<32]) + highS + [sig[64] == 27 ? 28 : 27]
            wire["signature"] = .string(bad.hex)
            let highSError = try await s.error("emeth_sendTransaction", [.object(wire)])
            #expect(highSError.code == -32000 && highSError.message.hasPrefix("invalid signature: "))
            wire["signature"] = .string(Array(sig[0..<64]).hex)
            #expect(try await s.error("emeth_sendTransaction", [.object(wire)])
                    == (-32000, "invalid signature: expected 65 bytes r‖s‖v, got 64"))

            // Wrong domain: signed for chain 1. Stated expectations catch it.
            let otherChain = L2TypedData.domain(chainId: 1, rollup: C.rollup)
            let foreign = C.wire(withdraw, nonce: 0, by: C.requester, domain: otherChain)
            let wrongFrom = try await s.error("emeth_sendTransaction", [foreign, .object(["from": .string(C.requester.address.checksummed)])])
            #expect(wrongFrom.code == -32002)
            #expect(wrongFrom.message.contains("not expect.from \(C.requester.address.checksummed): signed for another domain"))
            #expect(try await s.error("emeth_sendTransaction", [foreign, .object(["chainId": .string("1")])])
                    == (-32002, "wrong chain: this L2 has chainId 31337, expect.chainId is 1"))
            #expect(try await s.error("emeth_sendTransaction", [foreign, .object(["verifyingContract": .string(C.node.address.checksummed)])]).code
                    == -32002)
            // Without expectations it reads as some stranger's transaction (docs/API.md), and that
            // stranger holds nothing.
            let foreign1 = C.wire(withdraw, nonce: 5_000, by: C.requester, domain: otherChain)
            let foreignError = try await s.error("emeth_sendTransaction", [foreign1])
            #expect(foreignError.code == -32006 && foreignError.message.hasSuffix("holds nothing (no balance, no credit, no role): deposit on L1 first"))

            // Admission against the pending state: an account holding nothing may not send, and
            // what would fail is refused, naming the failure.
            #expect(try await s.error("emeth_sendTransaction", [C.wire(withdraw, nonce: 0, by: C.requester)])
                    == (-32006, "account \(C.requester.address.checksummed) holds nothing (no balance, no credit, no role): deposit on L1 first"))
            try s.deposit(C.requester.address, 3)
            #expect(try await s.error("emeth_sendTransaction", [C.wire(withdraw, nonce: 0, by: C.requester)])
                    == (-32006, "the transaction would fail with INSUFFICIENT_BALANCE (10) against the pending state: the balance is too small; deposit more"))
            try s.deposit(C.requester.address, 2)

            // Replays: the same transaction twice while pending, then again once sequenced.
            sig = C.sign(withdraw, nonce: 0, by: C.requester)
            let good = C.wire(withdraw, nonce: 0, by: C.requester)
            let h = try await s.send(good)
            let again = try await s.error("emeth_sendTransaction", [good])
            #expect(again.code == -32001)
            _ = try await s.waitSequenced(h)
            #expect(try await s.error("emeth_sendTransaction", [good]) == (-32001, "nonce too low: expected 1, got 0"))
            // The deposits arrived in time: the Withdraw of all 5 succeeded.
            #expect(try await s.result("emeth_getTransactionReceipt", [.string(h)])["success"] == .bool(true))
            #expect(try await s.result("emeth_getAccount", [.string(C.requester.address.checksummed)])["credit"] == .string("0x5"))
            #expect(try await s.error("emeth_sendTransaction", [C.wire(withdraw, nonce: 5_000, by: C.requester)])
                    == (-32001, "nonce too high: expected 1, got 5000 (at most 1024 ahead)"))

            // /metrics counts them by reason.
            let metrics = try await s.http("GET", "/metrics")
            #expect(metrics.status == 200 && metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
            for line in ["emeth_txs_received_total 15", "emeth_txs_accepted_total 1", #"emeth_txs_rejected_total{reason="would_fail"} 3"#,
                         #"emeth_txs_rejected_total{reason="bad_signature"} 3"#, #"emeth_txs_rejected_total{reason="invalid"} 2"#,
                         #"emeth_txs_rejected_total{reason="nonce"} 3"#, #"emeth_txs_rejected_total{reason="wrong_domain"} 3"#] {
                #expect(metrics.body.contains(line + "\n"), "missing \(line) in\n\(metrics.body)")
            }
        }
    }
}
