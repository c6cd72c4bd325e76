import API
import Core
import Foundation
import Node
import Sequencer
import Testing

/// The sealing path in HA mode (`EngineHandle.replicate(through:)`), against a real service:
/// every block reaches the replicator, in the very bytes `emeth_getBlockRange` serves, before it
/// is served; a block the replicator refuses (leadership lost) is never written, served or
/// acknowledged, and the engine stops. The replicator here is an in-memory fake; the etcd one
/// runs end to end in scripts/tests/test_failover.py.
@Suite struct ReplicationHTTPTests {
    typealias C = TestChain

    final class Recorder: BlockReplicator {
        struct Refused: Error, CustomStringConvertible { var description: String { "fenced (test)" } }
        let blocks = LockedValue<[(UInt64, Bytes)]>([])
        let refuse = LockedValue(false)

        func replicate(number: UInt64, bytes: Bytes) throws {
            if refuse.value { throw Refused() }
            blocks.withLock { $0.append((number, bytes)) }
        }
    }

    @Test func blocksAreReplicatedBeforeTheyAreServedAndARefusedOneIsNeverWritten() async throws {
        try await LiveService.with { s in
            let recorder = Recorder()
            s.service.engine.replicate(through: recorder)
            try s.deposit(C.requester.address, C.emt)
            try await s.waitBlock(1)
            let served = try await s.result("emeth_getBlockRange", [.string("0x1"), .string("0x1")])
            let replicated = recorder.blocks.value
            #expect(replicated.map(\.0) == [1])
            #expect(served["blocks"] == .array([.string(replicated[0].1.hex)]))

            // Leadership lost: the next block is refused by the replicator.
            recorder.refuse.set(true)
            try s.deposit(C.node.address, C.emt)
            let deadline = Date().addingTimeInterval(10)
            while s.service.engine.stoppedReason == nil && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(s.service.engine.stoppedReason == "replication failed: fenced (test)")
            #expect(try s.service.engine.store.storedBlock(2) == nil)
            #expect(recorder.blocks.value.map(\.0) == [1])
            let health = try await s.http("GET", "/health")
            #expect(health.status == 503)
            #expect(health.body.contains("\"status\":\"stopped\""))
            #expect(health.body.contains("replication failed: fenced (test)"))
        }
    }
}
