import Dispatch

/// The second stage of the sealing pipeline: one serial thread that makes blocks durable in
/// the order they were executed (sign, replicate, synced write, acknowledge: `EngineHandle`).
/// Its depth is one: `submit` waits until the previous block's work has finished, so while
/// block k is made durable here, the sealing thread executes block k+1 on k's in-memory state
/// and then waits — never a third block in the making, and never a block written, replicated or
/// acknowledged before the one before it.
final class DurabilityStage: Sendable {
    private let queue = DispatchQueue(label: "emeth-durability")
    /// One permit: held from `submit` until that block's work has finished.
    private let free = DispatchSemaphore(value: 1)

    /// Runs `work` on the stage once the previous block's work has finished (blocking until then).
    func submit(_ work: @escaping @Sendable () -> Void) {
        free.wait()
        queue.async { [free] in
            work()
            free.signal()
        }
    }

    /// Returns once every submitted block's work has finished.
    func waitUntilIdle() {
        free.wait()
        free.signal()
    }
}
