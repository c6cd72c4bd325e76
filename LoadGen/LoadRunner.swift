import Bridge
import Core
import Dispatch
import Foundation
import Histogram
import Sequencer

/// Sends a `LoadPlan` to a sequencer over HTTP and measures what a client sees: JSON-RPC
/// batches of `emeth_sendTransaction` at a target rate (or as fast as the answers come,
/// open loop), then the time from sending each transaction to seeing it in a sealed block.
///
/// Sealed blocks are found by polling `emeth_blockNumber` every `pollMs` and reading each new
/// block's transaction hashes (`emeth_getBlockByNumber`): one call per block instead of one
/// receipt poll per transaction, which would load the sequencer more than the load itself.
/// A block is only served once it is durable, so "in a block" is the receipt's `sequenced`.
/// At the end every accepted transaction's receipt is read to confirm it.
public actor LoadRunner {
    public struct Options: Sendable {
        /// Transactions per second; nil sends as fast as the answers allow (open loop).
        public var rate: Double?
        public var batchSize = 100
        /// HTTP requests in flight at once.
        public var concurrency = 4
        public var pollMs = 2
        /// How long to wait for the last accepted transactions to be sealed.
        public var drainSeconds = 60.0
        public init(rate: Double? = nil) { self.rate = rate }
    }

    public struct Result: Sendable {
        public var sent = 0
        public var accepted = 0
        /// Refusals by their message (what the sequencer said), and transactions never sent
        /// because a step they needed was refused.
        public var refused: [String: Int] = [:]
        public var skipped = 0
        public var sequenced = 0
        /// Receipts read at the end with status sequenced (or later: committed, final).
        public var receiptsSequenced = 0
        public var seconds = 0.0
        /// µs from the start of the HTTP request that carried a transaction to the poll that
        /// found it in a block.
        public var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        public var txPerSecond: Double { seconds > 0 ? Double(sequenced) / seconds : 0 }
    }

    let client: JSONRPCClient
    let options: Options

    public init(url: URL, plan: LoadPlan, options: Options) {
        self.plan = plan
        // One attempt: a resent batch would be refused as already known.
        client = JSONRPCClient(url: url, timeout: 60, maxAttempts: 1)
        self.options = options
    }

    // MARK: State
    private let plan: LoadPlan
    private var queues: [[Int]] = []         // per sender: plan indices in nonce order
    private var cursor: [Int] = []           // per sender: next index into its queue
    private var ready: [Int] = []
    private var readyHead = 0
    private var waiting: [Int: [Int]] = [:]  // dependency → transactions parked until it is effective
    private var accepted: [Bool] = []
    /// Accepted, and so are all earlier transactions of its sender: only then is it applied to
    /// the sequencer's pending state (a transaction accepted ahead of a nonce gap waits
    /// unexecuted), so only then may another account's step build on it.
    private var effective: [Bool] = []
    private var previous: [Int?] = []          // the same sender's transaction before, if in the plan
    private var following: [Int?] = []
    private var dead: Set<Int> = []          // senders stopped by a refusal
    private var sentAt: [UInt64] = []
    private var sealedAt: [UInt64] = []
    private var byHash: [Hash32: Int] = [:]
    private var result = Result()

    /// Queues `sender`'s next transaction if its dependency allows.
    private func advance(_ sender: Int) {
        guard !dead.contains(sender), cursor[sender] < queues[sender].count else { return }
        let i = queues[sender][cursor[sender]]
        if let d = plan.txs[i].after, !effective[d] {
            waiting[d, default: []].append(i)
        } else {
            ready.append(i)
        }
    }

    private func takeReady(_ n: Int, now: UInt64) -> [Int] {
        let k = min(n, ready.count - readyHead)
        guard k > 0 else { return [] }
        let out = Array(ready[readyHead..<(readyHead + k)])
        readyHead += k
        if readyHead > 4_096 { ready.removeFirst(readyHead); readyHead = 0 }
        for i in out {
            sentAt[i] = now
            let s = plan.txs[i].sender
            cursor[s] += 1
            advance(s)  // the next of the same sender may go at once (a future nonce waits in the pool)
        }
        result.sent += out.count
        return out
    }

    private func answered(_ batch: [Int], _ answers: [Swift.Result<JSONValue, JSONRPCClientError>]) {
        for (i, a) in zip(batch, answers) {
            switch a {
            case .success(let h) where h.stringValue == plan.txs[i].hash.description:
                accepted[i] = true
                result.accepted += 1
                if previous[i].map({ effective[$0] }) ?? true { becameEffective(i) }
            case .success(let h):
                refuse(i, "hash mismatch: the sequencer answered \(h.serialized)")
            case .failure(let e):
                refuse(i, "\(e)")
            }
        }
    }

    private func becameEffective(_ first: Int) {
        var i: Int? = first
        while let k = i, accepted[k], !effective[k] {
            effective[k] = true
            for j in waiting.removeValue(forKey: k) ?? [] { ready.append(j) }
            i = following[k]
        }
    }

    /// A refusal: the sender's later transactions can never run.
    private func refuse(_ i: Int, _ why: String) {
        result.refused["\(plan.txs[i].kind): \(why)", default: 0] += 1
        dead.insert(plan.txs[i].sender)
    }

    private var idle: Bool { readyHead == ready.count }

    // MARK: Running

    /// Sends the plan once (a runner is good for one run) and returns what it measured.
    public func run() async throws -> Result {
        queues = Array(repeating: [], count: plan.senders.count)
        for (i, t) in plan.txs.enumerated() { queues[t.sender].append(i) }
        cursor = Array(repeating: 0, count: plan.senders.count)
        accepted = Array(repeating: false, count: plan.txs.count)
        effective = accepted
        previous = Array(repeating: nil, count: plan.txs.count)
        following = previous
        for q in queues { for (a, b) in zip(q, q.dropFirst()) { previous[b] = a; following[a] = b } }
        sentAt = Array(repeating: 0, count: plan.txs.count)
        sealedAt = Array(repeating: 0, count: plan.txs.count)
        for (i, t) in plan.txs.enumerated() { byHash[t.hash] = i }
        for s in queues.indices { advance(s) }

        let head = try Self.quantity(try await client.call("emeth_blockNumber"))
        let start = DispatchTime.now().uptimeNanoseconds
        let watcher = Task { [head] in try await self.watchBlocks(from: head + 1) }
        defer { watcher.cancel() }

        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var scheduled = 0
            while true {
                let now = DispatchTime.now().uptimeNanoseconds
                var due = options.batchSize
                if let rate = options.rate {
                    due = min(due, Int(rate * Double(now - start) / 1e9) - scheduled)
                }
                if inFlight >= options.concurrency || (due <= 0 && inFlight > 0 && options.rate == nil) {
                    await group.next(); inFlight -= 1; continue
                }
                // At a set rate, send about every 10 ms (or a full batch), not one transaction a request.
                if let rate = options.rate, due > 0, due < min(options.batchSize, max(1, Int(rate / 100))), inFlight == 0 || !idle {
                    due = 0
                }
                if due <= 0 {
                    let wait = options.rate.map { UInt64(1e9 / $0) } ?? 1_000_000
                    try? await Task.sleep(nanoseconds: min(max(wait, 200_000), 5_000_000))
                    continue
                }
                let batch = takeReady(due, now: now)
                if batch.isEmpty {
                    if inFlight > 0 { await group.next(); inFlight -= 1; continue }
                    if idle { break }  // nothing ready, nothing pending: all sent (or stopped by refusals)
                    continue
                }
                scheduled += batch.count
                inFlight += 1
                let wires = batch.map { plan.txs[$0].wire }
                group.addTask {
                    let answers: [Swift.Result<JSONValue, JSONRPCClientError>]
                    do {
                        answers = try await self.client.batch(wires.map { ("emeth_sendTransaction", [$0]) })
                    } catch let e as JSONRPCClientError {
                        answers = Array(repeating: .failure(e), count: wires.count)
                    } catch {
                        answers = Array(repeating: .failure(.transport("\(error)")), count: wires.count)
                    }
                    await self.answered(batch, answers)
                }
            }
            while inFlight > 0 { await group.next(); inFlight -= 1 }
        }

        // Drain: wait until every accepted transaction is in a block.
        let deadline = Date().addingTimeInterval(options.drainSeconds)
        while Date() < deadline, result.sequenced < result.accepted {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        watcher.cancel()
        _ = await watcher.result

        var r = result
        r.skipped = plan.txs.count - r.sent
        var last: UInt64 = start
        for i in plan.txs.indices where accepted[i] && sealedAt[i] > 0 {
            last = max(last, sealedAt[i])
            _ = r.latency.record((sealedAt[i] - sentAt[i]) / 1_000)
        }
        r.seconds = Double(last - start) / 1e9
        r.receiptsSequenced = try await confirmReceipts()
        return r
    }

    private func watchBlocks(from first: UInt64) async throws {
        var next = first
        while !Task.isCancelled {
            let head = try Self.quantity(try await client.call("emeth_blockNumber"))
            let seen = DispatchTime.now().uptimeNanoseconds
            while next <= head {
                let block = try await client.call("emeth_getBlockByNumber", [.string("0x" + String(next, radix: 16))])
                for h in block["transactions"]?.arrayValue ?? [] {
                    guard let s = h.stringValue, let hash = try? Hash32(hex: s), let i = byHash[hash], sealedAt[i] == 0 else { continue }
                    sealedAt[i] = seen
                    result.sequenced += 1
                }
                next += 1
            }
            try await Task.sleep(nanoseconds: UInt64(options.pollMs) * 1_000_000)
        }
    }

    /// Reads the receipt of every accepted transaction (batches of `batchSize`); returns how
    /// many say sequenced, committed or final.
    private func confirmReceipts() async throws -> Int {
        let hashes = plan.txs.indices.filter { accepted[$0] }.map { plan.txs[$0].hash.description }
        var ok = 0
        for start in stride(from: 0, to: hashes.count, by: options.batchSize) {
            let part = hashes[start..<min(hashes.count, start + options.batchSize)]
            for answer in try await client.batch(part.map { ("emeth_getTransactionReceipt", [.string($0)]) }) {
                if case .success(let r) = answer, let s = r["status"]?.stringValue, ["sequenced", "committed", "final"].contains(s) { ok += 1 }
            }
        }
        return ok
    }

    static func quantity(_ v: JSONValue) throws -> UInt64 {
        guard let s = v.stringValue, s.hasPrefix("0x"), let n = UInt64(s.dropFirst(2), radix: 16) else {
            throw LoadError("expected a hex quantity, got \(v.serialized.prefix(80))")
        }
        return n
    }
}

public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
