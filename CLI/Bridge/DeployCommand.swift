import ArgumentParser
import Bridge
import Core
import Foundation

/// `emeth deploy`: EmethToken (devnets; or `--token` for an existing one) and EmethRollup from
/// the committed artifacts, then `deployment.json`. The deploying key becomes the owner.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the L1 contracts and write deployment.json.",
        discussion: """
        Example: EMETH_PRIVATE_KEY=0x… emeth deploy --rpc http://127.0.0.1:8545 --sequencer 0x7099… \\
                   --signer 0x3C44… --guardian 0x90F7… --challenge-period 60 --out deployment.json
        """)

    @Option(name: .customLong("rpc"), help: "L1 JSON-RPC endpoint.")
    var rpc: String

    @Option(help: "An existing EMT token; without it a new EmethToken is deployed (devnets), owned by the deployer.")
    var token: String?

    @Option(help: "The sequencer's address (posts batches).")
    var sequencer: String

    @Option(help: "The Signer's address (signs blocks and tickets).")
    var signer: String

    @Option(help: "A guardian's address (may challenge and pause); repeatable.")
    var guardian: [String] = []

    @Option(help: "Seconds until a batch is final.")
    var challengePeriod: UInt64 = RollupSettings().challengePeriod

    @Option(help: "L1 confirmations before the sequencer applies an inbox message (a hint stored on L1).")
    var inboxConfirmations: UInt64 = RollupSettings().inboxConfirmations

    @Option(help: "Seconds an owner change waits between scheduling and execution; fixed for good, at least the challenge period (default: the challenge period).")
    var changeDelay: UInt64?

    @Option(help: "The most Signer tickets may pay in any --ticket-window seconds, e.g. 10000emt (about twice the fast withdrawals expected per window).")
    var ticketLimit: String = "10000emt"

    @Option(help: "Seconds of the ticket rate-limit window.")
    var ticketWindow: UInt64 = RollupSettings().ticketWindow

    @Option(help: "Seconds after which an inbox message the sequencer has not included makes its commits revert.")
    var forceInclusionDelay: UInt64 = RollupSettings().forceInclusionDelay

    @Option(help: "Seconds without a commit after which anyone may switch on escape mode (users exit from L1 data alone); at least the challenge period.")
    var escapeDelay: UInt64 = RollupSettings().escapeDelay

    @Option(help: "Directory of the compiled contracts (default: Contracts/artifacts).")
    var artifacts: String?

    @Option(help: "Where to write the deployment file.")
    var out = "deployment.json"

    @OptionGroup var key: KeyOptions

    func run() async throws {
        guard let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else { throw CLIError("invalid --rpc URL: \(rpc)") }
        func addr(_ s: String, _ what: String) throws -> Address { try reporting("invalid \(what)") { try Address(s) } }
        var settings = RollupSettings()
        settings.challengePeriod = challengePeriod
        settings.inboxConfirmations = inboxConfirmations
        settings.changeDelay = changeDelay
        settings.ticketLimit = try reporting("invalid --ticket-limit") { try Amount.parse(ticketLimit) }
        settings.ticketWindow = ticketWindow
        settings.forceInclusionDelay = forceInclusionDelay
        settings.escapeDelay = escapeDelay
        guard escapeDelay >= challengePeriod else {
            throw CLIError("--escape-delay \(escapeDelay) is shorter than --challenge-period \(challengePeriod): escape could start while batches can still be challenged")
        }
        guard settings.effectiveChangeDelay >= challengePeriod else {
            throw CLIError("--change-delay \(settings.effectiveChangeDelay) is shorter than --challenge-period \(challengePeriod): users could not exit before a change they object to")
        }
        guard ticketWindow > 0 else { throw CLIError("--ticket-window must be at least 1 second") }
        let owner = try key.load()
        let eth = EthClient(url: url)
        let chainId = try await eth.chainId()
        let deployer = Deployer(sender: L1Sender(eth: eth, key: owner, chainId: chainId), artifacts: try artifactsDirectory(artifacts))
        print("deploying to chain \(chainId) from \(owner.address.checksummed)")
        let d = try await deployer.deployAll(token: try token.map { try addr($0, "--token") }, owner: owner.address,
                                             sequencer: try addr(sequencer, "--sequencer"), signer: try addr(signer, "--signer"),
                                             guardians: try guardian.map { try addr($0, "--guardian") },
                                             settings: settings)
        try d.write(out)
        print("EmethToken   \(d.token.checksummed)\(token == nil ? " (new)" : "")")
        print("EmethRollup  \(d.rollup.checksummed) (block \(d.block))")
        print("wrote \(out)")
    }
}
