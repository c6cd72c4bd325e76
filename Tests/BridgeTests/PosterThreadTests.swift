import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Bridge

/// The poster's batch cutting runs on a thread of its own at nice 19 (`PosterThread`):
/// what it computes comes back unchanged, errors included, and only that thread is niced.
@Suite struct PosterThreadTests {
    struct Refused: Error, Equatable { let n: Int }

    static func nice() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

    @Test func runsNicedAndHandsBackResultsAndErrors() async throws {
        let worker = PosterThread.batchCutting
        #expect(try await worker.run { Self.nice() } == 19)
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for k in 0..<20 { group.addTask { (k, try await worker.run { k * k }) } }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(results == Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, $0 * $0) }))
        await #expect(throws: Refused(n: 7)) { try await worker.run { () throws -> Int in throw Refused(n: 7) } }
        #expect(try await worker.run { "still running" } == "still running")
        // The process and the calling threads keep their priority: only the worker is niced.
        #expect(Self.nice() != 19)
    }

    /// A batch past `max_age_ms` is cut at normal priority: a busy machine (say, a flood of
    /// reads, which are not rate-limited) must not hold an overdue batch back indefinitely.
    @Test func anOverdueCutRunsAtNormalPriority() async throws {
        #expect(try await PosterThread.batchCutting(overdue: false).run { Self.nice() } == 19)
        #expect(try await PosterThread.batchCutting(overdue: true).run { Self.nice() } == Self.nice())
        #expect(PosterThread.batchCutting(overdue: true) !== PosterThread.batchCutting(overdue: false))
    }

    /// The work — and whatever it holds, the chain store in the poster's case — is let go on
    /// the worker before its caller resumes. It was let go just after: a caller that returned and
    /// exited raced the worker's release of the last reference to an open RocksDB, whose close
    /// during exit() aborted `emeth bridge run` ("pthread lock: Invalid argument", seen once
    /// under a full test run).
    @Test func theWorkIsLetGoBeforeItsCallerResumes() async throws {
        final class Held: Sendable {}
        for worker in [PosterThread.batchCutting, PosterThread.overdueBatchCutting] {
            for _ in 0..<50 {
                weak var watched: Held?
                let value: Int = try await {
                    let held = Held()
                    watched = held
                    return try await worker.run { withExtendedLifetime(held) { 7 } }
                }()
                #expect(value == 7)
                #expect(watched == nil)
            }
        }
    }
}
