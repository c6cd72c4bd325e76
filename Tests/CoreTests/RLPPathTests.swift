import Core
import Testing

/// `RLP.decode(_:at:)`: one item out of a larger encoding, found by walking headers, must be
/// exactly the item a full decode finds there — and refuse what a full decode refuses on the way.
@Suite struct RLPPathTests {
    static let long = Bytes(repeating: 0xaa, count: 60)  // long-form string header (0xb8 0x3c)
    static let item = RLPItem.list([
        .bytes([0x05]),
        .list([.bytes(Array("cat".utf8)), .list([]), .bytes(long)]),
        .bytes([]),
    ])
    static let encoded = RLP.encode(item)

    @Test func eachPathGivesTheItemAFullDecodeFindsThere() throws {
        #expect(Self.encoded.count == 73)  // 0xf8 0x47, then 71 payload bytes
        #expect(try RLP.decode(Self.encoded, at: []) == Self.item)
        #expect(try RLP.decode(Self.encoded, at: [0]) == .bytes([0x05]))
        #expect(try RLP.decode(Self.encoded, at: [1]) == .list([.bytes(Array("cat".utf8)), .list([]), .bytes(Self.long)]))
        #expect(try RLP.decode(Self.encoded, at: [1, 0]) == .bytes([0x63, 0x61, 0x74]))
        #expect(try RLP.decode(Self.encoded, at: [1, 1]) == .list([]))
        #expect(try RLP.decode(Self.encoded, at: [1, 2]) == .bytes(Self.long))
        #expect(try RLP.decode(Self.encoded, at: [2]) == .bytes([]))
    }

    @Test func aPositionPastTheEndOfItsListIsNil() throws {
        #expect(try RLP.decode(Self.encoded, at: [3]) == nil)
        #expect(try RLP.decode(Self.encoded, at: [1, 3]) == nil)
        #expect(try RLP.decode(Self.encoded, at: [1, 1, 0]) == nil)
        #expect(try RLP.decode(Self.encoded, at: [-1]) == nil)
    }

    @Test func whatAFullDecodeRefusesOnThePathIsRefused() throws {
        #expect(throws: RLPError.expectedList("item 0")) { try RLP.decode(Self.encoded, at: [0, 0]) }
        #expect(throws: RLPError.expectedList("item 1.2")) { try RLP.decode(Self.encoded, at: [1, 2, 0]) }
        #expect(throws: RLPError.trailingBytes(offset: 73)) { try RLP.decode(Self.encoded + [0x00], at: [0]) }
        // The outer list declares one byte more than there is.
        var short = Self.encoded
        short[1] += 1
        #expect(throws: RLPError.lengthExceedsInput(offset: 0, declared: 72, available: 71)) { try RLP.decode(short, at: [0]) }
        // A single byte below 0x80 with a prefix, in the item asked for.
        let bad: Bytes = [0xc3, 0x05, 0x81, 0x7f]
        #expect(try RLP.decode(bad, at: [0]) == .bytes([0x05]))
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 2)) { try RLP.decode(bad, at: [1]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 2)) { try RLP.decode(bad) }
    }
}
