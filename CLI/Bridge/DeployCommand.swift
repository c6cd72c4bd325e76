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
    var challengePeriod: UInt64 = 7 * 86_400

    @Option(help: "L1 confirmations before the sequencer applies an inbox message (a hint stored on L1).")
    var inboxConfirmations: UInt64 = 12

    @Option(help: "Directory of the compiled contracts (default: Contracts/artifacts).")
    var artifacts: String?

    @Option(help: "Where to write the deployment file.")
    var out = "deployment.json"

    @OptionGroup var key: KeyOptions

    func run() async throws {
        guard let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else { throw CLIError("invalid --rpc URL: \(rpc)") }
        func addr(_ s: String, _ what: String) throws -> Address { try reporting("invalid \(what)") { try Address(s) } }
        let owner = try key.load()
        let eth = EthClient(url: url)
        let chainId = try await eth.chainId()
        let deployer = Deployer(sender: L1Sender(eth: eth, key: owner, chainId: chainId), artifacts: try artifactsDirectory(artifacts))
        print("deploying to chain \(chainId) from \(owner.address.checksummed)")
        let d = try await deployer.deployAll(token: try token.map { try addr($0, "--token") }, owner: owner.address,
                                             sequencer: try addr(sequencer, "--sequencer"), signer: try addr(signer, "--signer"),
                                             guardians: try guardian.map { try addr($0, "--guardian") },
                                             challengePeriod: challengePeriod, inboxConfirmations: inboxConfirmations)
        try d.write(out)
        print("EmethToken   \(d.token.checksummed)\(token == nil ? " (new)" : "")")
        print("EmethRollup  \(d.rollup.checksummed) (block \(d.block))")
        print("wrote \(out)")
    }
}
