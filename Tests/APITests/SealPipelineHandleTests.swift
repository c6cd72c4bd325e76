import API
import Core
import Dispatch
import Foundation
import Node
import Sequencer
import Testing

/// The sealing pipeline in the service's handle (`EngineHandle`, `DurabilityStage`), in HA mode:
/// block 3 executes on block 2's in-memory state while block 2 waits in the replicator (the
/// fenced etcd append). When the replicator refuses block 2, the engine stops, and block 3 —
/// executed, never replicated — is never written or acknowledged: the store stays at block 1,
/// and a restarted node seals the very same blocks 2 and 3 from the same inbox messages.
/// Real RocksDB; the replicator is an in-memory fake (etcd's runs in scripts/tests/test_failover.py).
@Suite struct SealPipelineHandleTests {
    typealias C = TestChain

    /// Records every block it is given; holds block `refused` until the test opens `gate`,
    /// then refuses it.
    final class GatedReplicator: BlockReplicator {
        struct Refused: Error, CustomStringConvertible { var description: String { "fenced (test)" } }
        let refused: UInt64
        let gate = DispatchSemaphore(value: 0)
        let seen = LockedValue<[UInt64]>([])

        init(refusing n: UInt64) { refused = n }

        func replicate(number: UInt64, bytes: Bytes) throws {
            seen.withLock { $0.append(number) }
            guard number == refused else { return }
            gate.wait()
            throw Refused()
        }
    }

    static func deposit(_ i: UInt64, _ to: PrivateKey) -> InboxMessage {
        InboxMessage(index: i, kind: .deposit, account: to.address, amount: C.emt, l1Block: 1)
    }

    /// Polls `condition`; the deadline only bounds a hang.
    static func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(120)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            usleep(1_000)
        }
    }

    @Test func aRefusedBlockStopsThePipelineAndTheBlockExecutedAfterItIsNeverWritten() throws {
        let dir = C.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let time: UInt64 = 1_700_000_100
        let handle = EngineHandle(engine: SequencerEngine(store: try ChainStore(path: dir, genesis: C.genesis), signerKey: C.signerKey),
                                  clock: { time * 1_000 })
        let replicator = GatedReplicator(refusing: 2)
        handle.replicate(through: replicator)

        try handle.enqueue(Self.deposit(0, C.requester))
        #expect(handle.sealPending().map(\.number) == [1])   // returns once durable
        #expect(replicator.seen.value == [1])
        // Block 2 goes to stage two and waits there, in the replicator.
        try handle.enqueue(Self.deposit(1, C.node))
        let k = try #require(handle.sealPending(untilDurable: false).first)
        #expect(k.number == 2)
        try Self.waitUntil("block 2 in the replicator") { replicator.seen.value == [1, 2] }
        // Block 3 executes on block 2's unwritten state, then waits for block 2 to leave stage two.
        try handle.enqueue(Self.deposit(2, C.verifier))
        let after = LockedValue<[ExecutedBlock]>([])
        let returned = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            after.set(handle.sealPending(untilDurable: false))
            returned.signal()
        }
        try Self.waitUntil("block 3 executed") { try handle.withEngine { $0.inFlightCount } == 2 }
        #expect(try handle.withEngine { $0.store.head.number } == 1)

        replicator.gate.signal()   // etcd refuses block 2: another node leads
        returned.wait()
        handle.waitUntilDurable()
        #expect(handle.stoppedReason == "replication failed: fenced (test)")
        #expect(after.value.map(\.number) == [3])
        #expect(after.value.first?.header.parentHash == k.header.hash)
        #expect(replicator.seen.value == [1, 2])   // block 3 never reached the log
        #expect(try handle.store.storedBlock(2) == nil)
        #expect(try handle.store.storedBlock(3) == nil)
        #expect(try handle.store.latestTicket(C.node.address) == nil)
        handle.close()

        // Restarted from the store: at block 1, and the same messages seal the same blocks.
        let engine = SequencerEngine(store: try ChainStore(path: dir, genesis: C.genesis), signerKey: C.signerKey)
        defer { engine.store.db.close() }
        #expect(engine.store.head.number == 1)
        try engine.enqueue(Self.deposit(1, C.node))
        #expect(try engine.seal(timestamp: time)?.header == k.header)
        try engine.enqueue(Self.deposit(2, C.verifier))
        #expect(try engine.seal(timestamp: time)?.header == after.value.first?.header)
    }
}
