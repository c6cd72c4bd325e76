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
/// Sealed blocks are found by asking for the next block (`emeth_getBlockByNumber`, null until
/// it is sealed) every `pollMs`: one call per block instead of one receipt poll per
/// transaction, which would load the sequencer more than the load itself. A block is only
/// served once it is durable, so "in a block" is the receipt's `sequenced`. At the end every
/// accepted transaction's receipt is read to confirm it.
///
/// The runner shares the machine with what it measures, so it is kept cheap: every request
/// element is encoded before the clock starts (a batch's body is those bytes joined), and the
/// requests go over HTTP/1.1 connections kept open (`KeepAliveConnection`), one per request in
/// flight and one for the block watcher.
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
        /// Most transactions one account has sent but not yet seen sealed; its next waits
        /// until one is. A client does not queue more than the sequencer keeps per sender
        /// (the mempool's `max_per_sender`, 1,024 by default, refuses the rest): in an open
        /// loop the one verifier, a fifth of the mix, would otherwise run into that limit
        /// once sealing lags admission by a few thousand transactions.
        public var maxUnsealedPerSender = 1_000
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
    let url: URL

    public init(url: URL, plan: LoadPlan, options: Options) {
        self.plan = plan
        self.url = url
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
    private var unsealed: [Int] = []         // per sender: sent, not yet seen sealed
    private var held: [Int: Int] = [:]       // sender → its next transaction, held by `maxUnsealedPerSender`
    private var lastSealed: UInt64 = 0
    private var sentAt: [UInt64] = []
    private var sealedAt: [UInt64] = []
    private var byHash: [Hash32: Int] = [:]
    private var result = Result()
    /// Per transaction: its JSON-RPC request object, encoded (its id is its plan index).
    private var requests: [[UInt8]] = []
    /// Connections not carrying a request now.
    private var free: [KeepAliveConnection] = []

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
        var out: [Int] = []
        while out.count < n, readyHead < ready.count {
            let i = ready[readyHead]
            readyHead += 1
            let s = plan.txs[i].sender
            if unsealed[s] >= options.maxUnsealedPerSender {
                held[s] = i  // sent once one of its sender's is sealed
                continue
            }
            out.append(i)
            sentAt[i] = now
            unsealed[s] += 1
            cursor[s] += 1
            advance(s)  // the next of the same sender may go at once (a future nonce waits in the pool)
        }
        if readyHead > 4_096 { ready.removeFirst(readyHead); readyHead = 0 }
        result.sent += out.count
        return out
    }

    /// `i` was seen in a sealed block.
    private func sealed(_ i: Int, at time: UInt64) {
        sealedAt[i] = time
        lastSealed = time
        result.sequenced += 1
        let s = plan.txs[i].sender
        unsealed[s] -= 1
        if unsealed[s] < options.maxUnsealedPerSender, let next = held.removeValue(forKey: s) { ready.append(next) }
    }

    private func answered(_ batch: [Int], _ answers: [Swift.Result<JSONValue, JSONRPCClientError>], connection: KeepAliveConnection) {
        free.append(connection)
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
        held.removeValue(forKey: plan.txs[i].sender)
    }

    private var idle: Bool { readyHead == ready.count }

    // MARK: Running

    /// Sends the plan once (a runner is good for one run) and returns what it measured.
    public func run() async throws -> Result {
        queues = Array(repeating: [], count: plan.senders.count)
        for (i, t) in plan.txs.enumerated() { queues[t.sender].append(i) }
        cursor = Array(repeating: 0, count: plan.senders.count)
        unsealed = cursor
        accepted = Array(repeating: false, count: plan.txs.count)
        effective = accepted
        previous = Array(repeating: nil, count: plan.txs.count)
        following = previous
        for q in queues { for (a, b) in zip(q, q.dropFirst()) { previous[b] = a; following[a] = b } }
        sentAt = Array(repeating: 0, count: plan.txs.count)
        sealedAt = Array(repeating: 0, count: plan.txs.count)
        for (i, t) in plan.txs.enumerated() { byHash[t.hash] = i }
        for s in queues.indices { advance(s) }
        requests = plan.txs.indices.map { i in Self.request(id: i, method: "emeth_sendTransaction", params: [plan.txs[i].wire]) }
        free = try (0..<options.concurrency).map { _ in try KeepAliveConnection(url: url) }
        let watch = try KeepAliveConnection(url: url)

        let head = try Self.quantity(try await client.call("emeth_blockNumber"))
        let start = DispatchTime.now().uptimeNanoseconds
        lastSealed = start
        let watcher = Task { [head] in try await self.watchBlocks(from: head + 1, over: watch) }
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
                    if idle && held.isEmpty { break }  // nothing ready, nothing pending: all sent (or stopped by refusals)
                    // Held until some of their senders' are sealed (or, if none is for `drainSeconds`, never sent).
                    if idle && Double(now - lastSealed) / 1e9 > options.drainSeconds { break }
                    if idle { try? await Task.sleep(nanoseconds: 1_000_000) }
                    continue
                }
                scheduled += batch.count
                inFlight += 1
                let body = Self.batchBody(batch.map { requests[$0] })
                let connection = free.removeLast()
                group.addTask {
                    let answers: [Swift.Result<JSONValue, JSONRPCClientError>]
                    do {
                        answers = try Self.answers(to: batch, try await connection.post(body))
                    } catch let e as JSONRPCClientError {
                        answers = Array(repeating: .failure(e), count: batch.count)
                    } catch {
                        answers = Array(repeating: .failure(.transport("\(error)")), count: batch.count)
                    }
                    await self.answered(batch, answers, connection: connection)
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

    /// Asks for the next block until it exists (null beyond the head), then for the one after.
    private func watchBlocks(from first: UInt64, over connection: KeepAliveConnection) async throws {
        var next = first
        while !Task.isCancelled {
            let body = Self.request(id: 0, method: "emeth_getBlockByNumber", params: [.string("0x" + String(next, radix: 16))])
            let answer = try JSONValue.parse(Data(try await connection.post(body)))
            guard let block = answer["result"], !block.isNull else {
                if let e = answer["error"], !e.isNull { throw LoadError("emeth_getBlockByNumber: \(e.serialized.prefix(200))") }
                try await Task.sleep(nanoseconds: UInt64(options.pollMs) * 1_000_000)
                continue
            }
            let seen = DispatchTime.now().uptimeNanoseconds
            for h in block["transactions"]?.arrayValue ?? [] {
                guard let s = h.stringValue, let hash = try? Hash32(hex: s), let i = byHash[hash], sealedAt[i] == 0 else { continue }
                sealed(i, at: seen)
            }
            next += 1
        }
    }

    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":[…]}`, encoded.
    static func request(id: Int, method: String, params: [JSONValue]) -> [UInt8] {
        Array(JSONValue.object(["jsonrpc": .string("2.0"), "id": .int(id), "method": .string(method), "params": .array(params)]).serialized.utf8)
    }

    /// A JSON-RPC batch of encoded request objects.
    static func batchBody(_ elements: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(elements.reduce(2) { $0 + $1.count + 1 })
        for (k, e) in elements.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: e)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Each transaction's answer in a batch response, matched by id (the plan index): its
    /// result or its own error, as `JSONRPCClient.batch` reports them.
    static func answers(to batch: [Int], _ body: [UInt8]) throws -> [Swift.Result<JSONValue, JSONRPCClientError>] {
        let response: JSONValue
        do { response = try JSONValue.parse(Data(body)) } catch { throw JSONRPCClientError.malformedResponse("\(error)") }
        guard let items = response.arrayValue else {
            if let e = response["error"] { throw rpcError(e) }
            throw JSONRPCClientError.malformedResponse("batch answered with a non-array")
        }
        var byID: [Int: JSONValue] = [:]
        for item in items { if case .number(let n)? = item["id"], let id = Int(n) { byID[id] = item } }
        return batch.map { i in
            guard let item = byID[i] else { return .failure(.malformedResponse("no answer for transaction \(i)")) }
            if let e = item["error"], !e.isNull { return .failure(rpcError(e)) }
            guard let r = item["result"] else { return .failure(.malformedResponse("neither result nor error: \(item.serialized.prefix(200))")) }
            return .success(r)
        }
    }

    static func rpcError(_ e: JSONValue) -> JSONRPCClientError {
        let code: Int
        if case .number(let n)? = e["code"], let c = Int(n) { code = c } else { code = 0 }
        let data: String?
        switch e["data"] {
        case .string(let s)?: data = s
        case nil, .null?: data = nil
        case let other?: data = other.serialized
        }
        return .rpc(code: code, message: e["message"]?.stringValue ?? e.serialized, data: data)
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
