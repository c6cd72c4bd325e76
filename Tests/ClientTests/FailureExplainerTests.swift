import Core
import Sequencer
import Testing
@testable import Client

/// Every sentence names the job and the parties from the context and says what to do; the
/// amounts are the chain's fee rules applied to the job (PROTOCOL §3), exact to the base unit.
@Suite struct FailureExplainerTests {
    let id = F.id(0x0a).bytes.hex
    var node: String { F.node.address.checksummed }
    var requester: String { F.requester.address.checksummed }

    @Test func wrongParty() {
        let job = F.job(.processing, node: F.node.address)
        let submit = L2Call.submit(jobId: F.id(0x0a), result: F.h(0xaa), fuelUsed: 5)
        #expect(FailureExplainer.sentence(.notAssignedNode, F.context(submit, F.requester, job: job))
                == "job \(id) is not assigned to you (node \(node)); only the assigned node can submit")
        #expect(FailureExplainer.sentence(.notAssignedNode, F.context(.decline(jobId: F.id(0x0a)), F.verifier, job: job))
                == "job \(id) is not assigned to you (node \(node)); only the assigned node can decline")
        #expect(FailureExplainer.sentence(.notOwner, F.context(.cancelJob(jobId: F.id(0x0a)), F.node, job: job))
                == "job \(id) belongs to \(requester), not to you (\(node)); only its owner can cancel it")
        #expect(FailureExplainer.sentence(.ownerCannotProcess, F.context(.process(jobId: F.id(0x0a)), F.requester, job: F.job(.requested)))
                == "job \(id) is your own (\(requester) registered it), and its owner cannot process it; process it with a node's key")
        #expect(FailureExplainer.sentence(.verifierIsParty, F.context(.reject(jobId: F.id(0x0a)), F.node, job: job))
                == "you (\(node)) are job \(id)'s node, and a verifier may not judge a job it owns or processed; another verifier must reject it")
    }

    @Test func wrongRoleNamesTheChainsRoleHolders() {
        #expect(FailureExplainer.sentence(.notVerifier, F.context(.verify(jobId: F.id(0x0a)), F.node, job: nil))
                == "you (\(node)) are not a verifier on this chain; only a verifier (this chain's verifiers: \(F.verifier.address.checksummed)) can verify a job: sign with a verifier's key")
        #expect(FailureExplainer.sentence(.notVerifier, F.context(.timeout(jobId: F.id(0x0a)), F.node, job: nil))
                == "you (\(node)) are not a verifier on this chain; only a verifier (this chain's verifiers: \(F.verifier.address.checksummed)) can time out a job: sign with a verifier's key")
        let split = L2Call.split(.init(parentJob: F.id(0x0a), jobIds: [F.id(1)], datasets: [F.h(1)], fuelLimits: [1]))
        #expect(FailureExplainer.sentence(.notSplitter, F.context(split, F.node, job: nil))
                == "you (\(node)) are not a splitter on this chain; only a splitter (this chain's splitters: \(F.splitter.address.checksummed)) can split a job: sign with a splitter's key")
        // Without the genesis (an API that does not report it) the sentence leaves the list out.
        var c = F.context(.aggregate(parentJob: F.id(0x0a), result: F.h(1)), F.node, job: nil)
        c.chain = ChainContext(domain: F.chain.domain, genesis: nil)
        #expect(FailureExplainer.sentence(.notAggregator, c)
                == "you (\(node)) are not an aggregator on this chain; only an aggregator can aggregate a job: sign with an aggregator's key")
    }

    @Test func insufficientBalanceSaysHowMuchIsMissing() throws {
        let register = try JobCalls.register(jobId: F.id(0x0a), programId: 7, numParallel: 1, numEpoch: 1, dataset: F.h(1), param: .zero,
                                             fuelLimit: 1_000_003, fuelPrice: 3 * F.gholon, deadline: 1_767_225_600)
        // fee limit 3,000,009 gholon; verifier fee 5% = 150,000.45 gholon; escrow their sum.
        #expect(FailureExplainer.sentence(.insufficientBalance, F.context(register, F.requester, job: nil, balance: 1_000_000_000_000_000))
                == "your balance is 0.001 EMT, but registering this job locks 0.00315000945 EMT (fee limit 0.003000009 EMT + verifier fee 0.00015000045 EMT); deposit at least 0.00215000945 EMT more with `emeth deposit`")
        #expect(FailureExplainer.sentence(.insufficientBalance, F.context(.process(jobId: F.id(0x0a)), F.node, job: F.job(.requested), balance: 0))
                == "your balance is 0 EMT, but processing job \(id) locks a deposit of 0.00315000945 EMT; deposit at least 0.00315000945 EMT more with `emeth deposit`")
    }

    @Test func statusDeadlinesFuelAndChildren() {
        #expect(FailureExplainer.sentence(.wrongStatus, F.context(.cancelJob(jobId: F.id(0x0a)), F.requester, job: F.job(.processing, node: F.node.address)))
                == "job \(id) is PROCESSING, but cancel needs it REQUESTED; see `emeth job show \(id)`")
        #expect(FailureExplainer.sentence(.wrongStatus, F.context(.timeout(jobId: F.id(0x0a)), F.verifier, job: F.job(.submitted, node: F.node.address)))
                == "job \(id) is SUBMITTED, but time out needs it REQUESTED or PROCESSING; see `emeth job show \(id)`")
        #expect(FailureExplainer.sentence(.unknownJob, F.context(.verify(jobId: F.id(0x0a)), F.verifier, job: nil))
                == "job \(id) does not exist on this chain; check the id (`emeth job list --owner ADDRESS` lists a requester's jobs)")
        #expect(FailureExplainer.sentence(.deadlineNotReached, F.context(.timeout(jobId: F.id(0x0a)), F.verifier, job: F.job(.requested)))
                == "job \(id) has not reached its deadline 1767225600 (2026-01-01T00:00:00Z); it can be timed out from then on")
        #expect(FailureExplainer.sentence(.deadlinePassed, F.context(.process(jobId: F.id(0x0a)), F.node, job: F.job(.requested)))
                == "job \(id)'s deadline 1767225600 (2026-01-01T00:00:00Z) has passed, so it can no longer be processed or submitted; a verifier may time it out")
        let job = F.job(.processing, node: F.node.address)
        #expect(FailureExplainer.sentence(.fuelExceedsLimit, F.context(.submit(jobId: F.id(0x0a), result: F.h(1), fuelUsed: 1_000_004), F.node, job: job))
                == "fuel used 1000004 is above job \(id)'s fuel limit 1000003; submit at most 1000003")
        var parent = F.job(.split)
        parent.childCount = 3; parent.verifiedChildren = 2
        #expect(FailureExplainer.sentence(.childrenNotVerified, F.context(.aggregate(parentJob: F.id(0x0a), result: F.h(1)), F.aggregator, job: parent))
                == "only 2 of job \(id)'s 3 SubJobs are VERIFIED; aggregate once all of them are")
        let split = L2Call.split(.init(parentJob: F.id(0x0a), jobIds: [F.id(1), F.id(2)], datasets: [F.h(1), F.h(2)], fuelLimits: [600_000, 400_004]))
        #expect(FailureExplainer.sentence(.childrenExceedParent, F.context(split, F.splitter, job: F.job(.requested)))
                == "the parts' fuel limits add up to 1000004, more than job \(id)'s fuel limit 1000003; lower them")
        let cheap = try! JobCalls.register(jobId: F.id(0x0b), programId: 1, numParallel: 1, numEpoch: 1, dataset: F.h(1), param: .zero,
                                           fuelLimit: 10, fuelPrice: 500_000_000, deadline: 1_767_225_600)
        #expect(FailureExplainer.sentence(.priceBelowMinimum, F.context(cheap, F.requester, job: nil))
                == "the fuel price 0.0000000005 EMT is below this chain's minimum of 0.000000001 EMT per unit of fuel; offer at least 0.000000001 EMT")
    }

    @Test func everyCodeHasASentence() {
        for code in FailureCode.allCases {
            let s = FailureExplainer.sentence(code, F.context(.process(jobId: F.id(0x0a)), F.node, job: F.job(.requested), balance: 0))
            #expect(!s.isEmpty && !s.contains("Optional"), "\(code)")
        }
    }
}
