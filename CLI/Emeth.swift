import ArgumentParser

/// The one `emeth` executable: operator, node, requester and auditor commands.
@main
struct Emeth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emeth",
        abstract: "EMETH Rollup: L2 sequencer, L1 bridge and auditor for the EMETH GPU-compute platform.",
        subcommands: [Util.self, Keys.self, SequencerCommand.self, FollowerCommand.self, BridgeCommand.self, Deploy.self, Deposit.self, Withdraw.self, JobCommand.self, ForceTx.self,
                      Claim.self, Status.self, Exit.self, Bench.self, ProveCommand.self,
                      AuditCommand.self])
}
