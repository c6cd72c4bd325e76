import Core
import Foundation
import FuzzHarness
import Sequencer
import Testing

/// Replays the committed fuzz corpus (Tests/Fuzz/corpus/<target>/) and every input that once
/// crashed a decoder (Tests/Fuzz/regressions/<target>/) through the fuzz entry points, so they
/// stay valid inputs for the normal suite: nothing may trap, and every round trip must hold.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz").path

    static func inputs(_ kind: String, _ target: FuzzTarget) throws -> [(String, Bytes)] {
        let dir = root + "/" + kind + "/" + target.rawValue
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return try names.sorted().map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))) }
    }

    @Test(arguments: FuzzTarget.allCases) func corpusReplays(_ target: FuzzTarget) async throws {
        let corpus = try Self.inputs("corpus", target)
        #expect(!corpus.isEmpty, "no seed corpus for \(target.rawValue)")
        for (name, bytes) in corpus + (try Self.inputs("regressions", target)) {
            do {
                if target == .rpc { try await Fuzz.rpc(bytes) } else { try Fuzz.run(target, bytes) }
            } catch { Issue.record("\(target.rawValue)/\(name): \(error)") }
        }
    }

    /// The block seeds are real stored blocks in the store's current format (a format change
    /// must regenerate them, or they stop reaching past the first field count).
    @Test func blockSeedsAreBlocksInTheCurrentStorageFormat() throws {
        let seeds = try Self.inputs("corpus", .block)
        #expect(seeds.count == 3)
        for (name, bytes) in seeds {
            let b = try BlockCodec.decode(bytes)
            #expect(BlockCodec.encode(b) == bytes, "\(name)")
        }
    }
}
