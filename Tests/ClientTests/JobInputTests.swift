import Core
import Sequencer
import Testing
@testable import Client

/// What people type, read exactly or refused with a sentence naming the flag and the value.
@Suite struct JobInputTests {
    @Test func idsHashesNumbersAndAmounts() throws {
        #expect(try JobInput.jobId("0x" + String(repeating: "0a", count: 16), "JOB_ID") == F.id(0x0a))
        #expect(throws: ClientError.invalid(#"JOB_ID: "0x0a0a" is not a job id: write 16 bytes as 0x and 32 hex digits"#)) {
            try JobInput.jobId("0x0a0a", "JOB_ID")
        }
        #expect(throws: ClientError.invalid(#"JOB_ID: "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a" is not a job id: write 16 bytes as 0x and 32 hex digits"#)) {
            try JobInput.jobId(String(repeating: "0a", count: 16), "JOB_ID")
        }
        #expect(try JobInput.hash("0x" + String(repeating: "d0", count: 32), "--dataset") == F.h(0xd0))
        #expect(throws: ClientError.invalid(#"--result: "0xd0" is not a content hash: write 32 bytes as 0x and 64 hex digits"#)) {
            try JobInput.hash("0xd0", "--result")
        }
        #expect(try JobInput.number("1_000_003", "--fuel-limit") == 1_000_003)
        #expect(try JobInput.number("0x10", "--fuel-limit") == 16)
        #expect(throws: ClientError.invalid(#"--fuel-used: "12k" is not a whole number: write it in decimal (1000000) or 0x-hex"#)) {
            try JobInput.number("12k", "--fuel-used")
        }
        #expect(try JobInput.amount("3gholon", "--fuel-price") == 3 * F.gholon)
        #expect(try JobInput.amount("0.5emt", "--fuel-price") == UInt256(500_000_000) * F.gholon)
        #expect(throws: ClientError.invalid(#"--fuel-price: invalid amount "1.5.2emt": use base units (1500), Gholon (120gholon) or EMT (1.5emt)"#)) {
            try JobInput.amount("1.5.2emt", "--fuel-price")
        }
        #expect(throws: ClientError.invalid(#"--fuel-price: amount "0.0000000001gholon" has more than 9 decimal places for its unit"#)) {
            try JobInput.amount("0.0000000001gholon", "--fuel-price")
        }
    }

    @Test func deadlinesAbsoluteAndFromNow() throws {
        let now: UInt64 = 1_767_000_000
        #expect(try JobInput.deadline("1767225600", now: now) == 1_767_225_600)
        #expect(try JobInput.deadline("+90s", now: now) == UInt256(now + 90))
        #expect(try JobInput.deadline("+90", now: now) == UInt256(now + 90))
        #expect(try JobInput.deadline("+30m", now: now) == UInt256(now + 1_800))
        #expect(try JobInput.deadline("+2h", now: now) == UInt256(now + 7_200))
        #expect(try JobInput.deadline("+1d", now: now) == UInt256(now + 86_400))
        for bad in ["tomorrow", "+", "+h", "+2w", "", "-5", "+1.5h"] {
            #expect(throws: ClientError.invalid(#"--deadline: "\#(bad)" is not a deadline: give Unix seconds (1767225600) or a time from now (+90s, +30m, +2h, +1d)"#)) {
                try JobInput.deadline(bad, now: now)
            }
        }
    }

    @Test func statusesByNameOrNumber() throws {
        #expect(try JobInput.status("requested") == .requested)
        #expect(try JobInput.status("SUBMITTED") == .submitted)
        #expect(try JobInput.status("10") == .completed)
        #expect(throws: ClientError.invalid(#"--status: "DONE" is not a job status: use one of REQUESTED, PROCESSING, SUBMITTED, VERIFIED, CANCELED, TIMEOUT, FAILED, DECLINED, SPLIT, COMPLETED or its number 1–10"#)) {
            try JobInput.status("DONE")
        }
        #expect(throws: ClientError.self) { try JobInput.status("11") }
    }

    @Test func randomJobIdsDiffer() {
        let ids = Set((0..<100).map { _ in JobInput.randomJobId() })
        #expect(ids.count == 100 && !ids.contains(where: \.isZero))
    }
}
