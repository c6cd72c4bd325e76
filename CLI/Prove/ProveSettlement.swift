import ArgumentParser
import Core
import Foundation
import Prover
import Sequencer

/// `emeth prove settlement <account>`: the claim proof of an account's latest credit in a
/// batch (or any block range), for `emeth claim --proof FILE` or any OpenZeppelin verifier.
struct ProveSettlement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settlement",
        abstract: "Prove an account's latest credit in a batch's settlement tree (for claims on L1).",
        discussion: """
            The range must be exactly the batch's blocks, since the root is the batch's settlementRoot. \
            Example: emeth prove settlement 0x… --data ./data --genesis genesis.json --batch 3 --batch-range 301-400 --out claim.json
            """)

    @Argument(help: "The account (0x address).")
    var account: String

    @OptionGroup var store: ChainStoreOptions

    @Option(help: "Block range FIRST-LAST (an ad-hoc range, no batch index).")
    var blocks: String?

    @Option(help: "L1 batch index (requires --batch-range with that batch's blocks).")
    var batch: UInt64?

    @Option(help: "The batch's block range FIRST-LAST, as committed on L1.")
    var batchRange: String?

    @OptionGroup var output: ProofOutputOptions

    func validate() throws {
        switch (blocks, batch, batchRange) {
        case (_?, nil, nil), (nil, _?, _?): return
        case (_?, _, _): throw ValidationError("give either --blocks or --batch with --batch-range, not both")
        case (nil, _?, nil): throw ValidationError("--batch needs --batch-range FIRST-LAST (the batch's blocks as committed on L1)")
        case (nil, nil, _?): throw ValidationError("--batch-range needs --batch N (or use --blocks for an ad-hoc range)")
        case (nil, nil, nil): throw ValidationError("give the range: --blocks FIRST-LAST, or --batch N --batch-range FIRST-LAST")
        }
    }

    func run() throws {
        let address = try reporting("invalid account") { try Address(account) }
        let range = try blocks.map { try parseBlockRange($0, option: "--blocks") }
            ?? parseBlockRange(batchRange!, option: "--batch-range")
        let chain = try store.open()
        let proof = try ProveCommand.building("settlement") {
            try SettlementProof.build(store: chain, account: address, blocks: range, batchIndex: batch)
        }
        guard let proof else {
            throw CLIError("\(address.checksummed)'s credit did not change in blocks \(range.lowerBound)-\(range.upperBound): "
                           + "no settlement proof (its latest credit is committed by the batch where it last changed)")
        }
        try output.write(.settlement(proof))
    }
}
