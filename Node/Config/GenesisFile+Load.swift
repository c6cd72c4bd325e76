import Core
import Foundation
import Sequencer

extension Genesis {
    /// Reads a genesis file (Sequencer/State/GenesisFile.swift has its format), naming the
    /// file in any error.
    public static func load(path: String) throws -> Genesis {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw NodeError("cannot read genesis file \(path)") }
        do { return try Genesis.parse(try JSONValue.parse(text)) } catch { throw NodeError("\(path): \(error)") }
    }
}
