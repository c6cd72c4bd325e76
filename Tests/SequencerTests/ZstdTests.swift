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
}
