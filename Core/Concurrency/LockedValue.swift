import Synchronization

/// A value shared between threads behind a lock: the one way this codebase shares mutable
/// state outside actors. It wraps the standard library's `Mutex`, so the compiler checks what
/// goes in and out (`sending`), instead of a class that pairs an `NSLock` with
/// `@unchecked Sendable` and promises by comment to take it.
///
/// Use it for small state touched from request handlers and threads (counters, caches, a
/// flag); keep the closures short — everything else waiting for the lock waits for them.
public final class LockedValue<Value>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, exclusively.
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        try mutex.withLock(body)
    }
}

extension LockedValue where Value: Sendable {
    /// A copy of the value as it is now.
    public var value: Value { withLock { $0 } }

    /// Replaces the value.
    public func set(_ newValue: Value) { withLock { $0 = newValue } }
}
