import ArgumentParser

/// `emeth audit`: rebuild the chain from L1 (or an export) and check every claim the sequencer
/// made (docs/AUDIT.md). Three commands check a deployment: export, replay, and — when a replay
/// finds a lie in a batch that is not final yet — replay --challenge. See docs/AUDIT.md.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Export the rollup's batches and replay them against L1 (exit 0 agree, 1 divergence, 2 could not run).",
        subcommands: [AuditExport.self, AuditReplay.self, AuditSnapshot.self, AuditBenchReplay.self])
}

/// Exit codes of the audit commands: scripts and monitors tell "the chain is wrong" from
/// "the check could not run".
enum AuditExit {
    static let divergence = ExitCode(1)
    static let couldNotRun = ExitCode(2)

    /// Runs `body`; any error is printed and becomes exit code 2.
    static func guarding(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
            FileHandleStderr.write("error: \(error)\n")
            throw couldNotRun
        }
    }
}
