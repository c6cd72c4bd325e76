import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The settlement proofs checked by an independent Python implementation of OpenZeppelin's
/// tree and MerkleProof.verify (Tests/oracle/settlement_proof_check.py, eth-abi + eth-hash).
@Suite struct SettlementOracleTests {
    let f = ChainFixture.shared

    @Test func pythonRebuildsTheRootAndProofsAndVerifiesTheFiles() throws {
        let range: ClosedRange<UInt64> = 2...6
        // The leaves from the fixture's account snapshots, not from tickets.
        var values: [(Address, UInt256)] = []
        for a in f.users {
            let before = f.accounts[1][a]??.credit ?? .zero, after = f.accounts[6][a]??.credit ?? .zero
            if after != before { values.append((a, after)) }
        }
        let proofs = try values.map { try #require(try SettlementProof.build(store: f.chain, account: $0.0, blocks: range, batchIndex: 4)) }
        var forged = proofs[0]
        forged.credit = forged.credit + 1
        let input = JSONValue.object([
            "values": .array(values.map { .object(["account": .string($0.0.checksummed), "credit": .string($0.1.description)]) }),
            "proofs": .array(proofs.map(\.json) + [forged.json]),
        ])
        let out = try #require(try PythonOracle.run("settlement_proof_check.py", stdin: Data(input.serialized.utf8)) as? [String: Any])
        #expect(out["root"] as? String == proofs[0].root.bytes.hex)
        let python = try #require(out["proofs"] as? [String: [String]])
        #expect(python.count == values.count)
        for p in proofs { #expect(python[p.account.bytes.hex] == p.proof.map(\.bytes.hex), "proof of \(p.account)") }
        let checks = try #require(out["checks"] as? [[String: Any]])
        #expect(checks.count == proofs.count + 1)
        for (c, p) in zip(checks, proofs) {
            #expect(c["leaf"] as? String == p.leaf.bytes.hex)
            #expect(c["leafMatches"] as? Bool == true)
            #expect(c["verified"] as? Bool == true)
        }
        // The forged credit: its file's leaf is the forged one's, but the proof no longer reaches the root.
        #expect(checks.last?["leafMatches"] as? Bool == true)
        #expect(checks.last?["verified"] as? Bool == false)
    }
}
