import Testing
import TestSupport
@testable import Core

@Suite struct UInt256Tests {
    @Test func parsesAndPrintsExtremes() throws {
        let max = try UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(max == .max)
        #expect(max.description == "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(max.hexQuantity == "0x" + String(repeating: "f", count: 64))
        #expect(UInt256.zero.hexQuantity == "0x0")
        #expect(UInt256(255).hexQuantity == "0xff")
        #expect(UInt256(256).hexQuantity == "0x100")
        #expect(try UInt256(hex: "0x00000000000000000000000000000000000000000000000000000000000000000001") == 1)
    }

    @Test func rejectsBadText() {
        #expect(throws: NumberParseError.tooLarge("115792089237316195423570985008687907853269984665640564039457584007913129639936")) {
            try UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        }
        #expect(throws: NumberParseError.tooLarge("0x1" + String(repeating: "0", count: 64))) {
            try UInt256(hex: "0x1" + String(repeating: "0", count: 64))
        }
        #expect(throws: NumberParseError.invalidDigit("x", in: "12x")) { try UInt256(decimal: "12x") }
        #expect(throws: NumberParseError.invalidDigit("-", in: "-1")) { try UInt256(parsing: "-1") }
        #expect(throws: NumberParseError.empty) { try UInt256(parsing: "") }
        #expect(throws: NumberParseError.empty) { try UInt256(parsing: "0x") }
        #expect(throws: NumberParseError.invalidDigit("٣", in: "1٣")) { try UInt256(decimal: "1٣") }
    }

    @Test func throwingArithmeticNamesTheProblem() {
        #expect(throws: ArithmeticError.overflow) { try UInt256.max.adding(1) }
        #expect(throws: ArithmeticError.underflow) { try UInt256(1).subtracting(2) }
        #expect(throws: ArithmeticError.overflow) { try (UInt256.one << 128).multiplied(by: UInt256.one << 128) }
        #expect(throws: ArithmeticError.divisionByZero) { try UInt256(5).divided(by: .zero) }
        #expect(throws: ArithmeticError.divisionByZero) { try UInt256(5).remainder(dividingBy: .zero) }
    }

    @Test func bytesRoundTrip() throws {
        let v = try UInt256(hex: "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
        #expect(v.bigEndianBytes == Bytes(1...32))
        #expect(try UInt256(bigEndian: Bytes(1...32)) == v)
        #expect(UInt256(0x0100).minimalBigEndianBytes == [1, 0])
        #expect(UInt256.zero.minimalBigEndianBytes == [])
        #expect(throws: HexError.wrongLength(expected: 32, actual: 33)) { try UInt256(bigEndian: Bytes(repeating: 1, count: 33)) }
        // Shorter input is left-padded, from an array, a slice or a non-contiguous collection.
        let nine = try UInt256(hex: "0x010203040506070809")
        #expect(try UInt256(bigEndian: Bytes(1...9)) == nine)
        #expect(try UInt256(bigEndian: Bytes(0...9)[1...]) == nine)
        #expect(try UInt256(bigEndian: (1...9).lazy.map { UInt8($0) }) == nine)
        #expect(try UInt256(bigEndian: Bytes(1...32).reversed().reversed()) == v)
        #expect(try UInt256(bigEndian: Bytes()) == .zero)
        #expect(throws: HexError.wrongLength(expected: 32, actual: 33)) { try UInt256(bigEndian: (0..<33).lazy.map { UInt8($0) }) }
    }

    /// Shorter input is left-padded, across limb boundaries, from arrays and slices alike.
    @Test func shortBigEndianInputIsLeftPadded() throws {
        #expect(try UInt256(bigEndian: Bytes()) == .zero)
        #expect(try UInt256(bigEndian: [0x01, 0x02]) == UInt256(0x0102))
        #expect(try UInt256(bigEndian: Bytes(1...9)) == UInt256(w0: 0x0203_0405_0607_0809, w1: 0x01, w2: 0, w3: 0))
        #expect(try UInt256(bigEndian: Bytes(1...17)) == UInt256(w0: 0x0a0b_0c0d_0e0f_1011, w1: 0x0203_0405_0607_0809, w2: 0x01, w3: 0))
        let full = Bytes(1...32)
        #expect(try UInt256(bigEndian: full[8...]) == UInt256(w0: 0x191a_1b1c_1d1e_1f20, w1: 0x1112_1314_1516_1718, w2: 0x090a_0b0c_0d0e_0f10, w3: 0))
        var out: Bytes = [0xff]
        try UInt256(bigEndian: full).appendBigEndian(to: &out)
        #expect(out == [0xff] + full)
    }

    /// Every operation against Python's exact integers on 400 edge-heavy random pairs.
    @Test func agreesWithPythonIntegers() throws {
        let cases = try PythonOracle.cases("uint256_cases.py", ["--seed", "11", "--count", "400"])
        #expect(cases.count == 400)
        for c in cases {
            let a = try UInt256(decimal: c["a"] as! String), b = try UInt256(decimal: c["b"] as! String)
            func opt(_ k: String) -> UInt256? { (c[k] as? String).map { try! UInt256(decimal: $0) } }
            #expect(try UInt256(hex: c["aHex"] as! String) == a)
            #expect(a.bigEndianBytes.hex == c["bigEndian"] as! String)
            #expect((try? a.adding(b)) == opt("add"))
            #expect((try? a.subtracting(b)) == opt("sub"))
            #expect((try? a.multiplied(by: b)) == opt("mul"))
            #expect((try? a.divided(by: b)) == opt("div"))
            #expect((try? a.remainder(dividingBy: b)) == opt("mod"))
            #expect((a &+ b).description == c["addWrap"] as! String)
            #expect((a &- b).description == c["subWrap"] as! String)
            #expect((a &* b).description == c["mulWrap"] as! String)
            let s = c["shift"] as! Int
            #expect((a << s).description == c["shl"] as! String)
            #expect((a >> s).description == c["shr"] as! String)
            #expect((a & b).description == c["and"] as! String)
            #expect((a | b).description == c["or"] as! String)
            #expect((a ^ b).description == c["xor"] as! String)
            #expect((a < b) == c["lt"] as! Bool)
            #expect(a.bitLength == c["bitLength"] as! Int)
        }
    }
}

/// Decimal parsing reads runs of 19 digits at a time; it must answer exactly as reading digit by
/// digit did — the value, or the same error — whatever the input.
@Suite struct UInt256DecimalTests {
    /// The previous implementation, kept as the reference.
    static func digitByDigit(_ text: String) -> Result<UInt256, NumberParseError> {
        guard !text.isEmpty else { return .failure(.empty) }
        var v = UInt256.zero
        for ch in text {
            guard let d = ch.wholeNumberValue, ch.isASCII else { return .failure(.invalidDigit(ch, in: text)) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt256(UInt64(d)))
            if o1 || o2 { return .failure(.tooLarge(text)) }
            v = s
        }
        return .success(v)
    }

    static func parsed(_ text: String) -> Result<UInt256, NumberParseError> {
        Result { () throws(NumberParseError) in try UInt256(decimal: text) }
    }

    @Test func boundariesAndErrors() {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"   // 2^256 − 1
        #expect(Self.parsed(max) == .success(UInt256.max))
        #expect(Self.parsed("0000" + max) == .success(UInt256.max))
        #expect(Self.parsed("115792089237316195423570985008687907853269984665640564039457584007913129639936")
                == .failure(.tooLarge("115792089237316195423570985008687907853269984665640564039457584007913129639936")))
        #expect(Self.parsed("10000000000000000000") == .success(UInt256(10_000_000_000_000_000_000 as UInt64)))   // 20 digits: two runs
        #expect(Self.parsed("18446744073709551616") == .success(UInt256(UInt64.max) + UInt256(1)))
        #expect(Self.parsed("") == .failure(.empty))
        #expect(Self.parsed("12a4") == .failure(.invalidDigit("a", in: "12a4")))
        #expect(Self.parsed("-1") == .failure(.invalidDigit("-", in: "-1")))
        #expect(Self.parsed("1٣") == .failure(.invalidDigit("٣", in: "1٣")))                 // a digit, but not ASCII
        #expect(Self.parsed(max + "0x") == .failure(.tooLarge(max + "0x")))                 // overflowed before the 'x'
        #expect(Self.parsed("1x" + max) == .failure(.invalidDigit("x", in: "1x" + max)))    // the 'x' before any overflow
        #expect(Self.parsed(max + "4\u{301}") == .failure(.invalidDigit("4\u{301}", in: max + "4\u{301}")))  // one character
    }

    @Test func agreesWithReadingDigitByDigit() {
        var rng = SeededGenerator(seed: 20261127)
        let alphabet: [Character] = Array("0123456789") + ["a", "-", " ", "٣", "é", "+", "\u{301}"]
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 90) + 1
            var s = String((0..<length).map { _ in Character(String(Int(rng.next() % 10))) })
            if rng.next() % 4 == 0 {   // one stray character somewhere
                var chars = Array(s)
                chars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: Int(rng.next() % UInt64(chars.count + 1)))
                s = String(chars)
            }
            #expect(Self.parsed(s) == Self.digitByDigit(s), "\(s)")
        }
    }
}
