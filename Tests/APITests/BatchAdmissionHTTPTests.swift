import API
import Core
import Foundation
import Sequencer
import Testing

/// A JSON-RPC batch of `emeth_sendTransaction` over real HTTP to a real engine: its
/// transactions are admitted together (signatures recovered at once, one lock), in batch
/// order, and each gets exactly the answer it would get alone.
@Suite struct BatchAdmissionHTTPTests {
    typealias C = TestChain

    @Test func oneBadTransactionLeavesTheOthersAdmittedInOrder() async throws {
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 30)) { s in
            try s.deposit(C.requester.address, 10)
            let first = C.wire(.withdraw(amount: 4), nonce: 0, by: C.requester)
            var badSignature = C.wire(.withdraw(amount: 1), nonce: 1, by: C.requester).objectValue!
            badSignature["signature"] = .string(Array(C.sign(.withdraw(amount: 1), nonce: 1, by: C.requester)[0..<64]).hex)
            let second = C.wire(.withdraw(amount: 4), nonce: 1, by: C.requester)
            // Only 2 of the 10 are left once the two before it are admitted, in batch order.
            let third = C.wire(.withdraw(amount: 4), nonce: 2, by: C.requester)
            let calls: [JSONValue] = [first, .object(badSignature), second, third, first].enumerated().map { k, wire in
                .object(["jsonrpc": .string("2.0"), "id": .int(k + 1), "method": .string("emeth_sendTransaction"), "params": .array([wire])])
            }
            let h0 = C.hash(.withdraw(amount: 4), nonce: 0, by: C.requester)
            let h1 = C.hash(.withdraw(amount: 4), nonce: 1, by: C.requester)

            let reply = try await s.post(JSONValue.array(calls).serialized)
            #expect(reply.status == 200)
            func error(_ id: Int, _ code: Int, _ message: String) -> JSONValue {
                .object(["jsonrpc": .string("2.0"), "id": .int(id), "error": .object(["code": .int(code), "message": .string(message)])])
            }
            #expect(reply.json == .array([
                .object(["jsonrpc": .string("2.0"), "id": .int(1), "result": .string(h0)]),
                error(2, -32000, "invalid signature: expected 65 bytes r‖s‖v, got 64"),
                .object(["jsonrpc": .string("2.0"), "id": .int(3), "result": .string(h1)]),
                error(4, -32006, "the transaction would fail with INSUFFICIENT_BALANCE (10) against the pending state: the balance is too small; deposit more"),
                error(5, -32001, "transaction \(h0) is already known"),
            ]))

            // The two admitted are sequenced and ran; nothing else changed the account.
            #expect(try await s.waitSequenced(h1)["success"] == .bool(true))
            #expect(try await s.result("emeth_getTransactionReceipt", [.string(h0)])["success"] == .bool(true))
            let account = try await s.result("emeth_getAccount", [.string(C.requester.address.checksummed)])
            #expect(account["nonce"] == .string("0x2") && account["credit"] == .string("0x8") && account["balance"] == .string("0x2"))

            let metrics = try await s.http("GET", "/metrics").body
            for line in ["emeth_txs_received_total 5", "emeth_txs_accepted_total 2", #"emeth_txs_rejected_total{reason="bad_signature"} 1"#,
                         #"emeth_txs_rejected_total{reason="would_fail"} 1"#, #"emeth_txs_rejected_total{reason="nonce"} 1"#] {
                #expect(metrics.contains(line + "\n"), "missing \(line) in\n\(metrics)")
            }
        }
    }
}
