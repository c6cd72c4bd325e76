import Core
import Foundation
import Prover
import Sequencer
import Testing

@Suite struct TransactionProofTests {
    let f = ChainFixture.shared

    @Test func firstMiddleAndLastTransactionsOfEveryBlockAreProven() throws {
        for b in f.blocks where !b.transactions.isEmpty {
            let n = b.transactions.count
            #expect(n == 24)
            for i in [0, n / 2, n - 1] {
                let tx = b.transactions[i]
                let p = try #require(try TransactionProof.build(store: f.chain, txHash: tx.hash))
                #expect(p.txHash == tx.hash)
                #expect(p.index == UInt64(i))
                #expect(p.blockNumber == b.number && p.txCount == UInt64(n) && p.txRoot == b.header.txRoot)
                #expect(p.block == SignedHeader(b))
                #expect(p.proof.map(\.bytes) == OrderedMerkleTree.proof(b.transactions.map(\.hash.bytes), index: i))
                #expect(p.verify())
            }
        }
    }

    @Test func unknownHashHasNoProofAndTamperingFails() throws {
        #expect(try TransactionProof.build(store: f.chain, txHash: try Hash32(bytes: Keccak.hash256([1]))) == nil)
        let b = f.blocks[3]
        let good = try #require(try TransactionProof.build(store: f.chain, txHash: b.transactions[5].hash))
        var p = good; p.index = 6
        #expect(!p.verify())
        p = good; p.txHash = b.transactions[6].hash
        #expect(!p.verify())
        // txCount fixes the tree's shape: the last of 24 has a carried level that 25 would not.
        // (For index 5 the shapes agree, so only the block hash check catches a forged count.)
        var last = try #require(try TransactionProof.build(store: f.chain, txHash: b.transactions[23].hash))
        #expect(last.verify())
        last.block.header.txCount = 25
        #expect(!last.verify())
        p = good; p.block.header.txCount = 25
        #expect(p.verify())
        // A file with the count edited no longer hashes to its block hash; one re-hashed as
        // well is caught by the Signer's signature.
        var edited = good.json.objectValue!
        edited["block"] = p.json["block"].map { b in
            var o = b.objectValue!; o["hash"] = good.json["block"]!["hash"]; return JSONValue.object(o)
        }
        edited["txCount"] = .number("25")
        guard case .invalid(let m) = ProofFile.verify(.object(edited)) else { Issue.record("accepted"); return }
        #expect(m.hasSuffix("the header was altered"))
        #expect(ProofFile.verify(p.json).exitCode == 0)
        #expect(ProofFile.verify(p.json, signer: ChainFixture.signerKey.address).exitCode == 1)
        p = good; p.index = 24
        #expect(p.failure() == "index 24 is outside the block's 24 transactions")
        p = good; p.proof.removeLast()
        #expect(!p.verify())
        p = good; p.block.header.txRoot = f.blocks[4].header.txRoot
        #expect(p.failure() == "the proof does not lead from transaction \(good.txHash.bytes.hex) at index 5 to txRoot \(f.blocks[4].header.txRoot.bytes.hex)")
    }

    @Test func jsonRoundTrip() throws {
        let b = f.blocks[2]
        let p = try #require(try TransactionProof.build(store: f.chain, txHash: b.transactions[23].hash))
        let json = p.json
        #expect(json["type"] == .string("transaction"))
        #expect(json["txHash"] == .string(b.transactions[23].hash.bytes.hex))
        #expect(json["index"] == .number("23") && json["txCount"] == .number("24") && json["blockNumber"] == .number("2"))
        #expect(json["block"]?["signature"] == .string(b.signature.hex))
        #expect(try TransactionProof(json: json) == p)
        #expect(try TransactionProof(json: try JSONValue.parse(ProofFile.text(.transaction(p)))) == p)
    }
}
