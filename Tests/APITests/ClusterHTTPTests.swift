import API
import Cluster
import Core
import Foundation
import Logging
@testable import Node
import Sequencer
import Testing

/// What an HA node reports on `/metrics` (its role, etcd connectivity, replication lag and
/// leadership changes) and where a standby forwards transactions, over real HTTP. The cluster
/// status is the node's own `HAStatus`, driven here as the standby's etcd log source and the
/// election drive it (scripts/tests/test_failover.py runs them against a real etcd cluster).
@Suite struct ClusterHTTPTests {
    typealias C = TestChain

    /// The etcd block log as a standby sees it: the first `served` of the leader's blocks, and a
    /// head of `logHead` (blocks the log holds that this standby has not got yet).
    /// While `failing` holds a message, every read fails with it, as `EtcdLogSource` reports an
    /// unreachable etcd.
    struct PartialLog: BlockSource {
        struct Unreachable: Error {}
        let blocks: [Bytes]
        let logHead: UInt64
        let status: HAStatus
        let failing = LockedValue<String?>(nil)
        var name: String { "a partial block log" }

        func blocks(from number: UInt64) async throws -> ServedBlocks {
            if let message = failing.value {
                status.etcd(message)
                throw Unreachable()
            }
            status.etcd(nil)
            status.logHead(logHead)
            let start = Int(number) - 1
            return ServedBlocks(head: logHead, blocks: start < blocks.count ? Array(blocks[start...]) : [])
        }
    }

    /// The lines of `page` that are samples of the cluster metrics, in order.
    static func clusterSamples(_ page: String) -> [String] {
        page.split(separator: "\n").map(String.init).filter { $0.hasPrefix("emeth_node_role") || $0.hasPrefix("emeth_ha_") }
    }

    /// Polls `/metrics` until it has the sample line `line`.
    static func waitMetrics(_ node: some HTTPEndpoint, _ line: String) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if clusterSamples(try await node.http("GET", "/metrics").body).contains(line) { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw TestFailure("no \(line) in /metrics after 10 s")
    }

    static func roles(_ current: String) -> [String] {
        ["follower", "leader", "standby", "stopped"].map { "emeth_node_role{role=\"\($0)\"} \($0 == current ? 1 : 0)" }
    }

    @Test func aStandbyReportsItsRoleEtcdLagAndLeadershipChanges() async throws {
        try await LiveService.with { s in
            for (k, a) in [C.requester, C.node, C.verifier].enumerated() {
                try s.deposit(a.address, C.emt)
                try await s.waitBlock(UInt64(k + 1))
            }
            // A single sequencer leads; it has no cluster metrics.
            #expect(Self.clusterSamples(try await s.http("GET", "/metrics").body) == Self.roles("leader"))

            let leaderURL = URL(string: "http://127.0.0.1:\(s.port)")!
            let first = try await LeaderSource(url: leaderURL).blocks(from: 1)
            #expect(first.blocks.count == 3)
            let status = HAStatus(nodeID: "b", logger: Logger(label: "test.ha"))
            let dir = C.tempDir()
            var config = NodeConfig()
            config.listen = "127.0.0.1:0"
            let log = PartialLog(blocks: Array(first.blocks.prefix(2)), logHead: 5, status: status)
            let node = FollowerNode(store: try ChainStore(path: dir, genesis: C.genesis), source: log, leader: leaderURL,
                                    config: config, pollMs: 10, cluster: status, logger: Logger(label: "test.standby"))
            let (ports, sink) = AsyncStream.makeStream(of: Int.self)
            let task = Task { try await node.run { sink.yield($0) } }
            var port = 0
            for await p in ports { port = p; break }
            let f = Endpoint(port: port)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            do {
                try await f.waitBlock(2)
                // Head 2, the log's head 5: three blocks behind.
                #expect(Self.clusterSamples(try await f.http("GET", "/metrics").body) == Self.roles("standby") + [
                    "emeth_ha_etcd_up 1", "emeth_ha_replication_lag_blocks 3", "emeth_ha_leadership_changes_total 0"])

                // etcd unreachable: the lag stays what the last read found.
                log.failing.set("connection refused")
                try await Self.waitMetrics(f, "emeth_ha_etcd_up 0")
                #expect(Self.clusterSamples(try await f.http("GET", "/metrics").body) == Self.roles("standby") + [
                    "emeth_ha_etcd_up 0", "emeth_ha_replication_lag_blocks 3", "emeth_ha_leadership_changes_total 0"])
                let health = try JSONValue.parse(try await f.http("GET", "/health").body)
                #expect(health["etcd"] == .string("unreachable: connection refused"))
                log.failing.set(nil)
                try await Self.waitMetrics(f, "emeth_ha_etcd_up 1")

                // Elected, then deposed: two changes; a leader is never behind its own log.
                status.become("leader", fence: Fence(lease: 7, revision: 42), head: 2)
                #expect(Self.clusterSamples(try await f.http("GET", "/metrics").body) == Self.roles("leader") + [
                    "emeth_ha_etcd_up 1", "emeth_ha_replication_lag_blocks 0", "emeth_ha_leadership_changes_total 1"])
                status.become("stopped", fence: nil, head: 2, reason: "lease expired")
                #expect(Self.clusterSamples(try await f.http("GET", "/metrics").body) == Self.roles("stopped") + [
                    "emeth_ha_etcd_up 1", "emeth_ha_replication_lag_blocks -1", "emeth_ha_leadership_changes_total 2"])
                let stopped = try JSONValue.parse(try await f.http("GET", "/health").body)
                #expect(stopped["role"] == .string("stopped") && stopped["leadershipChanges"] == .int(2))
            } catch {
                await node.shutdown()
                try? await task.value
                throw error
            }
            await node.shutdown()
            try await task.value
        }
    }

    /// A plain read replica says it follows.
    @Test func aFollowerReportsItsRole() async throws {
        try await LiveService.with { s in
            let f = try await LiveFollower.start(leader: s)
            do {
                #expect(Self.clusterSamples(try await f.http("GET", "/metrics").body) == Self.roles("follower"))
            } catch {
                try? await f.stop()
                throw error
            }
            try await f.stop()
        }
    }

    /// A standby forwards to whoever leads now: once told of a new leader (as the standby's watch
    /// of the leader key tells it), a transaction sent to it is sequenced by the new leader, and
    /// the old one never sees it.
    @Test func transactionsGoToTheLeaderOfTheMoment() async throws {
        try await LiveService.with { old in
            try await LiveService.with { new in
                for s in [old, new] {
                    try s.deposit(C.node.address, C.emt)
                    try await s.waitBlock(1)
                }
                let f = try await LiveFollower.start(leader: old)
                do {
                    let newURL = URL(string: "http://127.0.0.1:\(new.port)")!
                    f.node.chain.follow(leader: newURL)
                    let health = try JSONValue.parse(try await f.http("GET", "/health").body)
                    #expect(health["leader"] == .string(newURL.absoluteString))
                    let call = L2Call.withdraw(amount: 5 * C.gholon)
                    let hash = try await f.send(C.wire(call, nonce: 0, by: C.node))
                    #expect(hash == C.hash(call, nonce: 0, by: C.node))
                    let receipt = try await new.waitSequenced(hash)
                    #expect(receipt["status"] == .string("sequenced"))
                    // The batch form: each member goes to the new leader too.
                    let batch = JSONValue.array((1...2).map { n in
                        .object(["jsonrpc": .string("2.0"), "id": .int(n), "method": .string("emeth_sendTransaction"),
                                 "params": .array([C.wire(call, nonce: UInt64(n), by: C.node)])])
                    })
                    let answers = try #require(try await f.post(batch.serialized).json?.arrayValue)
                    #expect(answers.map { $0["result"] } == (1...2).map { .string(C.hash(call, nonce: UInt64($0), by: C.node)) })
                    for n in UInt64(1)...2 { _ = try await new.waitSequenced(C.hash(call, nonce: n, by: C.node)) }
                    #expect(try await new.result("emeth_getTransactionCount", [.string(C.node.address.checksummed), .string("pending")]) == .string("0x3"))
                    #expect(try await old.result("emeth_getTransactionReceipt", [.string(hash)]) == .null)
                    #expect(try await old.result("emeth_getTransactionCount", [.string(C.node.address.checksummed), .string("pending")]) == .string("0x0"))
                } catch {
                    try? await f.stop()
                    throw error
                }
                try await f.stop()
            }
        }
    }
}

/// Any loopback HTTP API by its port.
private struct Endpoint: HTTPEndpoint {
    let port: Int
}
