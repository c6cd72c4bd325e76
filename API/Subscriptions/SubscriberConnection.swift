import Core

/// One WebSocket client's outgoing messages: a bounded queue between the hub (and the
/// connection's own replies), which never wait, and the connection's writer, which waits for
/// the socket. When a client reads too slowly the queue fills up and the hub drops the
/// connection instead of waiting for it or buffering without bound: nothing a client does can
/// slow the sequencer or grow the node's memory past `maxQueued` messages per connection.
public final class SubscriberConnection: Sendable {
    /// What the writer does next.
    public enum Next: Sendable, Equatable {
        /// Send this text frame.
        case message(String)
        /// Send a close frame with this code and reason, then stop.
        case close(code: UInt16, reason: String)
        /// The connection ended (the client closed it): stop.
        case end
    }

    /// Close codes (RFC 6455 §7.4.1).
    public static let policyViolation: UInt16 = 1008
    public static let goingAway: UInt16 = 1001

    private struct State {
        var queue = MessageQueue()
        var waiter: CheckedContinuation<Next, Never>?
        var close: (code: UInt16, reason: String)?
        var ended = false
        var closingWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let id: UInt64
    public let maxQueued: Int
    private let state = LockedValue(State())

    init(id: UInt64, maxQueued: Int) {
        self.id = id
        self.maxQueued = maxQueued
    }

    /// What became of a message handed to `send`.
    enum SendResult: Equatable {
        case queued
        /// `maxQueued` messages already wait: the client reads too slowly (the hub drops it).
        case full
        /// The connection is closing or gone: the message is discarded.
        case closed
    }

    /// Queues `text` for the writer, unless the queue is full or the connection closing.
    @discardableResult
    func send(_ text: String) -> SendResult {
        let (result, waiter) = state.withLock { s -> (SendResult, CheckedContinuation<Next, Never>?) in
            guard s.close == nil, !s.ended else { return (.closed, nil) }
            guard s.queue.count < maxQueued else { return (.full, nil) }
            if let w = s.waiter {
                s.waiter = nil
                return (.queued, w)
            }
            s.queue.push(text)
            return (.queued, nil)
        }
        waiter?.resume(returning: .message(text))
        return result
    }

    /// Messages waiting for the writer.
    public var queued: Int { state.withLock { $0.queue.count } }

    /// Whether the connection is closing (dropped or shutting down) or ended.
    public var isClosing: Bool { state.withLock { $0.close != nil || $0.ended } }

    /// Discards what waits and asks the writer to close with `code` and `reason` (after the
    /// message it may be writing now). Later calls change nothing.
    func close(code: UInt16, reason: String) {
        let (waiter, closing) = state.withLock { s -> (CheckedContinuation<Next, Never>?, [CheckedContinuation<Void, Never>]) in
            guard s.close == nil, !s.ended else { return (nil, []) }
            s.close = (code, reason)
            s.queue = MessageQueue()
            defer { s.closingWaiters = [] }
            guard let w = s.waiter else { return (nil, s.closingWaiters) }
            // The writer waits: it takes the close now, so nothing follows it.
            s.waiter = nil
            s.ended = true
            return (w, s.closingWaiters)
        }
        waiter?.resume(returning: .close(code: code, reason: reason))
        for c in closing { c.resume() }
    }

    /// The client is gone: the writer stops.
    public func end() {
        let (waiter, closing) = state.withLock { s -> (CheckedContinuation<Next, Never>?, [CheckedContinuation<Void, Never>]) in
            s.ended = true
            s.queue = MessageQueue()
            defer { s.waiter = nil; s.closingWaiters = [] }
            return (s.waiter, s.closingWaiters)
        }
        waiter?.resume(returning: .end)
        for c in closing { c.resume() }
    }

    /// Returns once the connection is asked to close or has ended (or the task is cancelled):
    /// what the connection's watchdog waits for before it gives the close handshake its time.
    /// The close code asked for, or nil when the connection ended without one.
    public func closing() async -> UInt16? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.close != nil || s.ended || Task.isCancelled { return true }
                    s.closingWaiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
            return state.withLock { $0.close?.code }
        } onCancel: {
            let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                defer { s.closingWaiters = [] }
                return s.closingWaiters
            }
            for c in waiting { c.resume() }
        }
    }

    /// The writer's next step: waits while nothing is queued. Cancellation ends the wait (`.end`).
    public func next() async -> Next {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Next, Never>) in
                let now = state.withLock { s -> Next? in
                    if s.ended || Task.isCancelled { return .end }
                    if let m = s.queue.pop() { return .message(m) }
                    if let close = s.close {
                        s.ended = true
                        return .close(code: close.code, reason: close.reason)
                    }
                    s.waiter = c
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            end()
        }
    }
}

/// A first-in, first-out queue of text with O(1) push and pop (a ring that grows as needed;
/// it never holds more than the connection's bound).
struct MessageQueue {
    private var items: [String?] = []
    private var head = 0
    private(set) var count = 0

    mutating func push(_ s: String) {
        if count == items.count {
            // Full: unroll the ring into a larger array, oldest first.
            var grown = [String?](repeating: nil, count: max(8, items.count * 2))
            for i in 0..<count { grown[i] = items[(head + i) % items.count] }
            items = grown
            head = 0
        }
        items[(head + count) % items.count] = s
        count += 1
    }

    mutating func pop() -> String? {
        guard count > 0 else { return nil }
        defer {
            items[head] = nil
            head = (head + 1) % items.count
            count -= 1
        }
        return items[head]
    }
}
