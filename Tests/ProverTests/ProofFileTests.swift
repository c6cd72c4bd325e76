import Core
import Foundation
import Prover
import Sequencer
import Testing

/// The standalone verifier: files only, no store.
@Suite struct ProofFileTests {
    let f = ChainFixture.shared
    var signer: Address { ChainFixture.signerKey.address }

    func settlement() throws -> SettlementProof {
        let a = try #require(f.blocks[4].tickets.first).account
        return try #require(try SettlementProof.build(store: f.chain, account: a, blocks: 2...6, batchIndex: 2))
    }

    /// The proof's JSON with one path changed (`path` like ["block", "stateRoot"]).
    func edit(_ json: JSONValue, _ path: [String], _ value: JSONValue?) -> JSONValue {
        guard var o = json.objectValue, let k = path.first else { return json }
        o[k] = path.count == 1 ? value : edit(o[k] ?? .null, Array(path.dropFirst()), value)
        return .object(o)
    }

    @Test func goodFilesOfEveryTypeAreValid() throws {
        let s = try settlement()
        #expect(ProofFile.verify(s.json) == .valid(
            "settlement: \(s.account.checksummed) has credit \(s.credit) in blocks 2-6 (batch 2) under root \(s.root.bytes.hex)"))
        let head = f.blocks[Int(f.head)]
        let a = try StateProof.account(f.users[0], store: f.chain)
        #expect(ProofFile.verify(a.json, signer: signer) == .valid(
            "account \(f.users[0].checksummed) is present with the given record at block \(f.head) (block hash \(head.hash.bytes.hex), signed by \(signer.checksummed))"))
        let old = try StateProof.account(f.users[0], store: f.chain, block: 2)
        guard case .valid(let m) = ProofFile.verify(old.json) else { Issue.record("not valid"); return }
        #expect(m.contains("is present with value hash ") && m.contains("(record not included) at block 2"))
        let absent = try StateProof.job(try JobID(hex: "0x0123456789abcdef0123456789abcdef"), store: f.chain, block: 3)
        #expect(ProofFile.verify(absent.json) == .valid(
            "job 0x0123456789abcdef0123456789abcdef is absent at block 3 (block hash \(f.blocks[3].hash.bytes.hex); signature not checked)"))
        let t = try #require(try TransactionProof.build(store: f.chain, txHash: f.blocks[5].transactions[0].hash))
        #expect(ProofFile.verify(t.json, signer: signer).exitCode == 0)
        // From file bytes, as the CLI reads them.
        #expect(ProofFile.verify(data: Data(ProofFile.text(.transaction(t)).utf8)).exitCode == 0)
        #expect(try ProofFile.parse(t.json) == .transaction(t))
    }

    @Test func tamperedFilesAreInvalidWithTheReason() throws {
        let s = try settlement().json
        // Credit raised, leaf left alone: the derived leaf no longer matches.
        guard case .invalid(let m1) = ProofFile.verify(edit(s, ["credit"], .string("1"))) else { Issue.record("accepted"); return }
        #expect(m1.hasPrefix("\"leaf\" is \""))
        // Credit raised and leaf recomputed: the proof does not reach the root.
        var forged = try SettlementProof(json: s); forged.credit = forged.credit + 1
        guard case .invalid(let m2) = ProofFile.verify(forged.json) else { Issue.record("accepted"); return }
        #expect(m2.hasPrefix("the proof does not lead from the leaf of ("))

        let a = try StateProof.account(f.users[0], store: f.chain).json
        let otherRoot = JSONValue.string(f.blocks[1].header.stateRoot.bytes.hex)
        // The top-level stateRoot differs from the header's.
        #expect(ProofFile.verify(edit(a, ["stateRoot"], otherRoot)).exitCode == 1)
        // Both changed consistently: the block hash no longer matches the header.
        let both = edit(edit(a, ["stateRoot"], otherRoot), ["block", "stateRoot"], otherRoot)
        guard case .invalid(let m3) = ProofFile.verify(both) else { Issue.record("accepted"); return }
        #expect(m3.hasSuffix("the header was altered"))
        // And the block hash recomputed too: the SMT proof does not reach the forged root.
        var h = f.blocks[Int(f.head)].header; h.stateRoot = f.blocks[1].header.stateRoot
        let all = edit(both, ["block", "hash"], .string(h.hash.bytes.hex))
        #expect(ProofFile.verify(all) == .invalid("the proof does not lead to state root \(f.blocks[1].header.stateRoot.bytes.hex)"))
        // With --signer, that forged block is caught by its signature as well.
        guard case .invalid(let m4) = ProofFile.verify(all, signer: signer) else { Issue.record("accepted"); return }
        #expect(m4.hasPrefix("the proof does not lead"))
        // A decoded balance that the record does not hold.
        #expect(ProofFile.verify(edit(a, ["decoded", "balance"], .string("1"))).exitCode == 1)
    }

    @Test func signerIsChecked() throws {
        let a = try StateProof.account(f.users[0], store: f.chain).json
        let stranger = try Address("0x00000000000000000000000000000000000000aa")
        #expect(ProofFile.verify(a, signer: stranger) == .invalid(
            "block \(f.head) was signed by \(signer.checksummed), not by the expected signer \(stranger.checksummed)"))
        let genesis = try StateProof.totals(store: f.chain, block: 0).json
        #expect(ProofFile.verify(genesis).exitCode == 0)
        #expect(ProofFile.verify(genesis, signer: signer) == .invalid("block 0 carries no signature (genesis is not signed)"))
        let s = try settlement().json
        #expect(ProofFile.verify(s, signer: signer) == .invalid(
            "a settlement proof carries no Signer signature: check its root against batch 2's L1 commitment instead of --signer"))
        // A signature by another key over the right hash.
        let wrongKey = try PrivateKey(bytes: Keccak.hash256(Array("not the signer".utf8)))
        let sig = try Secp256k1.sign(digest: f.blocks[Int(f.head)].hash.bytes, key: wrongKey).rsv
        #expect(ProofFile.verify(edit(a, ["block", "signature"], .string(sig.hex)), signer: signer) == .invalid(
            "block \(f.head) was signed by \(wrongKey.address.checksummed), not by the expected signer \(signer.checksummed)"))
    }

    @Test func unreadableFiles() throws {
        #expect(ProofFile.verify(data: Data("{not json".utf8)).exitCode == 2)
        #expect(ProofFile.verify(.object([:])) == .unreadable(
            "malformed proof: \"type\" is missing: expected \"settlement\", \"state\" or \"transaction\""))
        #expect(ProofFile.verify(.object(["type": .string("receipt")])) == .unreadable(
            "malformed proof: unknown \"type\" \"receipt\": expected \"settlement\", \"state\" or \"transaction\""))
        let t = try #require(try TransactionProof.build(store: f.chain, txHash: f.blocks[5].transactions[0].hash)).json
        #expect(ProofFile.verify(edit(t, ["block", "txRoot"], nil)) == .unreadable("malformed proof: block.txRoot is missing"))
        #expect(ProofFile.verify(edit(t, ["index"], .string("-1"))).exitCode == 2)
    }
}
