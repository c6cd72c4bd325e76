import ArgumentParser
import Client
import Core
import Foundation
import Sequencer

/// What every job transaction command shares: endpoint, key, nonce, --wait and --json.
struct JobSendOptions: ParsableArguments {
    @OptionGroup var l2: L2Options
    @OptionGroup var key: KeyOptions

    @Option(help: "Sign with this nonce instead of the sender's next one from the sequencer.")
    var nonce: UInt64?

    @Flag(help: "Wait until the transaction is in a block; print the outcome, and fail if it failed.")
    var wait = false

    @Option(help: "Seconds to wait with --wait.")
    var timeout: Double = 60

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// Loads the key, connects, builds the call (which may need the chain's rules), sends it
    /// and reports. Errors are the Client's sentences.
    func send(_ build: (ChainContext) throws(ClientError) -> L2Call) async throws {
        let k = try key.load()
        let url = try l2.url
        let report = try await refusing { () async throws(ClientError) -> TransactionReport in
            let client = try await TransactionClient.connect(url)
            return try await TransactionReport.run(try build(client.chain), key: k, nonce: nonce, wait: wait, timeout: timeout, client: client)
        }
        // A failure in the block is a result (the nonce was spent): printed, then the command fails.
        if json { print(report.json.prettySerialized) } else { report.lines.forEach { print($0) } }
        if let e = report.error { throw CLIError(e.message) }
    }

    /// Runs `body`; a refusal ends the command with its sentence (also as JSON with --json).
    private func refusing(_ body: () async throws(ClientError) -> TransactionReport) async throws -> TransactionReport {
        do { return try await body() } catch {
            if json {
                print(JSONValue.object(["error": .string(error.message), "kind": .string(error.kind.rawValue),
                                        "failure": error.failure.map { .object(["code": .int(Int($0.rawValue)), "name": .string($0.name)]) } ?? .null])
                        .prettySerialized)
            }
            throw CLIError(error.message)
        }
    }
}

/// Input parsing for the commands: the Client's parsers, their errors as CLI errors.
func input<T>(_ body: () throws(ClientError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError(error.message) }
}

/// An API read, its errors as CLI errors.
func reading<T>(_ body: () async throws(ClientError) -> T) async throws -> T {
    do { return try await body() } catch { throw CLIError(error.message) }
}

/// Now, for deadlines given as `+2h`: the sequencer stamps blocks with its wall clock.
var unixNow: UInt64 { UInt64(Date().timeIntervalSince1970) }
