import ArgumentParser
import Core
import Foundation
import Prover
import Sequencer

/// The block a state proof is taken at (default: the head).
struct BlockOption: ParsableArguments {
    @Option(help: "Block number (default: the store's head).")
    var block: UInt64?
}

/// `emeth prove account <address>`: the account's record (or its absence) against a block's stateRoot.
struct ProveAccount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Prove an account's balance, nonce and credit (or its absence) at a block.")

    @Argument(help: "The account (0x address).")
    var address: String

    @OptionGroup var store: ChainStoreOptions
    @OptionGroup var at: BlockOption
    @OptionGroup var output: ProofOutputOptions

    func run() throws {
        let a = try reporting("invalid address") { try Address(address) }
        let chain = try store.open()
        try output.write(.state(try ProveCommand.building("account") { try StateProof.account(a, store: chain, block: at.block) }))
    }
}

/// `emeth prove job <jobId>`: the job's record (or its absence) against a block's stateRoot.
struct ProveJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Prove a job's record (or its absence) at a block.")

    @Argument(help: "The job id (0x-hex, 16 bytes).")
    var jobId: String

    @OptionGroup var store: ChainStoreOptions
    @OptionGroup var at: BlockOption
    @OptionGroup var output: ProofOutputOptions

    func run() throws {
        let id = try reporting("invalid job id") { try JobID(hex: jobId) }
        let chain = try store.open()
        try output.write(.state(try ProveCommand.building("job") { try StateProof.job(id, store: chain, block: at.block) }))
    }
}

/// `emeth prove totals`: the totals record (deposits, credit, burned, …) at a block.
struct ProveTotals: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totals", abstract: "Prove the chain totals (deposited, credit, burned, …) at a block.")

    @OptionGroup var store: ChainStoreOptions
    @OptionGroup var at: BlockOption
    @OptionGroup var output: ProofOutputOptions

    func run() throws {
        let chain = try store.open()
        try output.write(.state(try ProveCommand.building("totals") { try StateProof.totals(store: chain, block: at.block) }))
    }
}

/// `emeth prove tx <hash>`: the transaction's inclusion in its block's txRoot.
struct ProveTx: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx", abstract: "Prove that an L2 transaction was sequenced, and where (block, index).")

    @Argument(help: "The L2 transaction hash (0x-hex, 32 bytes).")
    var hash: String

    @OptionGroup var store: ChainStoreOptions
    @OptionGroup var output: ProofOutputOptions

    func run() throws {
        let h = try reporting("invalid transaction hash") { try Hash32(hex: hash) }
        let chain = try store.open()
        guard let proof = try ProveCommand.building("transaction", { try TransactionProof.build(store: chain, txHash: h) }) else {
            throw CLIError("transaction \(h.bytes.hex) is not in the chain store (not sequenced, or not up to block \(chain.head.number))")
        }
        try output.write(.transaction(proof))
    }
}
