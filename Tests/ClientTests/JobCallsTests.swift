import Core
import Foundation
import Sequencer
import Testing
import TestSupport
@testable import Client

/// Building the transactions: refusals before anything is signed, and signatures and hashes
/// equal to eth-account's (an independent EIP-712 implementation) for every job type.
@Suite struct JobCallsTests {
    @Test func registerRefusesWhatCanNeverSucceed() throws {
        #expect(throws: ClientError.invalid("--job-id: the job id must not be zero")) {
            try JobCalls.register(jobId: .zero, programId: 1, numParallel: 1, numEpoch: 1, dataset: F.h(1), param: .zero,
                                  fuelLimit: 1, fuelPrice: 1, deadline: 1)
        }
        #expect(throws: ClientError.invalid("--fuel-limit × --fuel-price does not fit 256 bits; lower one of them")) {
            try JobCalls.register(jobId: nil, programId: 1, numParallel: 1, numEpoch: 1, dataset: F.h(1), param: .zero,
                                  fuelLimit: .max, fuelPrice: 2, deadline: 1)
        }
        guard case .registerJob(let r) = try JobCalls.register(jobId: nil, programId: 1, numParallel: 4, numEpoch: 1, dataset: F.h(1),
                                                                param: .zero, fuelLimit: 1, fuelPrice: 1, deadline: 1) else {
            Issue.record("not a RegisterJob"); return
        }
        #expect(!r.jobId.isZero && r.parentJob == .zero && r.numParallel == 4)
    }

    @Test func splitPairsItsPartsInOrder() throws {
        #expect(throws: ClientError.invalid("give one --fuel-limit per --dataset (2 datasets, 1 fuel limits)")) {
            try JobCalls.parts(datasets: [F.h(1), F.h(2)], fuelLimits: [5], childIds: [])
        }
        #expect(throws: ClientError.invalid("give one --child-id per --dataset, or none for random ids (2 datasets, 1 ids)")) {
            try JobCalls.parts(datasets: [F.h(1), F.h(2)], fuelLimits: [5, 6], childIds: [F.id(1)])
        }
        let parts = try JobCalls.parts(datasets: [F.h(1), F.h(2)], fuelLimits: [5, 6], childIds: [F.id(1), F.id(2)])
        #expect(try JobCalls.split(parent: F.id(0x0a), parts: parts, maxParts: 256)
                == .split(.init(parentJob: F.id(0x0a), jobIds: [F.id(1), F.id(2)], datasets: [F.h(1), F.h(2)], fuelLimits: [5, 6])))
        #expect(throws: ClientError.invalid("a split makes at most 1 SubJobs on this chain; 2 parts given")) {
            try JobCalls.split(parent: F.id(0x0a), parts: parts, maxParts: 1)
        }
        #expect(throws: ClientError.invalid("--child-id: the SubJob ids must be distinct")) {
            try JobCalls.split(parent: F.id(0x0a), parts: try JobCalls.parts(datasets: [F.h(1), F.h(2)], fuelLimits: [5, 6],
                                                                              childIds: [F.id(1), F.id(1)]), maxParts: 256)
        }
        #expect(throws: ClientError.invalid("a split needs at least one part: give --dataset and --fuel-limit for each SubJob")) {
            try JobCalls.split(parent: F.id(0x0a), parts: [], maxParts: 256)
        }
        guard case .split(let s) = try JobCalls.split(parent: F.id(0x0a), parts: [.init(dataset: F.h(1), fuelLimit: 5),
                                                                                     .init(dataset: F.h(2), fuelLimit: 6)], maxParts: 256) else {
            Issue.record("not a Split"); return
        }
        #expect(s.jobIds.count == 2 && Set(s.jobIds).count == 2)
    }

    @Test func signaturesAndHashesMatchEthAccount() throws {
        let calls: [(L2Call, PrivateKey)] = [
            (try JobCalls.register(jobId: F.id(0x0a), programId: 7, numParallel: 3, numEpoch: 2, dataset: F.h(0xd0), param: F.h(0xe0),
                                   fuelLimit: 1_000_003, fuelPrice: 3 * F.gholon, deadline: 1_767_225_600), F.requester),
            (.cancelJob(jobId: F.id(0x0a)), F.requester), (.process(jobId: F.id(0x0a)), F.node), (.decline(jobId: F.id(0x0a)), F.node),
            (.submit(jobId: F.id(0x0a), result: F.h(0xaa), fuelUsed: 812_345), F.node), (.verify(jobId: F.id(0x0a)), F.verifier),
            (.reject(jobId: F.id(0x0a)), F.verifier), (.timeout(jobId: F.id(0x0a)), F.verifier),
            (try JobCalls.split(parent: F.id(0x0a), parts: [.init(jobId: F.id(1), dataset: F.h(1), fuelLimit: 400_000),
                                                            .init(jobId: F.id(2), dataset: F.h(2), fuelLimit: 600_003)], maxParts: 256), F.splitter),
            (.aggregate(parentJob: F.id(0x0a), result: F.h(0xbb)), F.aggregator),
        ]
        let signed = try calls.enumerated().map { k, c in try SignedTransaction.sign(c.0, nonce: UInt64(k * 7), key: c.1, domain: F.chain.domain) }
        let input = JSONValue.array(zip(signed, calls).map { s, c in
            .object(["key": .string(c.1.bytes.hex), "chainId": .string("31337"), "rollup": .string(F.rollup.checksummed),
                     "wire": s.envelope.json])
        })
        let oracle = try #require(try PythonOracle.run("job_sign_check.py", stdin: Data(input.serialized.utf8)) as? [[String: String]])
        #expect(oracle.count == calls.count)
        for (s, o) in zip(signed, oracle) {
            #expect(s.envelope.signature.hex == o["signature"], "\(s.call.typeName)")
            #expect(s.hash.bytes.hex == o["hash"], "\(s.call.typeName)")
            #expect(s.sender.checksummed == o["sender"])
        }
    }
}
