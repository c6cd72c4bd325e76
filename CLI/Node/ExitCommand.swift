import ArgumentParser
import Bridge
import Core
import Foundation
import Node
import Prover
import Sequencer

/// `emeth exit`: take everything the account has out on L1 after the sequencer went silent,
/// with no sequencer and no API: the escape hatch (docs/PROTOCOL.md §9.1).
struct Exit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Escape hatch: take the account's balance, credit, open jobs and unincluded deposits out on L1, from L1 data alone.",
        discussion: """
        Replays every batch from L1 (or --archive) up to the newest, activates escape mode once the
        sequencer has been silent for escapeDelay, proves the escape root if nobody did, then pays
        the account by state proofs. Anyone may send these; the money goes to the account.
        Example: EMETH_PRIVATE_KEY=0x… emeth exit --rpc http://127.0.0.1:8545 --deployment deployment.json --genesis genesis.json --dry-run
        """)

    @OptionGroup var l1: L1Options

    @Option(help: "Genesis file of the chain (its chainId, rollup, signer, roles and fee rates).")
    var genesis: String

    @Option(help: "An archive written by `emeth audit export` to replay from (instead of reading every batch's calldata from L1).")
    var archive: String?

    @Option(help: "Exit this account instead of the key's (anyone may send; the account is paid).")
    var account: String?

    @Flag(help: "Show what would be paid, item by item, and the total; send nothing.")
    var dryRun = false

    @Option(name: .customLong("work-dir"), help: "Where the temporary replay store goes (default: the system temporary directory).")
    var workDir: String?

    @OptionGroup var key: KeyOptions

    func run() async throws {
        let (eth, d) = try await l1.connect()
        let g = try loadGenesis(genesis)
        guard g.rollup == d.rollup else { throw CLIError("the genesis is for rollup \(g.rollup.checksummed), the deployment for \(d.rollup.checksummed)") }
        let k: PrivateKey? = dryRun && account != nil ? nil : try key.load()
        let who = try account.map { s in try reporting("invalid --account") { try Address(s) } } ?? k!.address
        let archived = try archive.map { dir in try reporting("archive \(dir)") { try BatchArchive.existing(dir) } }
        let exit = EscapeExit(rollup: RollupContract(address: d.rollup, eth: eth), genesis: g, fromBlock: d.block,
                              sender: dryRun ? nil : L1Sender(eth: eth, key: k!, chainId: d.chainId), logger: NodeLogging.lines("emeth.exit", to: .stdout, timestamps: false))
        let progress = AuditProgress()
        do {
            _ = try await exit.run(account: who, archive: archived, workDirectory: workDir, progress: progress.update)
            progress.finish()
        } catch let e as EscapeExit.Failure {
            progress.finish()
            throw CLIError(e.description)
        }
    }
}
