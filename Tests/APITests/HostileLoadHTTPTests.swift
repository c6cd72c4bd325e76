import API
import Core
import Foundation
import Sequencer
import Testing

/// A bridge with a fixed backlog of unposted batch data (and, optionally, an unpostable block).
final class BacklogBatches: BatchStatusProvider, Sendable {
    let backlog: UInt64
    let alarm: (block: UInt64, reason: String)?
    init(backlog: UInt64, alarm: (block: UInt64, reason: String)? = nil) { self.backlog = backlog; self.alarm = alarm }
    func batch(containing block: UInt64) -> BatchStatus? { nil }
    func batch(index: UInt64) -> BatchStatus? { nil }
    var latestFinal: BatchStatus? { nil }
    var backlogBytes: UInt64? { backlog }
    var postingAlarm: (block: UInt64, reason: String)? { alarm }
}

/// Rate limits, backpressure and the poster's alarm over real HTTP.
@Suite struct HostileLoadHTTPTests {
    typealias C = TestChain

    @Test func rateLimitsAreKeyedOnTheClientAndRefill() {
        nonisolated(unsafe) var now = 1_000.0
        let limiter = RateLimiter(perSecond: 2, burst: 3, clock: { now })
        #expect([limiter.take("a"), limiter.take("a"), limiter.take("a")] == [nil, nil, nil])
        #expect(limiter.take("a") == 0.5)          // empty: one token in half a second
        #expect(limiter.take("b") == nil)          // another client has its own bucket
        now += 0.5
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 0.5)
        now += 60                                  // idle clients are forgotten at the next sweep
        #expect(limiter.take("c") == nil)
        #expect(limiter.clients == 1)
    }

    @Test func aClientPastItsSendRateIsRefusedButMayStillRead() async throws {
        try await LiveService.with(limits: RPCLimits(sendPerSecond: 1, sendBurst: 2)) { s in
            let w = C.wire(.withdraw(amount: 1), nonce: 0, by: C.stranger)
            // The three calls in one JSON-RPC batch, so they take their tokens within
            // microseconds: sent one by one, a starved machine once took over a second between
            // them, the bucket refilled and the third went on to the check.
            let calls: [JSONValue] = (1...3).map { k in
                .object(["jsonrpc": .string("2.0"), "id": .int(k), "method": .string("emeth_sendTransaction"), "params": .array([w])])
            }
            let reply = try await s.post(JSONValue.array(calls).serialized)
            let answers = try #require(reply.json?.arrayValue)
            #expect(answers.map { $0["id"] } == [.int(1), .int(2), .int(3)])
            let codes = answers.map { $0["error"]?["code"] }
            #expect(codes == [.int(-32006), .int(-32006), .int(-32003)])   // admitted to the check, refused there; then limited
            let limited = answers[2]["error"]?["message"]?.stringValue ?? ""
            #expect(limited.hasPrefix("rate limit: this client may send 1 transactions a second (bursts of 2); retry in "))
            #expect(try await s.result("emeth_blockNumber") == .string("0x0"))
        }
    }

    @Test func pastTheBacklogLimitIntakeStopsAndHealthSaysDegraded() async throws {
        try await LiveService.with(batches: BacklogBatches(backlog: 5 << 20)) { s in
            try s.deposit(C.requester.address, C.emt)
            try await s.waitBlock(1)
            #expect(try await s.error("emeth_sendTransaction", [C.wire(.withdraw(amount: 1), nonce: 0, by: C.requester)])
                    == (-32003, "backpressure: 5242880 bytes of sealed blocks wait to be posted to L1 (limit 4194304); retry later"))
            let health = try await s.http("GET", "/health")
            #expect(health.status == 200)
            let j = try JSONValue.parse(health.body)
            #expect(j["status"] == .string("degraded") && j["reason"]?.stringValue?.hasPrefix("backpressure: ") == true)
            let metrics = try await s.http("GET", "/metrics").body
            #expect(metrics.contains("emeth_backpressure 1\n") && metrics.contains("emeth_batch_backlog_limit_bytes 4194304\n"))
        }
        try await LiveService.with(batches: BacklogBatches(backlog: 4 << 20)) { s in
            try s.deposit(C.requester.address, C.emt)
            try await s.waitBlock(1)
            _ = try await s.send(C.wire(.withdraw(amount: 1), nonce: 0, by: C.requester))
            #expect(try JSONValue.parse(try await s.http("GET", "/health").body)["status"] == .string("ok"))
        }
    }

    @Test func anUnpostableBlockRaisesTheAlarm() async throws {
        let why = "block 7 alone encodes to 70000 bytes of batch data, over L1's limit of 65536: no batch can carry it"
        try await LiveService.with(batches: BacklogBatches(backlog: 0, alarm: (7, why))) { s in
            let health = try await s.http("GET", "/health")
            #expect(health.status == 503)
            let j = try JSONValue.parse(health.body)
            #expect(j["status"] == .string("unpostable") && j["unpostableBlock"] == .int(7) && j["error"] == .string(why))
            #expect(try await s.http("GET", "/metrics").body.contains("emeth_bridge_unpostable_block 7\n"))
        }
    }
}
