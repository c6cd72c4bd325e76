import ArgumentParser
import Bridge
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
        let rollup = RollupContract(address: d.rollup, eth: eth)
        let claimed = try await rollup.claimed(who)
        let credit: UInt256, call: Bytes, via: String
        if proof || proofFile != nil {
            let p = try await settlementProof(for: who)
            guard let index = p.batchIndex else { throw CLIError("the proof names no batch (batchIndex is null): L1 pays proofs against a batch") }
            let batch = try await rollup.batch(index)
            guard batch.settlementRoot == p.root else {
                throw CLIError("the proof's root \(p.root.bytes.hex) is not batch \(index)'s settlement root on L1 (\(batch.settlementRoot))")
            }
            guard batch.final else { throw CLIError("batch \(index) is not final until L1 time \(batch.finalAt); claim with a ticket now, or wait") }
            credit = p.credit
            call = try RollupContract.claim.encodeCall([.address(who), .uint(p.credit), .uint(UInt256(index)), .array(p.proof.map { .fixedBytes($0.bytes) })])
            via = "proof against batch \(index)"
        } else {
            guard let t = try await l2.client.ticket(who) else { throw CLIError("the sequencer has no ticket for \(who.checksummed): nothing was credited yet") }
            try await awaitCommitted(block: t.blockNumber, rollup)
            credit = t.credit
            call = try RollupContract.claimWithTicket.encodeCall([.address(who), .uint(t.credit), .uint(UInt256(t.blockNumber)), .bytes(t.signature)])
            via = "ticket of block \(t.blockNumber)"
        }
        guard credit > claimed else {
            print("nothing to claim for \(who.checksummed): credit \(Amount.format(credit)), already claimed \(Amount.format(claimed))")
            return
        }
        let amount = credit - claimed
        if dryRun {
            print("would pay \(Amount.format(amount)) (\(amount) base units) to \(who.checksummed) by \(via)")
            return
        }
        let receipt = try await L1Sender(eth: eth, key: k, chainId: d.chainId).send(to: d.rollup, data: call, what: "claim")
        print("paid \(Amount.format(amount)) (\(amount) base units) to \(who.checksummed) by \(via): L1 tx \(receipt.transactionHash.hex), gas \(receipt.gasUsed)")
    }

    /// L1 pays a ticket only once its block is in a committed batch (so an auditor can check
    /// it): wait for that, rather than send a claim that reverts.
    func awaitCommitted(block: UInt64, _ rollup: RollupContract) async throws {
        var head = try await rollup.nextBlock() - 1
        guard head < block else { return }
        guard commitTimeout > 0 else {
            throw CLIError("block \(block) is not committed on L1 yet (committed up to block \(head)): L1 pays a ticket once its block is committed; retry shortly")
        }
        print("waiting for block \(block) to be committed on L1 (committed up to block \(head))")
        let deadline = Date().addingTimeInterval(TimeInterval(commitTimeout))
        while head < block {
            guard Date() < deadline else {
                throw CLIError("block \(block) is still not committed on L1 after \(commitTimeout) s (committed up to block \(head)); is the batch poster running?")
            }
            try await Task.sleep(nanoseconds: 500_000_000)
            head = try await rollup.nextBlock() - 1
        }
    }

    /// From the sequencer's API, or from a proof file (`emeth prove settlement`).
    func settlementProof(for who: Address) async throws -> SettlementProof {
        guard let path = proofFile else {
            guard let p = try await l2.client.settlementProof(who) else { throw CLIError("the sequencer has no settlement proof for \(who.checksummed)") }
            return p
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = try? JSONValue.parse(text) else {
            throw CLIError("cannot read proof file \(path)")
        }
        let proof: SettlementProof
        do { proof = try SettlementProof(json: json) } catch { throw CLIError("proof file \(path): \(error)") }
        guard proof.account == who else { throw CLIError("the proof is for \(proof.account.checksummed), not \(who.checksummed)") }
        return proof
    }
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
        let rollup = RollupContract(address: d.rollup, eth: eth)
        let claimed = try await rollup.claimed(who)
        print("account      \(who.checksummed)")
        let client = try l2.client
        if let a = try? await client.account(who) {
            print("L2 balance   \(Amount.format(a.balance))")
            print("L2 credit    \(Amount.format(a.credit))   (nonce \(a.nonce))")
        } else {
            print("L2           (API unreachable)")
        }
        print("L1 claimed   \(Amount.format(claimed))")
        print("L1 EMT       \(Amount.format(try await rollup.tokenBalance(who, token: d.token)))")
        if let t = try? await client.ticket(who) {
            let now = t.credit > claimed ? t.credit - claimed : .zero
            print("claimable    \(Amount.format(now)) now with the ticket of block \(t.blockNumber)")
        }
        let count = try await rollup.batchCount()
        guard count > 0 else { print("batches      none on L1 yet"); return }
        let latest = try await rollup.batch(count - 1)
        let final = try await rollup.lastFinalBatch()
        let pending = count - (final.map { $0 + 1 } ?? 0)
        print("batches      \(count) on L1, latest \(latest.batchIndex) (blocks \(latest.firstBlock)–\(latest.lastBlock)); " +
              (final.map { "final up to \($0)" } ?? "none final yet") + "; \(pending) within the challenge period")
    }
}
