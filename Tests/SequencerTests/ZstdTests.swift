import Core
import Testing
@testable import Sequencer

@Suite struct ZstdTests {
    @Test func roundTripAndBounds() throws {
        let data = Bytes((0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) })
        let packed = try Zstd.compress(data)
        #expect(packed.count < data.count / 10)
        #expect(try Zstd.decompress(packed, maxSize: 10_000) == data)
        #expect(throws: Zstd.Error.tooLarge(declared: 10_000, limit: 9_999)) { try Zstd.decompress(packed, maxSize: 9_999) }
        #expect(throws: Zstd.Error.decompressionFailed("not a zstd frame")) { try Zstd.decompress([1, 2, 3, 4, 5, 6, 7, 8], maxSize: 100) }
        var corrupt = packed
        corrupt[corrupt.count / 2] ^= 0xff
        let corrupted = Result { try Zstd.decompress(corrupt, maxSize: 10_000) }
        #expect((try? corrupted.get()) == nil, "a corrupted frame must not decode")
        #expect(try Zstd.decompress(try Zstd.compress([]), maxSize: 0) == [])
    }

    /// The bounded size test agrees with the frame `compress` makes, byte for byte at the
    /// boundary: on text that compresses well, on bytes that do not, on input of several zstd
    /// blocks (128 KiB each), and on nothing.
    @Test func sizeTestAgreesWithTheFrameAtTheBoundary() throws {
        var noise: Bytes = []
        var h = Keccak.hash256(Array("zstd".utf8))
        while noise.count < 300_000 { noise += h; h = Keccak.hash256(h) }
        let inputs: [Bytes] = [
            [],
            Bytes((0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) }),
            noise,
            Bytes(noise.prefix(100_000)) + Bytes(noise.prefix(100_000)) + Bytes((0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }),
        ]
        for input in inputs {
            for level: Int32 in [3, 19] {
                let size = try Zstd.compress(input, level: level).count
                #expect(try Zstd.compressedSize(of: input, exceeds: size - 1, level: level), "input of \(input.count), level \(level)")
                #expect(try !Zstd.compressedSize(of: input, exceeds: size, level: level), "input of \(input.count), level \(level)")
                #expect(try Zstd.compressedSize(of: input, exceeds: size / 3, level: level) == (size > size / 3))
            }
        }
    }
}
