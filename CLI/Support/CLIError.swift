import ArgumentParser

/// A user-facing failure: printed to stderr as `error: …` with exit code 1. Commands wrap
/// library errors in it so the message says what to fix, never a Swift type dump.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension ParsableCommand {
    /// Runs `body`, turning any thrown error into a clean CLI error message.
    func reporting<T>(_ context: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CLIError { throw e } catch let e as ValidationError { throw e } catch {
            throw CLIError("\(context): \(error)")
        }
    }
}
