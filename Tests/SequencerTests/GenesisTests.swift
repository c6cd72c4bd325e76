import Core
import Testing
@testable import Sequencer

@Suite struct GenesisTests {
    static let text = """
    {"chainId": "31337", "rollup": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
     "signer": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "timestamp": 1700000000,
     "roles": {"verifiers": ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"], "splitters": [], "aggregators": []},
     "params": {"verifierFeeRate": "5000"}}
    """

    @Test func parsesAndRoundTrips() throws {
        let g = try Genesis.parse(try JSONValue.parse(Self.text))
        #expect(g.chainId == 31337)
        #expect(g.timestamp == 1_700_000_000)
        #expect(g.roles.verifiers == [try Address("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")])
        #expect(g.params == ChainParams())
        #expect(try Genesis.parse(g.json) == g)
        #expect(try Genesis.parse(try JSONValue.parse(g.json.serialized)).hash == g.hash)
    }

    @Test func refusesMistakes() throws {
        func parse(_ edit: (inout [String: JSONValue]) -> Void) throws(Genesis.FileError) -> Genesis {
            var o = try! JSONValue.parse(Self.text).objectValue!
            edit(&o)
            return try Genesis.parse(.object(o))
        }
        #expect(throws: Genesis.FileError.invalid("unknown key \"verifier\"")) { try parse { $0["verifier"] = .null } }
        #expect(throws: Genesis.FileError.invalid("signer: invalid address: EIP-55 checksum mismatch in 0x70997970c51812dc3A010C7d01b50e0d17dc79C8")) {
            try parse { $0["signer"] = .string("0x70997970c51812dc3A010C7d01b50e0d17dc79C8") }
        }
        #expect(throws: Genesis.FileError.invalid("roles.verifiers: missing or not an array")) {
            try parse { $0["roles"] = .object(["splitters": .array([]), "aggregators": .array([])]) }
        }
        #expect(throws: Genesis.FileError.invalid("params: unknown key \"verifierFee\"")) {
            try parse { $0["params"] = .object(["verifierFee": .number("1")]) }
        }
    }
}
