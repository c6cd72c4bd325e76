import Testing
@testable import Core

@Suite struct AddressTests {
    /// The test vectors published in EIP-55.
    static let eip55 = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ]

    @Test(arguments: eip55) func checksumMatchesEIP55(_ text: String) throws {
        let a = try Address(text)
        #expect(a.checksummed == text)
        #expect(try Address(text.lowercased()) == a)
        #expect(try Address("0x" + text.dropFirst(2).uppercased()) == a)
    }

    @Test func rejectsBadChecksumAndLength() {
        #expect(throws: Address.ParseError.badChecksum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")) {
            try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        }
        #expect(throws: Address.ParseError.wrongLength(19)) { try Address("0x" + String(repeating: "ab", count: 19)) }
        #expect(throws: Address.ParseError.hex(.invalidCharacter("g", offset: 2))) { try Address("0xg" + String(repeating: "0", count: 39)) }
        #expect(throws: Address.ParseError.hex(.oddLength(39))) { try Address("0x" + String(repeating: "0", count: 39)) }
    }

    @Test func hexDecodingErrors() throws {
        #expect(throws: HexError.missingPrefix) { try Hex.decode("abcd", requirePrefix: true) }
        #expect(throws: HexError.wrongLength(expected: 32, actual: 2)) { try Hex.decode("0xabcd", count: 32) }
        #expect(try Hex.decode("0x") == [])
        #expect(try Hex.decode("0XaBcD") == [0xab, 0xcd])
    }
}
