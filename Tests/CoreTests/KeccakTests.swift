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
