import Core
import Sequencer

/// Limits of the WebSocket subscriptions (`[api] ws_queue`, `ws_subscriptions`).
public struct SubscriptionLimits: Sendable, Equatable {
    /// Messages a connection may have waiting for its socket; the next one drops it.
    public var maxQueued: Int
    /// Subscriptions one connection may hold at once.
    public var maxSubscriptions: Int
    /// How long a dropped or shut-down connection gets to take its close frame before the
    /// socket is closed under it (a client that never reads never takes it).
    public var closeTimeoutMs: UInt64

    public init(maxQueued: Int = 4_096, maxSubscriptions: Int = 64, closeTimeoutMs: UInt64 = 10_000) {
        self.maxQueued = maxQueued; self.maxSubscriptions = maxSubscriptions; self.closeTimeoutMs = closeTimeoutMs
    }
}

/// The fan-out of chain events to WebSocket subscribers (docs/API.md, "Subscriptions").
///
/// The node reports each block once it is durable and acknowledged (`blockSealed`), and each
/// batch L1 committed or made final (`batchesChanged`). Reporting costs the reporter one queue
/// append: the hub's own task (`run`) renders the notifications and puts them into each
/// connection's bounded queue, which never waits either — a connection whose queue is full is
/// dropped with close code 1008 and the reason "subscriber too slow: N messages queued". So no
/// subscriber, however slow, can hold up sealing, the hub, or the other subscribers.
///
/// Within a block, notifications go out in a fixed order — receipts (in block order), tickets,
/// jobs (by jobId), then the block's `newHeads` — so a client that sees a head has been sent
/// everything else of that block.
public final class SubscriptionHub: Sendable {
    public let limits: SubscriptionLimits
    /// Where receipts learn their batch (nil: receipts say "sequenced", no batch topic).
    let batches: (any BatchStatusProvider)?

    enum Event: Sendable {
        case block(SealedBlock, jobs: [Job])
        case batches([BatchStatus])
    }

    struct Subscription: Sendable {
        let id: String
        let connection: SubscriberConnection
        let topic: SubscriptionTopic
        var active: Bool
    }

    private struct Registry {
        var nextConnection: UInt64 = 0
        var connections: [UInt64: SubscriberConnection] = [:]
        var subscriptions: [String: Subscription] = [:]
        var byConnection: [UInt64: [String]] = [:]
    }

    /// What `GET /metrics` shows of the subscriptions.
    public struct Counters: Sendable, Equatable {
        public var connections = 0
        public var subscriptions = 0
        public var notifications: UInt64 = 0
        public var dropped: UInt64 = 0
    }

    private let registry = LockedValue(Registry())
    private let counters = LockedValue(Counters())
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    public init(limits: SubscriptionLimits = SubscriptionLimits(), batches: (any BatchStatusProvider)? = nil) {
        self.limits = limits
        self.batches = batches
        (events, sink) = AsyncStream.makeStream(of: Event.self)
    }

    public var counts: Counters {
        var c = counters.value
        (c.connections, c.subscriptions) = registry.withLock { ($0.connections.count, $0.subscriptions.count) }
        return c
    }

    // MARK: What the node reports

    /// A block is durable and acknowledged; `jobs` gives the jobs it changed, as it left them
    /// (asked only while someone subscribes). Returns at once (the hub's task does the rest);
    /// nothing is kept while no one subscribes.
    public func blockSealed(_ block: SealedBlock, jobs: () -> [Job]) {
        guard hasSubscribers else { return }
        sink.yield(.block(block, jobs: jobs()))
    }

    /// Batches L1 now holds (committed) or whose challenge period ended (final). Returns at once.
    public func batchesChanged(_ changed: [BatchStatus]) {
        guard !changed.isEmpty, hasSubscribers else { return }
        sink.yield(.batches(changed))
    }

    private var hasSubscribers: Bool { registry.withLock { !$0.subscriptions.isEmpty } }

    // MARK: The hub's task

    /// Delivers reported events until `stop()` or cancellation.
    public func run() async {
        for await event in events { deliver(event) }
    }

    /// Ends `run`, and asks every connection to close (code 1001) so the server can stop even
    /// with clients that do not read.
    public func stop() {
        sink.finish()
        let all = registry.withLock { Array($0.connections.values) }
        for c in all { c.close(code: SubscriberConnection.goingAway, reason: "the node is shutting down") }
    }

    /// Renders one event and queues it for every matching active subscription.
    func deliver(_ event: Event) {
        let subs = registry.withLock { $0.subscriptions.values.filter(\.active) }
        guard !subs.isEmpty else { return }
        switch event {
        case .block(let block, let jobs): deliver(block, jobs: jobs, to: subs)
        case .batches(let changed):
            let batchSubs = subs.filter { $0.topic == .batches }
            guard !batchSubs.isEmpty else { return }
            let challenged = batches?.challengedAtBatch
            for b in changed { notify(batchSubs, ResultJSON.batch(b, challengedAt: challenged).serialized) }
        }
    }

    private func deliver(_ block: SealedBlock, jobs: [Job], to subs: [Subscription]) {
        var heads: [Subscription] = [], jobSubs: [Subscription] = []
        var bySender: [Address: [Subscription]] = [:], byAccount: [Address: [Subscription]] = [:]
        for s in subs {
            switch s.topic {
            case .newHeads: heads.append(s)
            case .jobs: jobSubs.append(s)
            case .receipts(let sender): bySender[sender, default: []].append(s)
            case .tickets(let account): byAccount[account, default: []].append(s)
            case .batches: break
            }
        }
        if !bySender.isEmpty {
            let batch = batches?.batch(containing: block.number)
            for (tx, r) in zip(block.transactions, block.receipts) {
                guard let to = bySender[tx.sender] else { continue }
                notify(to, ResultJSON.receipt(hash: tx.hash, block: block.number, receipt: r, sender: tx.sender, batch: batch).serialized)
            }
        }
        for t in block.tickets {
            guard let to = byAccount[t.account] else { continue }
            notify(to, ResultJSON.ticket(t).serialized)
        }
        for j in jobs {
            let to = jobSubs.filter { if case .jobs(let f) = $0.topic { return f.matches(j) } else { return false } }
            if !to.isEmpty { notify(to, ResultJSON.job(j).serialized) }
        }
        if !heads.isEmpty { notify(heads, ResultJSON.head(block).serialized) }
    }

    /// Queues the notification `result` for each subscription; drops connections that are full.
    private func notify(_ subs: [Subscription], _ result: String) {
        var sent: UInt64 = 0
        for s in subs {
            let text = #"{"jsonrpc":"2.0","method":"emeth_subscription","params":{"subscription":""# + s.id + #"","result":"#
                + result + "}}"
            switch s.connection.send(text) {
            case .queued: sent += 1
            case .full: drop(s.connection)
            case .closed: break
            }
        }
        counters.withLock { $0.notifications += sent }
    }

    /// Ends every subscription of a connection whose queue is full and asks it to close.
    func drop(_ c: SubscriberConnection) {
        let removed = registry.withLock { r -> Bool in
            guard r.connections.removeValue(forKey: c.id) != nil else { return false }
            for id in r.byConnection.removeValue(forKey: c.id) ?? [] { r.subscriptions.removeValue(forKey: id) }
            return true
        }
        guard removed else { return }
        counters.withLock { $0.dropped += 1 }
        c.close(code: SubscriberConnection.policyViolation, reason: "subscriber too slow: \(c.maxQueued) messages queued")
    }

    // MARK: Connections

    /// A new WebSocket connection.
    public func connect() -> SubscriberConnection {
        registry.withLock { r in
            r.nextConnection += 1
            let c = SubscriberConnection(id: r.nextConnection, maxQueued: limits.maxQueued)
            r.connections[c.id] = c
            return c
        }
    }

    /// The connection ended: its subscriptions end with it.
    public func disconnect(_ c: SubscriberConnection) {
        registry.withLock { r in
            r.connections.removeValue(forKey: c.id)
            for id in r.byConnection.removeValue(forKey: c.id) ?? [] { r.subscriptions.removeValue(forKey: id) }
        }
        c.end()
    }

    /// A new subscription of `c`, inactive until `activate(c)`: the connection queues its reply
    /// first, so no notification can reach the client before the id it belongs to.
    func subscribe(_ c: SubscriberConnection, _ topic: SubscriptionTopic) throws(RPCError) -> String {
        if topic == .batches, batches == nil {
            throw .unavailable("no batch information: this node runs without the batch poster, so it learns of no batches")
        }
        let id = Self.newId()
        let max = limits.maxSubscriptions
        try registry.withLock { r throws(RPCError) in
            guard r.connections[c.id] != nil else { throw .unavailable("the connection is closing") }
            guard r.byConnection[c.id, default: []].count < max else {
                throw .limit("this connection holds \(max) subscriptions, the most one connection may hold; "
                             + "unsubscribe one or open another connection")
            }
            r.subscriptions[id] = Subscription(id: id, connection: c, topic: topic, active: false)
            r.byConnection[c.id, default: []].append(id)
        }
        return id
    }

    /// Starts delivery to the subscriptions `c` made since the last call.
    func activate(_ c: SubscriberConnection) {
        registry.withLock { r in
            for id in r.byConnection[c.id] ?? [] where r.subscriptions[id]?.active == false { r.subscriptions[id]?.active = true }
        }
    }

    /// Ends a subscription of `c`; false if `c` holds none with this id.
    func unsubscribe(_ c: SubscriberConnection, _ id: String) -> Bool {
        registry.withLock { r in
            guard r.subscriptions[id]?.connection.id == c.id else { return false }
            r.subscriptions.removeValue(forKey: id)
            r.byConnection[c.id]?.removeAll { $0 == id }
            return true
        }
    }

    /// 16 random bytes as 0x-hex: unguessable, so one client cannot end another's subscriptions.
    static func newId() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }.hex
    }
}
