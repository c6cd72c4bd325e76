import API
import Core
import Foundation
import Logging
import Node
import Sequencer
import Testing

/// A real `FollowerNode` (its own RocksDB, HTTP on a loopback port) following a real
/// `SequencerNode` over HTTP through `emeth_getBlockRange`.
final class LiveFollower: HTTPEndpoint, Sendable {
    let dir: String
    let node: FollowerNode
    let port: Int
    private let task: Task<Void, Error>

    static func start(leader: LiveService) async throws -> LiveFollower {
        let dir = TestChain.tempDir()
        let url = URL(string: "http://127.0.0.1:\(leader.port)")!
        var config = NodeConfig()
        config.listen = "127.0.0.1:0"
        let node = FollowerNode(store: try ChainStore(path: dir, genesis: TestChain.genesis), source: LeaderSource(url: url), leader: url,
                                config: config, pollMs: 10, logger: Logger(label: "test.follower"))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await node.run { sink.yield($0) } }
        var port = 0
        for await p in ports { port = p; break }
        return LiveFollower(dir: dir, node: node, port: port, task: task)
    }

    private init(dir: String, node: FollowerNode, port: Int, task: Task<Void, Error>) {
        self.dir = dir; self.node = node; self.port = port; self.task = task
    }

    func stop() async throws {
        await node.shutdown()
        try await task.value
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Polls until the follower's head is at least `n`.
    func waitHead(_ n: UInt64, timeout: Double = 20) async throws {
        try await waitBlock(n, timeout: timeout)
    }
}

/// The range method followers pull blocks with, and a follower serving, forwarding and
/// reporting its lag over real HTTP.
@Suite struct FollowerHTTPTests {
    typealias C = TestChain

    /// Blocks 1…3: a deposit each to the requester, the node and the verifier.
    static func threeBlocks(_ s: LiveService) async throws {
        for (k, a) in [C.requester, C.node, C.verifier].enumerated() {
            try s.deposit(a.address, C.emt)
            try await s.waitBlock(UInt64(k + 1))
        }
    }

    @Test func blockRangeServesTheStoredBlocks() async throws {
        try await LiveService.with { s in
            try await Self.threeBlocks(s)
            let store = s.service.engine.store
            let all = try await s.result("emeth_getBlockRange", [.string("0x1")])
            #expect(all["format"] == .int(2) && all["from"] == .string("0x1") && all["head"] == .string("0x3"))
            let stored = try (1...3).map { try #require(try store.storedBlock(UInt64($0))).hex }
            #expect(all["blocks"]?.arrayValue?.compactMap(\.stringValue) == stored)
            let two = try await s.result("emeth_getBlockRange", [.string("0x0"), .string("0x2")])
            let zero = try #require(try store.storedBlock(0)).hex
            #expect(two["blocks"]?.arrayValue?.count == 2 && two["blocks"]?.arrayValue?.first == .string(zero))
            let beyond = try await s.result("emeth_getBlockRange", [.string("0x4")])
            #expect(beyond["blocks"] == .array([]) && beyond["head"] == .string("0x3"))
            #expect(try await s.error("emeth_getBlockRange", [.string("0x1"), .string("0x0")])
                    == (RPCError.invalidParamsCode, "invalid params: count: must be between 1 and 100, got 0"))
            #expect(try await s.error("emeth_getBlockRange", [.string("0x1"), .string("0x65")])
                    == (RPCError.invalidParamsCode, "invalid params: count: must be between 1 and 100, got 101"))
            #expect(try await s.error("emeth_getBlockRange", []) == (RPCError.invalidParamsCode, "invalid params: missing param from"))
        }
    }

    /// The byte bound: blocks stop before the one that would pass it, but a call always
    /// carries its first block.
    @Test func blockRangeIsBoundedByBytes() async throws {
        try await LiveService.with { s in
            try await Self.threeBlocks(s)
            let store = s.service.engine.store
            let one = try #require(try store.storedBlock(1)).count, two = try #require(try store.storedBlock(2)).count
            for (limit, expected) in [(1, 1), (one + two - 1, 1), (one + two, 2)] {
                var api = s.service.api
                api.maxRangeBytes = limit
                let reply = await api.dispatcher().handle(Array(#"{"jsonrpc":"2.0","id":1,"method":"emeth_getBlockRange","params":["0x1"]}"#.utf8))
                let blocks = try JSONValue.parse(try #require(reply.text))["result"]?["blocks"]?.arrayValue
                #expect(blocks?.count == expected, "limit \(limit)")
            }
        }
    }

    @Test func aFollowerServesForwardsAndReportsItsLag() async throws {
        try await LiveService.with { s in
            try await Self.threeBlocks(s)
            let f = try await LiveFollower.start(leader: s)
            do {
                try await f.waitHead(3)
                // A transaction sent to the follower is the leader's to admit; its hash comes back.
                let call = L2Call.withdraw(amount: 5 * C.gholon)
                #expect(try await f.result("emeth_getTransactionCount", [.string(C.node.address.checksummed), .string("pending")]) == .string("0x0"))
                let hash = try await f.send(C.wire(call, nonce: 0, by: C.node))
                #expect(hash == C.hash(call, nonce: 0, by: C.node))
                let receipt = try await f.waitSequenced(hash)
                let block = try #require(receipt["blockNumber"]?.stringValue.flatMap(UInt256.init)?.uint64)
                try await f.waitHead(block)
                for (method, params) in [("emeth_getTransactionReceipt", [JSONValue.string(hash)]),
                                         ("emeth_getBlockByNumber", [.string("latest"), .bool(true)]),
                                         ("emeth_getAccount", [.string(C.node.address.checksummed)]),
                                         ("emeth_getTicket", [.string(C.node.address.checksummed)]),
                                         ("emeth_getTransactionProof", [.string(hash)]),
                                         ("emeth_getStateProof", [.string(C.node.address.checksummed)]),
                                         ("emeth_getBlockRange", [.string("0x0")])] {
                    let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(JSONValue.array(params).serialized)}"#
                    let mine = try await f.http("POST", "/", body: Array(body.utf8)).body
                    #expect(try await s.http("POST", "/", body: Array(body.utf8)).body == mine, "\(method)")
                }
                // The leader's refusal, as it is: the same transaction again.
                #expect(try await f.error("emeth_sendTransaction", [C.wire(call, nonce: 0, by: C.node)])
                        == (RPCError.nonceCode, "nonce too low: expected 1, got 0"))
                let health = try JSONValue.parse(try await f.http("GET", "/health").body)
                #expect(health["status"] == .string("ok") && health["role"] == .string("follower") && health["lagBlocks"] == .int(0))
                #expect(health["head"] == .int(Int(block)) && health["leaderHead"] == .int(Int(block)) && health["blocksApplied"] == .int(Int(block)))
                #expect(health["leader"] == .string("http://127.0.0.1:\(s.port)") && health["auditedBatch"] == nil)
                let metrics = try await f.http("GET", "/metrics").body
                for line in ["emeth_follower_lag_blocks 0", "emeth_follower_leader_head \(block)", "emeth_follower_blocks_applied_total \(block)",
                             "emeth_follower_refusals_total 0", "emeth_follower_refused_block -1", "emeth_follower_leader_up 1",
                             "emeth_block_height \(block)", "emeth_txs_received_total 2", "emeth_txs_accepted_total 1"] {
                    #expect(metrics.contains(line + "\n"), "missing \(line) in\n\(metrics)")
                }
                // The leader gone: reads go on from the follower's store; writes say who did not answer.
                try await s.stop(removeData: false)
                let leaderURL = "http://127.0.0.1:\(s.port)"
                let refused = try await f.error("emeth_sendTransaction", [C.wire(call, nonce: 1, by: C.node)])
                #expect(refused.code == RPCError.notReadyCode
                        && refused.message.hasPrefix("this follower forwards emeth_sendTransaction to its leader \(leaderURL), which did not answer: unreachable"))
                #expect(try await f.result("emeth_getAccount", [.string(C.node.address.checksummed)])["nonce"] == .string("0x1"))
                let degraded = try await Self.poll(f) { $0["status"] == .string("degraded") }
                #expect(degraded["leaderError"]?.stringValue?.hasPrefix("the leader \(leaderURL): unreachable") == true, "\(degraded)")
                #expect(degraded["head"] == .int(Int(block)))
            } catch {
                try? await f.stop()
                throw error
            }
            try await f.stop()
        }
    }

    /// Polls the follower's /health until `done`.
    static func poll(_ f: LiveFollower, timeout: Double = 20, until done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let h = try JSONValue.parse(try await f.http("GET", "/health").body)
            if done(h) { return h }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw TestFailure("the follower's /health did not get there in \(timeout) s")
    }
}
