import Cluster
import Testing

/// The key layout on its own (no etcd needed): zero-padded numbers sort numerically, and a
/// prefix's range end covers exactly the keys under it.
struct ClusterKeysTests {
    @Test func blockKeysArePaddedAndParsedBack() throws {
        let keys = try ClusterKeys(chain: "42")
        #expect(keys.leader == "/emeth/42/leader")
        #expect(keys.head == "/emeth/42/head")
        #expect(keys.floor == "/emeth/42/floor")
        #expect(keys.block(7) == "/emeth/42/blocks/00000000000000000007")
        #expect(keys.block(UInt64.max) == "/emeth/42/blocks/18446744073709551615")
        #expect(keys.blockNumber(ofKey: keys.block(123_456)) == 123_456)
        #expect(keys.blockNumber(ofKey: "/emeth/42/blocks/7") == nil)
        #expect(keys.blockNumber(ofKey: "/emeth/43/blocks/00000000000000000007") == nil)
        let numbers: [UInt64] = [9, 10, 99, 100, 1_000_000]
        #expect(numbers.map(keys.block).sorted() == numbers.map(keys.block))
    }

    @Test func prefixEndIsThePrefixWithItsLastByteIncremented() {
        #expect(prefixEnd("/emeth/42/blocks/") == Array("/emeth/42/blocks0".utf8))
        #expect(prefixEnd("a\u{7F}") == [0x61, 0x80])
        #expect(prefixEnd("") == [0])
    }

    @Test func chainNamesAreChecked() throws {
        #expect(throws: EtcdError.invalidArgument("chain name \"\" must be 1 to 64 letters, digits, '-', '_' or '.'")) {
            try ClusterKeys(chain: "")
        }
        #expect(try ClusterKeys(chain: "emeth-main_1.0").root == "/emeth/emeth-main_1.0/")
    }
}
