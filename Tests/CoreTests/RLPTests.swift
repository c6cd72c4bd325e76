import Foundation
import Testing
@testable import Core

@Suite struct RLPTests {
    static func vectors(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: "Vectors/rlp/\(name)", withExtension: "json"))
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Decimal text of any size to minimal big-endian bytes (the suite has 2^256).
    static func bigEndian(decimal: String) -> Bytes {
        var digits = decimal.compactMap { $0.wholeNumberValue }
        var out = Bytes()
        while !(digits.isEmpty || digits.allSatisfy { $0 == 0 }) {
            var rem = 0, next: [Int] = []
            for d in digits {
                let cur = rem * 10 + d
                if !next.isEmpty || cur / 256 > 0 { next.append(cur / 256) }
                rem = cur % 256
            }
            out.insert(UInt8(rem), at: 0)
            digits = next
        }
        return out
    }

    /// The suite's "in" convention: lists, integers, "#decimal" big integers, "0x…" bytes,
    /// other strings as UTF-8.
    static func item(_ v: Any) throws -> RLPItem {
        if let list = v as? [Any] { return .list(try list.map(item)) }
        if let n = v as? Int { return .uint(UInt64(n)) }
        let s = try #require(v as? String)
        if s.hasPrefix("#") { return .bytes(bigEndian(decimal: String(s.dropFirst()))) }
        if s.hasPrefix("0x") { return .bytes(try Hex.decode(s)) }
        return .bytes(Array(s.utf8))
    }

    @Test func bigEndianHelperIsRight() {
        #expect(Self.bigEndian(decimal: "0") == [])
        #expect(Self.bigEndian(decimal: "256") == [1, 0])
        #expect(Self.bigEndian(decimal: "83729609699884896815286331701780722").hex == "0x102030405060708090a0b0c0d0e0f2")
    }

    /// ethereum/tests RLPTests/rlptest.json: every case encodes to "out" and decodes back —
    /// except `listofbinaries`, whose published "out" is not even whole bytes (647 hex
    /// digits) and whose list header covers only the first four items. For it we check our
    /// encoding of "in" against pyrlp's (the length and keccak below) and that our
    /// decoder refuses the published bytes' even-length prefix.
    @Test func ethereumTestsValidSuite() throws {
        let suite = try Self.vectors("rlptest")
        #expect(suite.count == 29)
        var checked = 0
        for (name, c) in suite.sorted(by: { $0.key < $1.key }) {
            let c = try #require(c as? [String: Any])
            let outText = try #require(c["out"] as? String)
            let item = try Self.item(try #require(c["in"]))
            if name == "listofbinaries" {
                #expect(outText.utf8.count == 2 + 647)
                let ours = RLP.encode(item)
                #expect(ours.count == 323)
                #expect(Array(ours.prefix(3)) == [0xf9, 0x01, 0x40])
                #expect(Keccak.hash256(ours).hex == "0xaeadfaa40326a40925afb8ff9c8b9e455bbbf046b52baab55cb0daf0a5fb9f89")
                #expect(try RLP.decode(ours) == item)
                let published = try Hex.decode(String(outText.dropLast()))
                #expect(throws: RLPError.trailingBytes(offset: 169)) { try RLP.decode(published) }
                checked += 1
                continue
            }
            let expected = try Hex.decode(outText)
            #expect(RLP.encode(item) == expected, "\(name)")
            #expect(RLP.encodedLength(item) == expected.count, "\(name)")
            #expect(try RLP.decode(expected) == item, "\(name)")
            checked += 1
        }
        #expect(checked == 29)
    }

    /// ethereum/tests RLPTests/invalidRLPTest.json: each case is refused for its own reason.
    @Test func ethereumTestsInvalidSuite() throws {
        let expected: [String: RLPError] = [
            "int32Overflow": .lengthExceedsInput(offset: 0, declared: 0x0f00_0000_0000_0002, available: 2),
            "int32Overflow2": .lengthExceedsInput(offset: 0, declared: 0x0f00_0000_0000_0002, available: 2),
            "wrongSizeList": .nonCanonicalLength(offset: 0),
            "wrongSizeList2": .nonCanonicalLength(offset: 0),
            "incorrectLengthInArray": .leadingZeroInLength(offset: 0),
            "randomRLP": .leadingZeroInLength(offset: 4),
            "bytesShouldBeSingleByte00": .nonCanonicalSingleByte(offset: 0),
            "bytesShouldBeSingleByte01": .nonCanonicalSingleByte(offset: 0),
            "bytesShouldBeSingleByte7F": .nonCanonicalSingleByte(offset: 0),
            "leadingZerosInLongLengthArray1": .leadingZeroInLength(offset: 0),
            "leadingZerosInLongLengthArray2": .leadingZeroInLength(offset: 0),
            "leadingZerosInLongLengthList1": .leadingZeroInLength(offset: 0),
            "leadingZerosInLongLengthList2": .leadingZeroInLength(offset: 0),
            "nonOptimalLongLengthArray1": .nonCanonicalLength(offset: 0),
            "nonOptimalLongLengthArray2": .nonCanonicalLength(offset: 0),
            "nonOptimalLongLengthList1": .nonCanonicalLength(offset: 0),
            "nonOptimalLongLengthList2": .nonCanonicalLength(offset: 0),
        ]
        let suite = try Self.vectors("invalidRLPTest")
        #expect(Set(suite.keys) == Set(expected.keys))
        for (name, c) in suite {
            let bytes = try Hex.decode(try #require((c as? [String: Any])?["out"] as? String))
            let want = try #require(expected[name])
            #expect(throws: want, "\(name)") { try RLP.decode(bytes) }
        }
    }

    @Test func structuralErrorsNameTheProblem() throws {
        #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, 0x05]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 1)) { try RLP.decode([0xc2, 0x81, 0x7f]) }
        #expect(try RLP.decode([0x81, 0x80]) == .bytes([0x80]))
        #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xb8, 0x37] + Bytes(repeating: 1, count: 55)) }
        #expect(try RLP.decode([0xb8, 0x38] + Bytes(repeating: 1, count: 56)) == .bytes(Bytes(repeating: 1, count: 56)))
        #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb9, 0x00, 0x40] + Bytes(repeating: 1, count: 64)) }
        // 8-byte lengths far beyond the input are refused before anything is allocated.
        #expect(throws: RLPError.lengthExceedsInput(offset: 0, declared: .max, available: 0)) {
            try RLP.decode([0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        }
        #expect(throws: RLPError.lengthExceedsInput(offset: 0, declared: .max, available: 1)) {
            try RLP.decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0])
        }
        #expect(throws: RLPError.lengthExceedsInput(offset: 0, declared: 3, available: 2)) { try RLP.decode([0x83, 0x61, 0x62]) }
        // The length bytes themselves are cut off.
        #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([0xb9, 0x01]) }
        #expect(throws: RLPError.truncated(offset: 1)) { try RLP.decode([0xc2, 0xb9, 0x01]) }
        // An inner item may not run past its enclosing list.
        #expect(throws: RLPError.lengthExceedsInput(offset: 1, declared: 3, available: 1)) {
            try RLP.decode([0xc2, 0x83, 0x61, 0x62, 0x63])
        }
        #expect(throws: RLPError.trailingBytes(offset: 1)) { try RLP.decode([0x01, 0x02]) }
        #expect(throws: RLPError.trailingBytes(offset: 1)) { try RLP.decode([0xc0, 0xc0]) }
    }

    @Test func nestingDepthIsBounded() throws {
        func nested(_ n: Int) -> RLPItem {
            var item = RLPItem.list([])
            for _ in 0..<n { item = .list([item]) }
            return item
        }
        // Lists at depth 0…63 are fine; the list at depth 64 (here the innermost `c0`, the
        // last byte) is refused at its own offset.
        #expect(try RLP.decode(RLP.encode(nested(63))) == nested(63))
        let tooDeep = RLP.encode(nested(64))
        #expect(throws: RLPError.nestingTooDeep(offset: tooDeep.count - 1, limit: 64)) { try RLP.decode(tooDeep) }
        #expect(throws: RLPError.nestingTooDeep(offset: 3, limit: 3)) { try RLP.decode(RLP.encode(nested(3)), maxDepth: 3) }
        // A bomb of 5 000 consistently nested list headers (built as bytes, since a value
        // that deep is not something we would construct) fails fast, without recursing far.
        var bomb: Bytes = [0xc0]
        for _ in 0..<5_000 {
            let n = bomb.count
            if n < 56 { bomb.insert(0xc0 + UInt8(n), at: 0) } else {
                let len = RLP.byteCount(UInt64(n))
                bomb.insert(contentsOf: [0xf7 + UInt8(len)] + (0..<len).reversed().map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }, at: 0)
            }
        }
        var offset = 0, depth = 0
        try bomb.withUnsafeBufferPointer { b in
            while depth < 64 { offset = try RLP.header(b, at: offset, end: b.count).payloadStart; depth += 1 }
        }
        #expect(throws: RLPError.nestingTooDeep(offset: offset, limit: 64)) { try RLP.decode(bomb) }
    }

    @Test func accessorsAndConvenienceEncoders() throws {
        let item = try RLP.decode(RLP.encode(.list([.uint(UInt64(1024)), .bytes([]), .address(Address.zero), .list([])])))
        let l = try item.list
        #expect(l.count == 4)
        #expect(try l[0].uint64 == 1024)
        #expect(try l[0].uint256 == UInt256(1024))
        #expect(try l[1].uint64 == 0)
        #expect(try l[1].bytes == [])
        #expect(try l[2].address == Address.zero)
        #expect(throws: RLPError.expectedBytes("item")) { try l[3].bytes }
        #expect(throws: RLPError.expectedList("item")) { try l[0].list }
        #expect(throws: RLPError.leadingZeros("nonce")) { try RLPItem.bytes([0, 1]).uint256Value("nonce") }
        #expect(throws: RLPError.leadingZeros("nonce")) { try RLPItem.bytes([0]).uint64Value("nonce") }
        #expect(throws: RLPError.integerTooLarge("value", bits: 256)) {
            try RLPItem.bytes(Bytes(repeating: 1, count: 33)).uint256Value("value")
        }
        #expect(throws: RLPError.integerTooLarge("gas", bits: 64)) { try RLPItem.bytes(Bytes(repeating: 1, count: 9)).uint64Value("gas") }
        #expect(throws: RLPError.invalidAddressLength("to", 19)) { try RLPItem.bytes(Bytes(repeating: 1, count: 19)).addressValue("to") }
        #expect(try RLPItem.bytes(Bytes(repeating: 0xff, count: 32)).uint256 == UInt256.max)
        #expect(try RLPItem.bytes([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]).uint256 == UInt256(w0: 0x0203_0405_0607_0809, w1: 1, w2: 0, w3: 0))
        #expect(try RLPItem.bytes(Bytes(repeating: 0xff, count: 8)).uint64 == .max)

        #expect(RLP.encode(UInt64(0)) == [0x80])
        #expect(RLP.encode(UInt64(0x7f)) == [0x7f])
        #expect(RLP.encode(UInt64(0x80)) == [0x81, 0x80])
        #expect(RLP.encode(UInt64.max) == [0x88] + Bytes(repeating: 0xff, count: 8))
        #expect(RLP.encode(UInt256(0x0400)) == [0x82, 0x04, 0x00])
        #expect(RLP.encode(UInt256.max) == [0xa0] + Bytes(repeating: 0xff, count: 32))
        #expect(RLP.encode(Address.zero) == [0x94] + Bytes(repeating: 0, count: 20))
        #expect(RLP.encode(Bytes("dog".utf8)) == [0x83, 0x64, 0x6f, 0x67])
        #expect(RLP.encode(.list([])) == [0xc0])
        // 1024-byte string: two length bytes.
        #expect(Array(RLP.encode(Bytes(repeating: 7, count: 1024)).prefix(3)) == [0xb9, 0x04, 0x00])
        // Decoding a slice reports offsets from the slice start.
        let framed: Bytes = [0x02, 0x81, 0x05]
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode(framed.dropFirst()) }
    }

    /// Random nested structures encoded by pyrlp (an independent implementation).
    @Test func agreesWithPyrlp() throws {
        func item(_ v: Any) throws -> RLPItem {
            if let l = v as? [Any] { return .list(try l.map(item)) }
            return .bytes(try Hex.decode(try #require(v as? String)))
        }
        let cases = try PythonOracle.cases("rlp_cases.py", ["--seed", "4", "--count", "300"])
        #expect(cases.count == 300)
        for c in cases {
            let expected = try Hex.decode(try #require(c["encoded"] as? String))
            let it = try item(try #require(c["item"]))
            #expect(RLP.encode(it) == expected)
            #expect(try RLP.decode(expected) == it)
            if let invalid = c["invalid"] as? String, let reason = c["reason"] as? String {
                #expect(throws: RLPError.self, "pyrlp refuses (\(reason))") { try RLP.decode(try Hex.decode(invalid)) }
            }
        }
    }

    /// Mutated and truncated encodings never crash the decoder, and whatever it accepts
    /// re-encodes to exactly the input (strictness: one encoding per value).
    @Test func decoderSurvivesGarbageAndIsCanonical() throws {
        var (rng, rngSeed) = TestSeed.generator(0x91_0225)
        let seed = RLP.encode(.list([.bytes(Bytes(repeating: 7, count: 60)), .list([.uint(UInt64(1_000_000)), .bytes([0x80])]),
                                     .bytes([]), .bytes([5])]))
        var accepted = 0
        for _ in 0..<20_000 {
            var b = seed
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng))) }
            if let item = try? RLP.decode(b) {
                accepted += 1
                #expect(RLP.encode(item) == b, "seed \(rngSeed): \(b.hex)")
            }
        }
        #expect(accepted > 0, "seed \(rngSeed)")
    }
}
