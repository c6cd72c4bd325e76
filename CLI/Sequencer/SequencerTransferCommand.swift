import ArgumentParser
import Node

/// `emeth sequencer transfer-leadership --etcd URLS`: the HA leader steps down and a ready
/// standby takes over (README "Running highly available").
struct SequencerTransferLeadership: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-leadership", abstract: "Move HA leadership off the current leader (maintenance).",
        discussion: """
        Revokes the current leader's etcd lease: the leader stops sealing at once and exits
        (restart it and it rejoins as a standby); a caught-up standby is elected. Prints the old
        and the new leader. Run it while a standby's /health says "role":"standby".
        """)

    @Option(help: "etcd client URLs, comma-separated.") var etcd: String
    @Option(help: "Genesis file (JSON): names the chain.") var genesis: String = "genesis.json"
    @Option(help: "Seconds to wait for a new leader.") var timeout: Int = 30

    func run() async throws {
        let outcome = try await LeadershipTransfer.run(etcd: etcd, genesis: genesis, timeout: .seconds(timeout))
        print("leadership moved from \(outcome.from) to \(outcome.to)")
    }
}
