import Foundation
import Testing
@testable import Core

@Suite struct RLPTests {
    static func vectors(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: "Vectors/rlp/\(name)", withExtension: "json"))
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
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

    static func item(_ v: Any) -> RLPItem {
        if let list = v as? [Any] { return .list(list.map(item)) }
        if let n = v as? Int { return .uint(UInt64(n)) }
        let s = v as! String
        if s.hasPrefix("#") { return .bytes(bigEndian(decimal: String(s.dropFirst()))) }
        if s.hasPrefix("0x") { return .bytes(try! Hex.decode(s)) }
        return .bytes(Array(s.utf8))
    }

    @Test func ethereumTestsValidSuite() throws {
        let suite = try Self.vectors("rlptest")
        #expect(suite.count == 28)
        for (name, c) in suite {
            let c = c as! [String: Any]
            let expected = try Hex.decode(c["out"] as! String)
            let item = Self.item(c["in"]!)
            #expect(RLP.encode(item) == expected, "\(name)")
            #expect(try RLP.decode(expected) == item, "\(name)")
        }
    }

    @Test func ethereumTestsInvalidSuite() throws {
        let suite = try Self.vectors("invalidRLPTest")
        #expect(suite.count == 17)
        for (name, c) in suite {
            let bytes = try Hex.decode((c as! [String: Any])["out"] as! String)
            #expect(throws: RLPError.self, "\(name)") { try RLP.decode(bytes) }
        }
    }

    @Test func invalidInputsNameTheProblem() throws {
        #expect(throws: RLPError.empty) { try RLP.decode([]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, 0x05]) }
        #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xb8, 0x01, 0xff]) }
        #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb9, 0x00, 0x40] + Bytes(repeating: 1, count: 64)) }
        #expect(throws: RLPError.lengthOverflow(offset: 0)) { try RLP.decode([0xbf, 0x0f, 0, 0, 0, 0, 0, 0, 2, 0x11, 0x11]) }
        #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([0x83, 0x61, 0x62]) }
        #expect(throws: RLPError.trailingBytes(offset: 1)) { try RLP.decode([0x01, 0x02]) }
        #expect(throws: RLPError.truncated(offset: 1)) { try RLP.decode([0xc2, 0x83, 0x61]) }
        var deep = RLPItem.list([])
        for _ in 0..<100 { deep = .list([deep]) }
        #expect(throws: RLPError.tooDeep) { try RLP.decode(RLP.encode(deep)) }
        #expect(throws: RLPError.leadingZeros("nonce")) { try RLPItem.bytes([0, 1]).uint256Value("nonce") }
        #expect(throws: RLPError.integerTooLarge("value")) { try RLPItem.bytes(Bytes(repeating: 1, count: 33)).uint256Value("value") }
    }

    @Test func agreesWithPyrlp() throws {
        func item(_ v: Any) -> RLPItem {
            if let l = v as? [Any] { return .list(l.map(item)) }
            return .bytes(try! Hex.decode(v as! String))
        }
        for c in try PythonOracle.cases("rlp_cases.py", ["--seed", "4", "--count", "300"]) {
            let expected = try Hex.decode(c["encoded"] as! String)
            let it = item(c["item"]!)
            #expect(RLP.encode(it) == expected)
            #expect(try RLP.decode(expected) == it)
        }
    }

    /// Random and mutated inputs never crash the decoder.
    @Test func decoderSurvivesGarbage() {
        var rng = SystemRandomNumberGenerator()
        let seed = RLP.encode(.list([.bytes(Bytes(repeating: 7, count: 60)), .list([.uint(UInt64(1_000_000))]), .bytes([])]))
        for _ in 0..<20_000 {
            var b = seed
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng))) }
            _ = try? RLP.decode(b)
        }
    }
}
