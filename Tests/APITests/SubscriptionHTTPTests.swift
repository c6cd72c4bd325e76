import Core
import Foundation
import Sequencer
import Testing
@testable import API
@testable import Node

/// A real node's subscriptions and status page over real HTTP: a sealed block reaches the
/// node's hub only once durable and reads exactly as the HTTP methods return it; the batch
/// list comes from the poster's status; the page and `/ws` answer plain HTTP clients sensibly.
@Suite struct SubscriptionHTTPTests {
    typealias C = TestChain

    static func drop(_ v: JSONValue, _ keys: String...) -> JSONValue {
        .object((v.objectValue ?? [:]).filter { !keys.contains($0.key) })
    }

    @Test func theNodeReportsEachDurableBlockToItsHub() async throws {
        try await LiveService.with { s in
            let hub = try #require(s.service.api.subscriptions)
            let c = hub.connect()
            let heads = try hub.subscribe(c, .newHeads)
            let receipts = try hub.subscribe(c, .receipts(sender: C.node.address))
            hub.activate(c)
            try s.deposit(C.node.address, C.emt)
            try await s.waitBlock(1)
            let h = try await s.send(C.wire(.withdraw(amount: 9), nonce: 0, by: C.node))
            var got: [JSONValue] = []
            while got.count < 3, case .message(let text)? = await c.nextOrTimeout() { got.append(try JSONValue.parse(text)) }
            // Block 1 (the deposit), then block 2: its receipt before its head.
            let block1 = try await s.result("emeth_getBlockByNumber", [.string("0x1")])
            let block2 = try await s.result("emeth_getBlockByNumber", [.string("0x2")])
            let receipt = try await s.result("emeth_getTransactionReceipt", [.string(h)])
            #expect(got.map { $0["params"]?["subscription"]?.stringValue } == [heads, receipts, heads])
            #expect(got.map { $0["params"]?["result"] } == [Self.drop(block1, "transactions", "inbox"), receipt,
                                                            Self.drop(block2, "transactions", "inbox")])
            #expect(receipt["status"] == .string("sequenced") && receipt["blockNumber"] == .string("0x2"))
            let metrics = try await s.http("GET", "/metrics").body
            for line in ["emeth_ws_connections 1", "emeth_ws_subscriptions 2", "emeth_ws_notifications_total 3", "emeth_ws_dropped_total 0"] {
                #expect(metrics.contains(line + "\n"), "missing \(line)")
            }
        }
    }

    @Test func batchesAreListedFromThePostersStatus() async throws {
        try await LiveService.with { s in
            let e = try await s.error("emeth_listBatches")
            #expect(e == (-32004, "no batch information: this node runs without the batch poster, so it learns of no batches"))
        }
        let status = PosterStatus()
        try await LiveService.with(batches: status) { s in
            status.update([PosterStatusTests.record(0, 1...2, .final, gas: 1), PosterStatusTests.record(1, 3...4, .committed, gas: 1),
                           PosterStatusTests.record(2, 5...5, .posted, gas: 0)], from: 0, backlogBytes: 0)
            let tx0 = Keccak.hash256([0]).hex, tx1 = Keccak.hash256([1]).hex
            #expect(try await s.result("emeth_listBatches", [.int(2)]) == .object([
                "batches": .array([
                    .object(["index": .string("0x2"), "firstBlock": .string("0x5"), "lastBlock": .string("0x5"), "status": .string("posted"),
                             "l1TxHash": .null]),
                    .object(["index": .string("0x1"), "firstBlock": .string("0x3"), "lastBlock": .string("0x4"), "status": .string("committed"),
                             "l1TxHash": .string(tx1)]),
                ]),
                "challengedAtBatch": .null,
            ]))
            status.setChallenged(1)
            let listed = try await s.result("emeth_listBatches")
            #expect(listed["batches"]?.arrayValue?.map { $0["status"]?.stringValue } == ["challenged", "challenged", "final"])
            #expect(listed["batches"]?.arrayValue?.last?["l1TxHash"] == .string(tx0) && listed["challengedAtBatch"] == .string("0x1"))
            #expect(try await s.error("emeth_listBatches", [.int(101)]) == (-32602, "invalid params: limit: must be between 1 and 100, got 101"))
        }
    }

    @Test func theStatusPageAndTheWebSocketEndpointOverPlainHTTP() async throws {
        try await LiveService.with { s in
            for path in ["/", "/explorer"] {
                let page = try await s.http("GET", path)
                #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
                #expect(page.body == ExplorerPage.html && page.body.hasPrefix("<!doctype html>"))
            }
            let ws = try await s.http("GET", "/ws")
            #expect(ws.status == 426)
            #expect(ws.body.contains("/ws is a WebSocket endpoint: connect with a WebSocket client"))
            let e = try await s.error("emeth_subscribe", [.string("newHeads")])
            #expect(e == (-32600, "emeth_subscribe needs a connection that stays open: call it over the WebSocket endpoint /ws"))
            // JSON-RPC is still POST /.
            #expect(try await s.result("emeth_blockNumber") == .string("0x0"))
        }
    }
}
