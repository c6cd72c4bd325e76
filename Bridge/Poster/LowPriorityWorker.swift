import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thread of its own, at the lowest scheduling priority (nice 19), for the poster's
/// CPU-heavy batch cutting: reading the candidate blocks, compressing them (zstd, level 19) and
/// checking the batch it posts. In `sequencer run` the poster shares the process and the cores
/// with admission and sealing, and a cut takes tens to hundreds of milliseconds of CPU: run
/// on Swift's cooperative pool (two threads on a 2-core machine) it held one of the threads
/// request handlers need, and at the same priority it took its share of a core from the
/// sealing thread — both show as delay in what a client waits for. Niced, it runs in the
/// time they leave; posting to L1 is not latency-bound (rounds of a second). The work and
/// its result are the same.
///
/// Only this thread is niced (on Linux the nice value is per thread); the signature recovery
/// of the check may still fan out over the shared pool (`L2Admission.parallelMap`).
final class LowPriorityWorker: @unchecked Sendable {  // `jobs` is guarded by `condition`
    /// The batch cutting of the process's poster (one thread for the process, created on first use).
    static let batchCutting = LowPriorityWorker(name: "emeth-batch-cutting")

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    private init(name: String) {
        let thread = Thread { [condition] in
            #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)   // 0: this thread
            #endif
            while true {
                condition.lock()
                while self.jobs.isEmpty { condition.wait() }
                let job = self.jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Runs `work` on the thread and returns its result; the caller's task waits meanwhile
    /// without holding a thread of the pool.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            condition.lock()
            jobs.append { c.resume(with: Result { try work() }) }
            condition.signal()
            condition.unlock()
        }
    }
}
