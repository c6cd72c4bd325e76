import ArgumentParser
import Bridge
import Client
import Core
import Foundation
import Prover
import Sequencer

/// `emeth claim`: take the account's credit to L1 — with the latest Signer ticket (at once),
/// or with `--proof` by Merkle proof against a final batch (trusting no signer).
struct Claim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Claim L2 credit on L1 with a Signer ticket or a Merkle proof.",
        discussion: """
        Examples: EMETH_PRIVATE_KEY=0x… emeth claim --rpc http://127.0.0.1:8545 --deployment deployment.json
                  EMETH_PRIVATE_KEY=0x… emeth claim --proof --dry-run …     (proof from the sequencer's API)
                  EMETH_PRIVATE_KEY=0x… emeth claim --proof-file proof.json …  (from `emeth prove settlement`)
        """)

    @OptionGroup var l1: L1Options
    @OptionGroup var l2: L2Options

    @Flag(help: "Claim by Merkle proof against the latest final batch holding the account's credit.")
    var proof = false

    @Option(help: "Claim with this settlement proof file (from `emeth prove settlement`).")
    var proofFile: String?

    @Option(help: "Claim for this account instead of the key's (anyone may claim for anyone; the account is paid).")
    var account: String?

    @Flag(help: "Show what would be paid; send nothing.")
    var dryRun = false

    @Option(help: "Seconds to wait for the ticket's block to be committed on L1 (L1 pays tickets for committed blocks only; 0: do not wait).")
    var commitTimeout: UInt64 = 300

    @OptionGroup var key: KeyOptions

    func run() async throws {
        let (eth, d) = try await l1.connect()
        let k = try key.load()
        let who = try account.map { s in try reporting("invalid --account") { try Address(s) } } ?? k.address
        let claims = L1Claims(rollup: RollupContract(address: d.rollup, eth: eth))
        let plan = try await clientCall {
            if proof || proofFile != nil {
                if let path = proofFile { return try await claims.byProof(try readProofFile(path), account: who) }
                guard let p = try await l2.client.settlementProof(who) else {
                    throw CLIError("the sequencer has no settlement proof for \(who.checksummed)")
                }
                return try await claims.byProof(p, account: who)
            }
            return try await claims.byTicket(try await l2.client.ticket(who), account: who, commitTimeout: commitTimeout) { print($0) }
        }
        guard plan.amount > .zero else {
            print("nothing to claim for \(who.checksummed): credit \(Amount.format(plan.credit)), already claimed \(Amount.format(plan.claimed))")
            return
        }
        if dryRun {
            print("would pay \(Amount.format(plan.amount)) (\(plan.amount) base units) to \(who.checksummed) by \(plan.via)")
            return
        }
        let receipt = try await L1Sender(eth: eth, key: k, chainId: d.chainId).send(to: d.rollup, data: plan.call, what: "claim")
        print("paid \(Amount.format(plan.amount)) (\(plan.amount) base units) to \(who.checksummed) by \(plan.via): L1 tx \(receipt.transactionHash.hex), gas \(receipt.gasUsed)")
    }
}

/// A settlement proof saved by `emeth prove settlement`, read with the prover's parser (which
/// refuses unknown fields).
func readProofFile(_ path: String) throws -> SettlementProof {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = try? JSONValue.parse(text) else {
        throw CLIError("cannot read proof file \(path)")
    }
    do { return try SettlementProof(json: json) } catch { throw CLIError("proof file \(path): \(error)") }
}

/// `emeth status`: the account on L2 and L1, what is claimable now, and the batches.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show L2 balance and credit, L1 claimed and claimable, and batch progress.",
        discussion: "Example: EMETH_PRIVATE_KEY=0x… emeth status --rpc http://127.0.0.1:8545 --deployment deployment.json")

    @OptionGroup var l1: L1Options
    @OptionGroup var l2: L2Options

    @Option(help: "Show this account instead of the key's.")
    var account: String?

    @OptionGroup var key: KeyOptions

    func run() async throws {
        let (eth, d) = try await l1.connect()
        let who = try account.map { s in try reporting("invalid --account") { try Address(s) } } ?? (try key.load().address)
        let status = try await AccountStatus.read(who, rollup: RollupContract(address: d.rollup, eth: eth), token: d.token, l2: try l2.client)
        status.lines.forEach { print($0) }
    }
}
