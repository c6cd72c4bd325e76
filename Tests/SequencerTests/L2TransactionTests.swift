import Core
import Foundation
import Testing
@testable import Sequencer

@Suite struct L2TransactionTests {
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let domain = L2TypedData.domain(chainId: 31337, rollup: rollup)

    /// Every type, random values: our digest equals eth-account's `encode_typed_data`, and the
    /// wire form round-trips.
    @Test func digestsAgreeWithEthAccount() throws {
        let cases = try PythonOracle.cases("l2tx_cases.py", ["--seed", "5", "--count", "132"])
        #expect(cases.count == 132)
        for c in cases {
            let wire = try JSONValue(foundation: c["wire"]!)
            let env = try L2Envelope.parse(wire)
            let digest = Self.domain.digest(structHash: L2TypedData.structHash(env.call, nonce: env.nonce))
            #expect(digest.hex == c["digest"] as! String, "\(env.call.typeName)")
            #expect(try L2Envelope.parse(env.json) == env)
        }
    }

    /// The one schema table yields exactly the type strings docs/PROTOCOL.md §2 pins, with the
    /// codes of §7, and every call's values line up with its table row.
    @Test func theSchemaTableYieldsThePinnedTypesAndCodes() throws {
        let pinned = [
            "RegisterJob(bytes16 jobId,bytes16 parentJob,uint256 programId,uint256 numParallel,uint256 numEpoch,bytes32 dataset,bytes32 param,uint256 fuelLimit,uint256 fuelPrice,uint256 deadline,uint256 nonce)",
            "CancelJob(bytes16 jobId,uint256 nonce)", "Process(bytes16 jobId,uint256 nonce)", "Decline(bytes16 jobId,uint256 nonce)",
            "Submit(bytes16 jobId,bytes32 result,uint256 fuelUsed,uint256 nonce)", "Verify(bytes16 jobId,uint256 nonce)",
            "Reject(bytes16 jobId,uint256 nonce)", "Timeout(bytes16 jobId,uint256 nonce)",
            "Split(bytes16 parentJob,bytes16[] jobIds,bytes32[] datasets,uint256[] fuelLimits,uint256 nonce)",
            "Aggregate(bytes16 parentJob,bytes32 result,uint256 nonce)", "Withdraw(uint256 amount,uint256 nonce)",
        ]
        #expect(L2TxType.allCases.map(\.schema.typeString) == pinned)
        #expect(L2TxType.allCases.map(\.rawValue) == Array(1...11))
        #expect(L2TxType(name: "Submit") == .submit && L2TxType(name: "submit") == nil)
        #expect(L2TypedData.typeHash("Process").hex == Keccak.hash256(Array(pinned[2].utf8)).hex)
        let id = try JobID(hex: "0x000102030405060708090a0b0c0d0e0f"), h = Hash32.zero
        let calls: [L2Call] = [
            .registerJob(.init(jobId: id, programId: 1, numParallel: 2, numEpoch: 3, dataset: h, param: h, fuelLimit: 4, fuelPrice: 5, deadline: 6)),
            .cancelJob(jobId: id), .process(jobId: id), .decline(jobId: id), .submit(jobId: id, result: h, fuelUsed: 7), .verify(jobId: id),
            .reject(jobId: id), .timeout(jobId: id), .split(.init(parentJob: id, jobIds: [id], datasets: [h], fuelLimits: [8])),
            .aggregate(parentJob: id, result: h), .withdraw(amount: 9),
        ]
        #expect(calls.map(\.type) == L2TxType.allCases)
        for c in calls {
            #expect(c.fieldValues.count == c.type.schema.fields.count)
            #expect(L2Call(type: c.type, values: c.fieldValues) == c)
            // Binary form: [code, nonce, …fields…, signature].
            let env = L2Envelope(call: c, nonce: 300, signature: Bytes(repeating: 7, count: 65))
            guard case .list(let items) = env.rlp else { Issue.record("not a list"); continue }
            #expect(items.count == c.type.schema.fields.count + 3)
            #expect(items[0] == .bytes([c.type.rawValue]) && items[1] == .bytes([1, 44]))
            #expect(try L2Envelope(encoded: env.encoded) == env)
        }
    }

    @Test func wireErrorsNameTheField() throws {
        func parse(_ text: String) throws(L2TxError) -> L2Envelope { try L2Envelope.parse(try! JSONValue.parse(text)) }
        let sig = "\"0x" + String(repeating: "11", count: 65) + "\""
        let job = "\"0x" + String(repeating: "ab", count: 16) + "\""
        #expect(throws: L2TxError.unknownType("Steal")) { try parse(#"{"type":"Steal","message":{},"signature":\#(sig)}"#) }
        #expect(throws: L2TxError.missingField("message.nonce")) { try parse(#"{"type":"Process","message":{"jobId":\#(job)},"signature":\#(sig)}"#) }
        #expect(throws: L2TxError.unknownField("message.extra")) {
            try parse(#"{"type":"Process","message":{"jobId":\#(job),"nonce":"0","extra":1},"signature":\#(sig)}"#)
        }
        #expect(throws: L2TxError.invalidField("message.jobId", "not bytes16: expected 16 bytes, got 2")) {
            try parse(#"{"type":"Process","message":{"jobId":"0xabcd","nonce":"0"},"signature":\#(sig)}"#)
        }
        #expect(throws: L2TxError.invalidField("message.nonce", "not a uint256: invalid digit '-' in number \"-1\"")) {
            try parse(#"{"type":"Process","message":{"jobId":\#(job),"nonce":"-1"},"signature":\#(sig)}"#)
        }
        #expect(throws: L2TxError.badSignature("expected 65 bytes r‖s‖v, got 2")) {
            try parse(#"{"type":"Process","message":{"jobId":\#(job),"nonce":"0"},"signature":"0xabcd"}"#)
        }
        #expect(throws: L2TxError.invalidField("message.fuelLimits[1]", "not a uint256 (use a decimal or 0x-hex string)")) {
            try parse(#"{"type":"Split","message":{"parentJob":\#(job),"jobIds":[],"datasets":[],"fuelLimits":["1",true],"nonce":"0"},"signature":\#(sig)}"#)
        }
        #expect(throws: L2TxError.notAnObject) { try parse("[]") }
    }
}

extension JSONValue {
    /// Converts what JSONSerialization produced (test oracles) into a JSONValue.
    init(foundation any: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: any, options: [.fragmentsAllowed])
        self = try JSONValue.parse(data)
    }
}

@Suite struct L2AdmissionTests {
    /// Signatures made by eth-account recover to eth-account's signer, one by one and in a
    /// parallel batch; in another domain (another chain or rollup) they recover to someone else.
    @Test func recoversEthAccountSignersInParallel() throws {
        let cases = try PythonOracle.cases("l2tx_cases.py", ["--seed", "8", "--count", "66"])
        #expect(cases.count == 66)
        let envs = try cases.map { try L2Envelope.parse(try JSONValue(foundation: $0["wire"]!)) }
        let admission = L2Admission(chainId: 31337, rollup: L2TransactionTests.rollup)
        let batch = admission.authenticate(envs)
        for (k, c) in cases.enumerated() {
            let tx = try admission.authenticate(envs[k])
            #expect(tx.sender.checksummed == c["signer"] as! String)
            let digest = try Hex.decode(c["digest"] as! String)
            #expect(tx.hash.bytes == Keccak.hash256(digest + (try Address(c["signer"] as! String)).bytes))
            #expect(try batch[k].get() == tx)
        }
        let otherChain = L2Admission(chainId: 1, rollup: L2TransactionTests.rollup)
        let otherRollup = L2Admission(chainId: 31337, rollup: try Address("0x0000000000000000000000000000000000000001"))
        for (k, c) in cases.prefix(11).enumerated() {
            #expect(try otherChain.authenticate(envs[k]).sender.checksummed != c["signer"] as! String)
            #expect(try otherRollup.authenticate(envs[k]).sender.checksummed != c["signer"] as! String)
        }
    }

    /// Two senders, same call, same nonce: one EIP-712 digest, two distinct transaction hashes.
    @Test func sameCallFromTwoSendersHasTwoHashes() throws {
        let admission = L2Admission(chainId: 31337, rollup: L2TransactionTests.rollup)
        let call = L2Call.withdraw(amount: 1_000_000_000_000_000_000)
        let digest = admission.domain.digest(structHash: L2TypedData.structHash(call, nonce: 0))
        let keys = [try PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
                    try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")]
        let txs = try keys.map { k in
            try admission.authenticate(L2Envelope(call: call, nonce: 0, signature: try Secp256k1.sign(digest: digest, key: k).rsv))
        }
        #expect(txs[0].sender == keys[0].address && txs[1].sender == keys[1].address)
        #expect(txs[0].hash != txs[1].hash)
        var pool = Mempool()
        for tx in txs { try pool.add(tx, bytes: 100, chainNonce: 0) }
        #expect(pool.count == 2)
    }

    @Test func badSignaturesAreRefusedByName() throws {
        let c = try PythonOracle.cases("l2tx_cases.py", ["--seed", "8", "--count", "1"])[0]
        let env = try L2Envelope.parse(try JSONValue(foundation: c["wire"]!))
        let admission = L2Admission(chainId: 31337, rollup: L2TransactionTests.rollup)
        var highV = env.signature
        highV[64] = 29
        #expect(throws: L2TxError.badSignature("secp256k1: invalid signature v 29 (expected 27 or 28)")) {
            try admission.authenticate(L2Envelope(call: env.call, nonce: env.nonce, signature: highV))
        }
        let n = try UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        let s = try UInt256(bigEndian: env.signature[32..<64])
        let twin = Array(env.signature[0..<32]) + (n - s).bigEndianBytes + [env.signature[64] == 27 ? 28 : 27]
        #expect(throws: L2TxError.self) { try admission.authenticate(L2Envelope(call: env.call, nonce: env.nonce, signature: twin)) }
        do { _ = try admission.authenticate(L2Envelope(call: env.call, nonce: env.nonce, signature: twin)) } catch {
            #expect(error.description.contains("low-s") || error.description.contains("high"))
        }
    }
}
