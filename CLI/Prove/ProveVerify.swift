import ArgumentParser
import Core
import Foundation
import Prover

/// `emeth prove verify <file>`: the standalone verifier. Needs no store; exit 0 valid,
/// 1 invalid (the reason on stderr), 2 unreadable.
struct ProveVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a proof file without any chain store (exit 0 valid, 1 invalid, 2 unreadable).")

    @Argument(help: "The proof file (JSON, as `emeth prove …` writes it).")
    var file: String

    @Option(help: "Also require the block to be signed by this Signer address (state and transaction proofs).")
    var signer: String?

    func run() throws {
        let expected = try signer.map { s in try reporting("invalid --signer") { try Address(s) } }
        let outcome: ProofFile.Outcome
        if let data = FileManager.default.contents(atPath: file) {
            outcome = ProofFile.verify(data: data, signer: expected)
        } else {
            outcome = .unreadable("cannot read \(file)")
        }
        switch outcome {
        case .valid(let summary): print("valid: \(summary)")
        case .invalid(let reason): FileHandle.standardError.write(Data("invalid: \(reason)\n".utf8))
        case .unreadable(let reason): FileHandle.standardError.write(Data("unreadable: \(reason)\n".utf8))
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
