import Core
import Foundation
import Prover
import Sequencer
import Testing

@Suite struct SettlementProofTests {
    let f = ChainFixture.shared

    /// Accounts whose credit after `range.upperBound` differs from before the range, from the
    /// fixture's snapshots (independent of tickets and BatchSettlement): exactly the leaves.
    func changed(_ range: ClosedRange<UInt64>) -> [Address: UInt256] {
        var out: [Address: UInt256] = [:]
        for a in f.users {
            let before = f.accounts[Int(range.lowerBound) - 1][a]??.credit ?? .zero
            let after = f.accounts[Int(range.upperBound)][a]??.credit ?? .zero
            if after != before { out[a] = after }
        }
        return out
    }

    @Test func everyChangedAccountInAMultiBlockRangeIsProvenAgainstTheBatchRoot() throws {
        let range: ClosedRange<UInt64> = 2...6
        let expected = changed(range)
        #expect(expected.count >= 4, "the workload should withdraw from several accounts")
        let root = BatchSettlement(blocks: f.blocks[2...6]).root
        #expect(root != .zero)
        for a in f.users {
            let p = try SettlementProof.build(store: f.chain, account: a, blocks: range, batchIndex: 7)
            guard let credit = expected[a] else {
                #expect(p == nil, "\(a): credit unchanged, no proof")
                continue
            }
            let proof = try #require(p)
            #expect(proof.account == a)
            #expect(proof.credit == credit)
            #expect(proof.root == root)
            #expect(proof.batchIndex == 7 && proof.firstBlock == 2 && proof.lastBlock == 6)
            #expect(proof.leaf.bytes == StandardMerkleTree.settlementLeaf(account: a, credit: credit))
            #expect(proof.verify())
            #expect(proof.failure() == nil)
        }
        // The bulk builder gives the same proofs, one per changed account.
        let all = SettlementProof.all(settlement: try SettlementProof.settlement(store: f.chain, blocks: range), blocks: range, batchIndex: 7)
        #expect(Set(all.map(\.account)) == Set(expected.keys))
        for p in all { #expect(try SettlementProof.build(store: f.chain, account: p.account, blocks: range, batchIndex: 7) == p) }
    }

    @Test func aSingleBlockRangeHasTheHeadersSettlementRoot() throws {
        for n in 2...f.head {
            let block = f.blocks[Int(n)]
            for t in block.tickets {
                let p = try #require(try SettlementProof.build(store: f.chain, account: t.account, blocks: n...n, batchIndex: nil))
                #expect(p.root == block.header.settlementRoot)
                #expect(p.credit == t.credit)
                #expect(p.verify())
            }
        }
    }

    @Test func noProofWithoutACreditChangeAndNoRangeBeyondTheHead() throws {
        // Block 1 only deposits: no credit changes, no proofs.
        for a in f.users { #expect(try SettlementProof.build(store: f.chain, account: a, blocks: 1...1, batchIndex: nil) == nil) }
        let stranger = try Address("0x00000000000000000000000000000000000000aa")
        #expect(try SettlementProof.build(store: f.chain, account: stranger, blocks: 0...f.head, batchIndex: nil) == nil)
        #expect(throws: ProofError.blockNotFound(f.head + 1, head: f.head)) {
            try SettlementProof.build(store: f.chain, account: f.users[0], blocks: 2...(f.head + 1), batchIndex: nil)
        }
    }

    func sample() throws -> SettlementProof {
        let a = try #require(changed(2...6).keys.sorted().first)
        return try #require(try SettlementProof.build(store: f.chain, account: a, blocks: 2...6, batchIndex: 1))
    }

    @Test func tamperedProofsFail() throws {
        let good = try sample()
        #expect(good.proof.count >= 2)
        var p = good; p.credit = good.credit + 1
        #expect(!p.verify())
        p = good; p.account = f.users.first { $0 != good.account }!
        #expect(!p.verify())
        p = good; p.proof[0] = try Hash32(bytes: Keccak.hash256(p.proof[0].bytes))
        #expect(!p.verify())
        p = good; p.proof.removeLast()
        #expect(!p.verify())
        p = good; p.proof.append(good.proof[0])
        #expect(!p.verify())
        p = good; p.root = try Hash32(bytes: Keccak.hash256(good.root.bytes))
        #expect(!p.verify())
        p = good; p.root = .zero
        #expect(p.failure() == "the root is zero: no credit changed in the range, so nothing can be proven against it")
        p = good; p.firstBlock = 7
        #expect(p.failure() == "firstBlock 7 is after lastBlock 6")
    }

    @Test func jsonRoundTripAndPinnedFields() throws {
        let p = try sample()
        let json = p.json
        #expect(json["type"] == .string("settlement"))
        #expect(json["account"] == .string(p.account.checksummed))
        #expect(json["credit"] == .string(p.credit.description))
        #expect(json["batchIndex"] == .number("1"))
        #expect(json["firstBlock"] == .number("2") && json["lastBlock"] == .number("6"))
        #expect(json["root"] == .string(p.root.bytes.hex))
        #expect(json["leaf"] == .string(StandardMerkleTree.settlementLeaf(account: p.account, credit: p.credit).hex))
        #expect(json["proof"] == .array(p.proof.map { .string($0.bytes.hex) }))
        #expect(try SettlementProof(json: json) == p)
        #expect(try SettlementProof(json: try JSONValue.parse(json.serialized)) == p)
        var noBatch = p
        noBatch.batchIndex = nil
        #expect(noBatch.json["batchIndex"] == .null)
        #expect(try SettlementProof(json: noBatch.json) == noBatch)
    }

    @Test func malformedJSONIsRefusedWithTheFieldNamed() throws {
        let good = try sample().json.objectValue!
        func refuse(_ change: (inout [String: JSONValue]) -> Void) -> String? {
            var o = good
            change(&o)
            do { _ = try SettlementProof(json: .object(o)); return nil } catch { return error.description }
        }
        #expect(refuse { $0["credit"] = nil } == "malformed proof: \"credit\" is missing")
        #expect(refuse { $0["credit"] = .string("12x") }?.hasPrefix("malformed proof: \"credit\" is not a valid integer") == true)
        #expect(refuse { $0["root"] = .string("0x1234") } == "malformed proof: \"root\" must be 32 bytes, found 2")
        #expect(refuse { $0["proof"] = .string("0x") } == "malformed proof: \"proof\" must be an array")
        #expect(refuse { $0["proof"] = .array([.string("1234")]) } == "malformed proof: \"proof\"[0]: hex string must start with 0x")
        #expect(refuse { $0["extra"] = .bool(true) } == "malformed proof: the proof has unknown field \"extra\"")
        #expect(refuse { $0["type"] = .string("state") } == "malformed proof: \"type\" is \"state\", expected \"settlement\"")
        #expect(refuse { $0["account"] = .string("0x12") }?.hasPrefix("malformed proof: \"account\" is not an address") == true)
    }
}
