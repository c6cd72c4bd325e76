import Core
import Foundation
import Prover
import Sequencer
import Testing

@Suite struct StateProofTests {
    let f = ChainFixture.shared

    func valueHash(_ a: Account) -> SMTHash { StateTreeKey.valueHash(ofRecord: StateEncoding.encode(a)) }
    func valueHash(_ j: Job) -> SMTHash { StateTreeKey.valueHash(ofRecord: StateEncoding.encode(j)) }

    @Test func everyAccountIsProvenWithItsRecordAtTheHead() throws {
        for a in f.users {
            let acc = try #require(f.accounts[Int(f.head)][a] ?? nil)
            let p = try StateProof.account(a, store: f.chain)
            #expect(p.kind == .account && p.key == a.bytes)
            #expect(p.blockNumber == f.head)
            #expect(p.stateRoot == f.blocks[Int(f.head)].header.stateRoot)
            #expect(p.block == SignedHeader(f.blocks[Int(f.head)]))
            #expect(p.record == StateEncoding.encode(acc))
            #expect(p.account == acc)
            #expect(try p.claim() == .present(valueHash: valueHash(acc)))
            #expect(try p.verify())
        }
    }

    /// At every older block the proven value is the account as it was then (the fixture's
    /// snapshot), and the record is attached exactly when it equals the head's.
    @Test func accountsAtEveryOlderBlockProveTheirHistoricalValue() throws {
        var hashOnly = 0, withRecord = 0
        for n in 0..<f.head {
            for a in f.users {
                let p = try StateProof.account(a, store: f.chain, block: n)
                #expect(p.stateRoot == f.blocks[Int(n)].header.stateRoot)
                #expect(try p.verify(), "account \(a) at block \(n)")
                guard let then = f.accounts[Int(n)][a] ?? nil else {
                    #expect(try p.claim() == .absent, "\(a) had no account at block \(n)")
                    #expect(p.record == nil)
                    continue
                }
                #expect(try p.claim() == .present(valueHash: valueHash(then)))
                if then == f.accounts[Int(f.head)][a] ?? nil {
                    #expect(p.record == StateEncoding.encode(then)); withRecord += 1
                } else {
                    #expect(p.record == nil); hashOnly += 1
                    #expect(p.json["valueHash"] == .string(valueHash(then).hex))
                    #expect(p.json["record"] == .null && p.json["decoded"] == .null)
                }
            }
        }
        #expect(hashOnly > 0)
        // Block 0 has no accounts; block 1 (deposits) all 8.
        #expect(try StateProof.account(f.users[0], store: f.chain, block: 0).claim() == .absent)
        #expect(withRecord + hashOnly == 8 * Int(f.head - 1))
    }

    @Test func jobsAreProvenAtTheHeadAndAtOlderBlocks() throws {
        var canceledLater = 0, unchanged = 0, notYet = 0
        for id in f.jobIds {
            let head = f.jobs[Int(f.head)][id] ?? nil
            let p = try StateProof.job(id, store: f.chain)
            #expect(try p.verify())
            if let head {
                #expect(p.record == StateEncoding.encode(head))
                #expect(p.job == head)
            } else {
                #expect(try p.claim() == .absent)
            }
            for n in 1..<f.head {
                let q = try StateProof.job(id, store: f.chain, block: n)
                #expect(try q.verify(), "job \(id) at block \(n)")
                guard let then = f.jobs[Int(n)][id] ?? nil else {
                    #expect(try q.claim() == .absent && q.record == nil); notYet += 1
                    continue
                }
                #expect(try q.claim() == .present(valueHash: valueHash(then)))
                if then == head { #expect(q.record == StateEncoding.encode(then)); unchanged += 1 } else {
                    #expect(q.record == nil)
                    if head?.status == .canceled && then.status == .requested { canceledLater += 1 }
                }
            }
        }
        #expect(canceledLater > 0, "the workload cancels jobs registered a block earlier")
        #expect(unchanged > 0 && notYet > 0)
    }

    @Test func neverSeenAccountsAndJobsAreProvenAbsent() throws {
        let stranger = try Address("0x00000000000000000000000000000000000000aa")
        let job = try JobID(hex: "0x0123456789abcdef0123456789abcdef")
        for n in [0, 3, f.head] {
            let a = try StateProof.account(stranger, store: f.chain, block: n)
            let j = try StateProof.job(job, store: f.chain, block: n)
            for p in [a, j] {
                #expect(try p.claim() == .absent)
                #expect(p.record == nil)
                #expect(try p.verify())
                #expect(p.json["valueHash"] == .null)
            }
        }
        #expect(throws: ProofError.blockNotFound(f.head + 1, head: f.head)) {
            try StateProof.account(stranger, store: f.chain, block: f.head + 1)
        }
    }

    @Test func totalsAreProvenAtTheHeadAndAtGenesis() throws {
        let head = try StateProof.totals(store: f.chain)
        #expect(head.record == StateEncoding.encode(f.totals[Int(f.head)]))
        #expect(head.totals == f.totals[Int(f.head)])
        #expect(try head.verify())
        let genesis = try StateProof.totals(store: f.chain, block: 0)
        #expect(genesis.record == nil)
        #expect(try genesis.claim() == .present(valueHash: StateTreeKey.valueHash(ofRecord: StateEncoding.encode(Totals()))))
        #expect(try genesis.verify())
    }

    @Test func tamperedStateProofsFail() throws {
        let a = f.users[0]
        let good = try StateProof.account(a, store: f.chain)
        var acc = try #require(good.account)
        acc.balance = acc.balance + 1
        var p = good; p.record = StateEncoding.encode(acc)
        #expect(try p.failure()?.hasPrefix("the record hashes to ") == true)
        // Another account's key with this account's record and path.
        p = good; p.key = f.users[1].bytes
        #expect(try !p.verify())
        // A forged root in the header.
        p = good; p.block.header.stateRoot = f.blocks[1].header.stateRoot
        #expect(try p.failure() == "the proof does not lead to state root \(f.blocks[1].header.stateRoot.bytes.hex)")
        // Inclusion disguised as absence: drop the record and the leaf.
        p = good; p.record = nil; p.smt.leaf = nil
        #expect(try p.failure() == "the non-inclusion proof does not lead to state root \(good.stateRoot.bytes.hex)")
        // Absence of a stranger relabelled as absence of a present account.
        let stranger = try Address("0x00000000000000000000000000000000000000aa")
        p = try StateProof.account(stranger, store: f.chain); p.key = a.bytes
        #expect(try !p.verify())
        // A sibling flipped.
        p = good; p.smt.siblings[0] = try SMTHash(Keccak.hash256(p.smt.siblings[0].bytes))
        #expect(try !p.verify())
        // A record of the wrong size.
        p = good; p.record = Array(good.record!.dropLast())
        #expect(try p.failure() == "the record is not a valid account: corrupt account record: expected 96 bytes, found 95")
        // A malformed key is an error, not a false.
        p = good; p.key = [1, 2, 3]
        #expect(throws: ProofError.format("the account key must be 20 bytes, found 3")) { try p.verify() }
    }

    @Test func jsonRoundTripsForEveryShape() throws {
        let stranger = try Address("0x00000000000000000000000000000000000000aa")
        let job = try #require(f.jobIds.first { f.jobs[Int(f.head)][$0] ?? nil != nil })
        let proofs = [
            try StateProof.account(f.users[0], store: f.chain),
            try StateProof.account(f.users[0], store: f.chain, block: 2),
            try StateProof.account(stranger, store: f.chain, block: 4),
            try StateProof.job(job, store: f.chain),
            try StateProof.totals(store: f.chain, block: 0),
            try StateProof.totals(store: f.chain),
        ]
        for p in proofs {
            #expect(try StateProof(json: p.json) == p)
            #expect(try StateProof(json: try JSONValue.parse(ProofFile.text(.state(p)))) == p)
        }
        let a = proofs[0].json
        #expect(a["kind"] == .string("account") && a["key"] == .string(f.users[0].checksummed))
        #expect(a["treeKey"] == .string(StateTreeKey.account(f.users[0]).hex))
        #expect(a["blockNumber"] == .number(String(f.head)))
        let acc = try #require(proofs[0].account)
        #expect(a["decoded"] == .object(["balance": .string(acc.balance.description), "nonce": .string(String(acc.nonce)),
                                         "credit": .string(acc.credit.description)]))
        #expect(a["block"]?["hash"] == .string(f.blocks[Int(f.head)].hash.bytes.hex))
        #expect(proofs[3].json["key"] == .string(job.bytes.hex))
        #expect(proofs[3].json["decoded"]?["status"] == .string(try #require(proofs[3].job).status.description))
        #expect(proofs[5].json["key"] == .null)
    }
}
