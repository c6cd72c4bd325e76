import Core
import Foundation
import Node
import Sequencer

/// Reads a genesis file for a command (`Genesis.load`, in Node), as a CLI error.
func loadGenesis(_ path: String) throws -> Genesis {
    do { return try Genesis.load(path: path) } catch { throw CLIError("\(error)") }
}

/// Log lines with a UTC timestamp to stderr (stdout is for a command's result).
func logLine(_ s: String) {
    let f = ISO8601DateFormatter()
    FileHandle.standardError.write(Data("\(f.string(from: Date())) \(s)\n".utf8))
}
