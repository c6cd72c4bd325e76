import Core
import Foundation
import Sequencer

/// Reads a genesis file (Sequencer/State/GenesisFile.swift) for a command.
func loadGenesis(_ path: String) throws -> Genesis {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read genesis file \(path)") }
    do { return try Genesis.parse(try JSONValue.parse(text)) } catch { throw CLIError("\(path): \(error)") }
}

/// Log lines with a UTC timestamp to stderr (stdout is for a command's result).
func logLine(_ s: String) {
    let f = ISO8601DateFormatter()
    FileHandle.standardError.write(Data("\(f.string(from: Date())) \(s)\n".utf8))
}

/// SIGINT/SIGTERM set a flag that long-running loops check, so they stop between steps
/// (after a durable write), never in the middle of one.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in self?.stop() }
            s.resume()
            sources.append(s)
        }
    }

    func stop() { lock.lock(); stopped = true; lock.unlock() }
    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}
