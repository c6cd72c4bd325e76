import Foundation

/// Where the sealing thread sleeps between blocks: until the engine's next due time
/// (`SequencerEngine.nextSealDueMs`) or until something makes a block due earlier — no fixed
/// tick, so a block is sealed when it is due rather than up to a tick later, and an idle
/// sequencer does not wake to ask.
///
/// The race it closes: the thread asks the engine when the next block is due and `expect`s
/// that time under the engine's lock; whatever changes what is pending (an admission, an inbox
/// message, an acknowledgement) asks again under the same lock and calls `wakeIfEarlier`. So
/// a change either happened before the thread asked (and the answer includes it) or after it
/// expected (and is compared with that time). A wake before the thread sleeps is kept, not lost.
final class SealWakeup: @unchecked Sendable {  // every field is guarded by `condition`
    /// A timed sleep never lasts longer than this, so a step of the wall clock (the engine's
    /// clock) cannot hold a due block back for long: the thread then asks the engine again.
    static let maxSleepMs: UInt64 = 1_000

    private let condition = NSCondition()
    /// The engine-clock time the thread sleeps until (nil: until woken).
    private var due: UInt64?
    private var woken = false

    /// The sealing thread, under the engine's lock: the time it will sleep until.
    func expect(_ due: UInt64?) {
        condition.lock()
        self.due = due
        condition.unlock()
    }

    /// Under the engine's lock, after a change: wakes the thread if `due` is before what it
    /// expects. Most admissions change nothing (the block time runs from the first pending
    /// item), so they cost a comparison, not a context switch.
    func wakeIfEarlier(_ due: UInt64?) {
        guard let due else { return }
        condition.lock()
        if self.due.map({ due < $0 }) ?? true {
            self.due = due
            woken = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Wakes the thread whatever it expects (shutdown, the engine stopped).
    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Whether a wake is pending (the thread has not slept since).
    var isWoken: Bool {
        condition.lock()
        defer { condition.unlock() }
        return woken
    }

    /// The expected time on the engine's clock, if any.
    var expected: UInt64? {
        condition.lock()
        defer { condition.unlock() }
        return due
    }

    /// Sleeps until woken or until the expected time on `clock` (at most `maxSleepMs` at a
    /// time), and consumes the wake.
    func sleep(clock: () -> UInt64) {
        condition.lock()
        defer {
            woken = false
            condition.unlock()
        }
        while !woken {
            guard let due else {
                condition.wait()
                continue
            }
            let now = clock()
            if now >= due { return }
            let ms = min(due - now, Self.maxSleepMs)
            if !condition.wait(until: Date(timeIntervalSinceNow: Double(ms) / 1_000)), ms == Self.maxSleepMs { return }
        }
    }
}
