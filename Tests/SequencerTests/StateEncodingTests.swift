import Core
import Testing
@testable import Sequencer

/// The pinned encodings of docs/PROTOCOL.md §4–5 against eth-abi.
@Suite struct StateEncodingTests {
    @Test func recordsAndHeadersMatchEthAbi() throws {
        let cases = try PythonOracle.cases("state_cases.py", ["--seed", "9", "--count", "60"])
        #expect(cases.count == 60)
        for c in cases {
            let j = c["job"] as! [String: String]
            func u(_ k: String) -> UInt256 { try! UInt256(decimal: j[k]!) }
            func u64(_ k: String) -> UInt64 { UInt64(j[k]!)! }
            let job = Job(id: try JobID(hex: j["id"]!), owner: try Address(j["owner"]!), parentJob: try JobID(hex: j["parentJob"]!),
                          programId: u("programId"), numParallel: u("numParallel"), numEpoch: u("numEpoch"),
                          dataset: try Hash32(hex: j["dataset"]!), param: try Hash32(hex: j["param"]!),
                          fuelLimit: u("fuelLimit"), fuelPrice: u("fuelPrice"), deadline: u64("deadline"),
                          status: JobStatus(rawValue: UInt8(j["status"]!)!)!, node: try Address(j["node"]!),
                          fuelUsed: u("fuelUsed"), result: try Hash32(hex: j["result"]!), escrow: u("escrow"),
                          nodeDeposit: u("nodeDeposit"), childCount: u64("childCount"),
                          verifiedChildren: u64("verifiedChildren"), createdAt: u64("createdAt"), updatedAt: u64("updatedAt"))
            let encoded = StateEncoding.encode(job)
            #expect(encoded.hex == c["jobEncoded"] as! String)
            #expect(try StateEncoding.decodeJob(encoded) == job)

            let a = c["account"] as! [String]
            let account = Account(balance: try UInt256(decimal: a[0]), nonce: UInt64(a[1])!, credit: try UInt256(decimal: a[2]))
            #expect(StateEncoding.encode(account).hex == c["accountEncoded"] as! String)
            #expect(try StateEncoding.decodeAccount(StateEncoding.encode(account)) == account)
            #expect(StateEncoding.accountKey(try Address(c["address"] as! String)).hex == c["accountKey"] as! String)

            let h = c["header"] as! [String]
            let header = BlockHeader(number: UInt64(h[0])!, parentHash: try Hash32(hex: h[1]), timestamp: UInt64(h[2])!,
                                     txRoot: try Hash32(hex: h[3]), stateRoot: try Hash32(hex: h[4]),
                                     settlementRoot: try Hash32(hex: h[5]), inboxCursor: UInt64(h[6])!, txCount: UInt64(h[7])!)
            #expect(header.hash.description == c["headerHash"] as! String)
            #expect(try BlockHeader.decode(header.encoded) == header)
        }
    }

    @Test func corruptRecordsAreRejected() {
        #expect(throws: StateDecodingError.wrongSize(what: "account", expected: 96, actual: 95)) {
            try StateEncoding.decodeAccount(Bytes(repeating: 0, count: 95))
        }
        var job = StateEncoding.encode(Job(id: STFHarness.jobId(1), owner: STFHarness.requester, parentJob: .zero, programId: 1,
                                           numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero, fuelLimit: 1, fuelPrice: 1,
                                           deadline: 5, status: .requested, node: .zero, fuelUsed: 0, result: .zero, escrow: 0,
                                           nodeDeposit: 0, childCount: 0, verifiedChildren: 0, createdAt: 0, updatedAt: 0))
        job[11 * 32 + 31] = 42
        #expect(throws: StateDecodingError.invalid("job status 42")) { try StateEncoding.decodeJob(job) }
        job[11 * 32 + 31] = 1
        job[32] = 1 // dirty padding before the owner address
        #expect(throws: StateDecodingError.invalid("dirty address padding at byte 32")) { try StateEncoding.decodeJob(job) }
    }
}
