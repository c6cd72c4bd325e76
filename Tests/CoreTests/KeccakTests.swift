import Testing
@testable import Core

@Suite struct KeccakTests {
    @Test func emptyInput() {
        #expect(Keccak.hash256(Bytes()).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(Keccak.hash256("abc").hex == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func oneMillionA() {
        let input = Bytes(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Keccak.hash256(input).hex == "0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }
}

@Suite struct KeccakCrossCheckTests {
    /// Rate-boundary lengths and random inputs against eth-hash; the streaming hasher is fed
    /// the same input in random-sized pieces and must agree too.
    @Test func agreesWithEthHash() throws {
        var (rng, seed) = TestSeed.generator(0xcc_0023)
        let cases = try PythonOracle.cases("keccak_cases.py", ["--seed", "3", "--count", "120"])
        #expect(cases.count == 136)
        for c in cases {
            let input = try Hex.decode(c["input"] as! String)
            let expected = c["hash"] as! String
            #expect(Keccak.hash256(input).hex == expected, "length \(input.count)")
            var h = Keccak.Hasher()
            var i = 0
            while i < input.count {
                let n = min(Int.random(in: 0...150, using: &rng), input.count - i)
                h.update(Array(input[i..<(i + n)]))
                i += n
            }
            #expect(h.finalize().hex == expected, "streamed, length \(input.count), seed \(seed)")
        }
    }

    @Test func pairHashEqualsConcatenation() {
        let a = Bytes(repeating: 7, count: 32), b = Bytes(repeating: 9, count: 32)
        #expect(Keccak.hash256(a, b) == Keccak.hash256(a + b))
    }
}
