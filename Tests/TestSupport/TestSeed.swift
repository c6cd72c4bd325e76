import Foundation

/// Seeds for randomised tests. Every randomised test draws from a `SeededGenerator` whose seed
/// it names in its failure messages; setting `EMETH_TEST_SEED` replays a failure (or explores
/// other seeds) without editing the test:
///
///     EMETH_TEST_SEED=1234 swift test --filter SparseMerkleTreeTests
public enum TestSeed {
    /// `EMETH_TEST_SEED` when set (decimal or 0x-hex), otherwise `fallback`.
    public static func value(_ fallback: UInt64) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment["EMETH_TEST_SEED"]?.trimmingCharacters(in: .whitespaces),
              !text.isEmpty else { return fallback }
        if text.hasPrefix("0x"), let v = UInt64(text.dropFirst(2), radix: 16) { return v }
        guard let v = UInt64(text) else { fatalError("EMETH_TEST_SEED must be a 64-bit integer, got \(text)") }
        return v
    }

    /// A generator seeded with `value(fallback)`, and the seed to print with any failure.
    public static func generator(_ fallback: UInt64) -> (rng: SeededGenerator, seed: UInt64) {
        let s = value(fallback)
        return (SeededGenerator(seed: s), s)
    }

    /// An integer from the environment (sizes of the longer test runs), or `fallback`.
    public static func count(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }
}

extension SeededGenerator {
    /// `n` bytes from the generator (keys, hashes and garbage inputs that a seed replays).
    public mutating func bytes(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            var word = next()
            for _ in 0..<min(8, n - out.count) { out.append(UInt8(truncatingIfNeeded: word)); word >>= 8 }
        }
        return out
    }
}
