import Testing

@testable import Node

/// A standby campaigns only when it could take over at once: each reason to wait, in the order
/// they are checked, with the exact text an operator sees in the log.
@Suite struct HAReadinessTests {
    @Test func readyWhenCaughtUpHealthyAndL1Answers() {
        #expect(HAReadiness.blocker(stopped: nil, logHead: 7, mine: 7, l1: nil) == nil)
        #expect(HAReadiness.blocker(stopped: nil, logHead: nil, mine: 0, l1: nil) == nil)
    }

    @Test func eachReasonToWait() {
        #expect(HAReadiness.blocker(stopped: nil, logHead: 9, mine: 7, l1: nil) == "behind the block log: at block 7 of 9")
        #expect(HAReadiness.blocker(stopped: nil, logHead: 7, mine: 7, l1: "connection refused")
            == "L1 is unreachable: connection refused")
        #expect(HAReadiness.blocker(stopped: nil, logHead: nil, logError: "timed out", mine: 7, l1: nil)
            == "the etcd block log is unreadable: timed out")
        #expect(HAReadiness.blocker(stopped: "block 8: bad signature", logHead: 9, mine: 7, l1: "refused")
            == "the store is not applying blocks: block 8: bad signature")
    }
}
