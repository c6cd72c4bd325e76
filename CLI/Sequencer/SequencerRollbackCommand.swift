import ArgumentParser
import Node

/// `emeth sequencer rollback --to-batch N`: after a guardian challenged batch N (the poster
/// halted, `/health` says "challenged"), drops every block from batch N on so the chain can
/// re-seal and re-post from there. Offline: the sequencer (and any `emeth bridge run`) must be
/// stopped — a store another process holds is refused. Nothing is written unless every check
/// passes; the chain is truncated first, the poster's records after (running the command again
/// completes an interrupted run).
struct SequencerRollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Drop the blocks of batch N and later (offline; after a challenge).",
        discussion: """
        Truncates the chain in the data directory to the last block of batch N-1 (block 0 for
        N = 0): state, state tree, tickets and totals as they were there. The dropped blocks'
        transactions go back into the mempool on the next `sequencer run` (re-validated; refused
        ones are reported as dropped in their receipts); their inbox messages are read from L1
        again. The poster forgets its records from batch N on and its halted state.
        """)

    @Option(name: .customLong("to-batch"), help: "The first batch to drop (the challenged one).")
    var toBatch: UInt64

    @Option(help: "Configuration file (TOML). Default: emeth.toml if it exists.")
    var config: String?
    @Option(help: "Data directory (RocksDB).") var data: String?
    @Option(help: "Genesis file (JSON).") var genesis: String?
    @Option(help: "The batch poster's data directory (default: <data>-bridge).") var bridgeData: String?

    func run() throws {
        var c = try NodeConfig.load(explicit: config)
        if let data { c.dataDir = data }
        if let genesis { c.genesis = genesis }
        if let bridgeData { c.bridge.dataDir = bridgeData }
        let (outcome, lastKept) = try NodeRecovery.rollback(c, toBatch: toBatch)
        print("rolled back to block \(outcome.newHead) (was \(outcome.oldHead)): batch \(toBatch) will start at block \(lastKept + 1); "
              + "\(outcome.droppedTransactions) transactions wait for re-admission, inbox cursor \(outcome.inboxCursor)")
    }
}
