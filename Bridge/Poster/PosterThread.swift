import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own, at the lowest scheduling priority (nice 19), for the poster's CPU-heavy
/// batch cutting: reading the candidate blocks, compressing them (zstd, level 19) and
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
///
/// Niced work waits as long as other work keeps the cores busy — a flood of reads (which are not
/// rate-limited) would hold batches back for as long as it lasts. So a cut that is overdue (its
/// oldest block past `max_age_ms`) runs on a second thread at normal priority
/// (`overdueBatchCutting`): it then competes like any other work, as it did before, and posting
/// cannot be starved. (An unprivileged thread cannot take back a nice value once given up,
/// hence two threads rather than one re-niced.)
final class PosterThread: @unchecked Sendable {  // `jobs` is guarded by `condition`
    /// The batch cutting of the process's poster (one thread for the process, created on first use).
    static let batchCutting = PosterThread(name: "emeth-batch-cutting", nice: 19)
    /// The same for a batch that is overdue: normal priority.
    static let overdueBatchCutting = PosterThread(name: "emeth-batch-cutting-overdue", nice: 0)

    /// Where a cut runs: niced unless its batch is overdue.
    static func batchCutting(overdue: Bool) -> PosterThread { overdue ? overdueBatchCutting : batchCutting }

    private let condition = NSCondition()
    /// Each job does its work and returns how to hand the result back.
    private var jobs: [@Sendable () -> @Sendable () -> Void] = []

    private init(name: String, nice: Int32) {
        let thread = Thread { [condition] in
            #if canImport(Glibc)
            if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }  // 0: this thread
            #endif
            while true {
                condition.lock()
                while self.jobs.isEmpty { condition.wait() }
                var job: (@Sendable () -> @Sendable () -> Void)? = self.jobs.removeFirst()
                condition.unlock()
                let handBack = job!()
                // The work, and the stores it captured, are let go here before its caller
                // resumes: a caller that then returns and exits must not race this thread's
                // release of the last reference to an open RocksDB (closed while exit() tears
                // down RocksDB's statics, it aborts the process: "pthread lock: Invalid argument").
                job = nil
                handBack()
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
            jobs.append {
                let result = Result { try work() }
                return { c.resume(with: result) }
            }
            condition.signal()
            condition.unlock()
        }
    }
}
