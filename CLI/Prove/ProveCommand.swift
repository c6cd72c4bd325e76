import ArgumentParser
import Core
import Foundation
import Prover
import Sequencer

/// `emeth prove …`: proofs from a chain store, and the standalone verifier (docs/AUDIT.md).
/// Every proof is written as one self-describing JSON file (docs/PROOFS.md) that
/// `emeth prove verify` checks without any store.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Build settlement, state and transaction proofs; verify proof files.",
        subcommands: [ProveSettlement.self, ProveAccount.self, ProveJob.self, ProveTotals.self, ProveTx.self, ProveVerify.self])
}

/// Where the chain is: a stopped sequencer's data directory and its genesis file.
struct ChainStoreOptions: ParsableArguments {
    @Option(help: "Data directory of the chain store (RocksDB); the sequencer using it must be stopped.")
    var data: String

    @Option(help: "The chain's genesis file (JSON); must be the one the store was created with.")
    var genesis: String

    /// Opens the store. Refuses a directory without a store rather than creating an empty
    /// chain in it, and explains RocksDB's lock error: only one process may open a store.
    func open() throws -> ChainStore {
        guard FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("CURRENT")) else {
            throw CLIError("no chain store at \(data) (expected a RocksDB directory written by the sequencer)")
        }
        let g = try loadGenesis(genesis)
        do {
            return try ChainStore(path: data, genesis: g)
        } catch let e as RocksDBError {
            if case .locked = e {
                throw CLIError("the data directory \(data) is in use by a running sequencer; use the API's emeth_getSettlementProof or stop it")
            }
            throw CLIError("cannot open \(data): \(e)")
        } catch {
            throw CLIError("cannot open \(data): \(error)")
        }
    }
}

/// Where a proof goes: a file (`--out`) or stdout.
struct ProofOutputOptions: ParsableArguments {
    @Option(help: "Write the proof to this file instead of stdout.")
    var out: String?

    func write(_ proof: ProofFile.Proof) throws {
        let text = ProofFile.text(proof)
        guard let out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw CLIError("cannot write \(out): \(error.localizedDescription)")
        }
    }
}

/// Parses `A-B` (or a single block `A`) into a block range.
func parseBlockRange(_ text: String, option: String) throws -> ClosedRange<UInt64> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let a = UInt64(parts[0]), let b = UInt64(parts.last!) else {
        throw ValidationError("\(option) must be FIRST-LAST (block numbers), e.g. 101-200; got \"\(text)\"")
    }
    guard a <= b else { throw ValidationError("\(option): the first block \(a) is after the last block \(b)") }
    return a...b
}

extension ProveCommand {
    /// Runs a builder, turning library errors into a clean `error: …` line.
    static func building<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CLIError { throw e } catch {
            throw CLIError("cannot build the \(what) proof: \(error)")
        }
    }
}
