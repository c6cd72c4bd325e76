import Bridge
import Core
import Foundation
import Sequencer
import Testing

/// `emeth sequencer rollback` and `emeth bridge resume` as an operator runs them: bad requests
/// get a clear error and change nothing; a good one truncates the chain.
@Suite(.serialized) struct RollbackCLITests {
    @Test func badRequestsAreRefusedWithoutChangingAnythingAndAGoodOneTruncates() throws {
        let f = try ChainFixture(blocks: 3, txsPerBlock: 6)
        let genesis = try f.writeGenesis()
        let bridge = f.dir + "-bridge"
        defer { try? FileManager.default.removeItem(atPath: bridge) }
        do { _ = try BridgeStore(path: bridge) }   // an empty poster: next batch 0 starts at block 1
        let dropped = (1...3).reduce(0) { $0 + f.blocks[$1].transactions.count }
        func rollback(_ n: String) throws -> AuditCLI.Result {
            try AuditCLI.run(["sequencer", "rollback", "--to-batch", n, "--data", f.dir, "--genesis", genesis, "--bridge-data", bridge])
        }

        // The chain store is open in this process, as in a running sequencer.
        let held = try rollback("0")
        #expect(held.status != 0 && (held.stdout + held.stderr).contains("is the sequencer still running? stop it first"))
        #expect(f.chain.head.number == 3)
        f.close()

        let above = try rollback("1")
        #expect(above.status != 0 && (above.stdout + above.stderr).contains("batch 1 is above the poster's head: the next batch it would decide is 0"))
        let otherGenesis = f.dir + "-other-genesis.json"
        defer { try? FileManager.default.removeItem(atPath: otherGenesis) }
        let other = Genesis(chainId: 31337, rollup: f.genesis.rollup, signer: f.genesis.signer, timestamp: 1_001, roles: Roles())
        try Data(other.json.serialized.utf8).write(to: URL(fileURLWithPath: otherGenesis))
        let wrong = try AuditCLI.run(["sequencer", "rollback", "--to-batch", "0", "--data", f.dir, "--genesis", otherGenesis, "--bridge-data", bridge])
        #expect(wrong.status != 0 && (wrong.stdout + wrong.stderr).contains("belongs to another chain"))
        let resume = try AuditCLI.run(["bridge", "resume", "--data", bridge])
        #expect(resume.status != 0 && (resume.stdout + resume.stderr).contains("the poster is not halted"))
        do {
            let store = try ChainStore(path: f.dir, genesis: f.genesis)
            #expect(store.head.number == 3 && store.head.header.hash == f.blocks[3].hash)
            #expect(try ChainRollback.pending(store.db).isEmpty)
            store.db.close()
        }

        // Batch 0 was never decided: rolling back to it drops every unposted block.
        let ok = try rollback("0")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("rolled back to block 0 (was 3): batch 0 will start at block 1; \(dropped) transactions wait for re-admission, inbox cursor 0"))
        let store = try ChainStore(path: f.dir, genesis: f.genesis)
        defer { store.db.close() }
        #expect(store.head.number == 0 && store.head.header.hash == f.blocks[0].hash && store.inboxCursor == 0)
        #expect(store.totals == f.totals[0])
        for u in f.users { #expect(try store.account(u) == nil && store.latestTicket(u) == nil) }
        #expect(try ChainRollback.pending(store.db).count == dropped)
        #expect(try store.block(1) == nil && store.location(of: f.blocks[2].transactions[0].hash) == nil)
    }
}
