import API
import Core
import Foundation
import Node
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Sequencer

/// A real `SequencerNode` on a temporary RocksDB directory, serving HTTP on an ephemeral
/// loopback port, and a small JSON-RPC client that talks to it over real sockets.
final class LiveService: Sendable {
    let dir: String
    let service: SequencerNode
    let port: Int
    private let task: Task<Void, Error>
    private let inboxIndex = LockedValue<UInt64>(0)

    static func start(policy: SealPolicy = SealPolicy(maxTxs: 500, blockTimeMs: 30), limits: RPCLimits = RPCLimits(),
                      batches: (any BatchStatusProvider)? = nil, dir: String = TestChain.tempDir()) async throws -> LiveService {
        let store = try ChainStore(path: dir, genesis: TestChain.genesis)
        let engine = SequencerEngine(store: store, signerKey: TestChain.signerKey, policy: policy)
        var config = NodeConfig()
        config.listen = "127.0.0.1:0"
        config.maxBodyBytes = limits.maxBodyBytes
        config.maxBatch = limits.maxBatch
        config.sendRate = limits.sendPerSecond
        config.sendBurst = limits.sendBurst
        let service = SequencerNode(engine: engine, config: config, batches: batches,
                                    extras: ChainInfoExtras(token: try Address("0x" + String(repeating: "ab", count: 20))))
        let (portStream, portSink) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await service.run { port in portSink.yield(port) } }
        var port = 0
        for await p in portStream { port = p; break }
        return LiveService(dir: dir, service: service, port: port, task: task)
    }

    /// Runs `body` against a fresh service and always shuts it down (and removes its data).
    static func with(policy: SealPolicy = SealPolicy(maxTxs: 500, blockTimeMs: 30), limits: RPCLimits = RPCLimits(),
                     batches: (any BatchStatusProvider)? = nil, _ body: (LiveService) async throws -> Void) async throws {
        let s = try await start(policy: policy, limits: limits, batches: batches)
        do { try await body(s) } catch {
            try? await s.stop()
            throw error
        }
        try await s.stop()
    }

    private init(dir: String, service: SequencerNode, port: Int, task: Task<Void, Error>) {
        self.dir = dir; self.service = service; self.port = port; self.task = task
    }

    /// Graceful shutdown; waits until `run` returned.
    func stop(removeData: Bool = true) async throws {
        await service.shutdown()
        try await task.value
        if removeData { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// An L1 deposit, as the bridge's inbox watcher would queue it.
    func deposit(_ a: Address, _ amount: UInt256) throws {
        let index = inboxIndex.withLock { i -> UInt64 in
            defer { i += 1 }
            return i
        }
        try service.engine.enqueue(InboxMessage(index: index, kind: .deposit, account: a, amount: amount, l1Block: 7))
    }

}

/// Anything serving the API on a loopback port (a sequencer, a follower): the HTTP helpers.
protocol HTTPEndpoint {
    var port: Int { get }
}

extension LiveService: HTTPEndpoint {}

extension HTTPEndpoint {
    func http(_ method: String, _ path: String, body: Bytes? = nil) async throws -> (status: Int, body: String, contentType: String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
    }

    /// POSTs raw text; returns the HTTP status and the parsed response (nil for no body).
    func post(_ text: String) async throws -> (status: Int, json: JSONValue?) {
        let r = try await http("POST", "/", body: Array(text.utf8))
        return (r.status, r.body.isEmpty ? nil : try JSONValue.parse(r.body))
    }

    /// One call; the whole response object.
    func call(_ method: String, _ params: [JSONValue] = [], id: Int = 1) async throws -> JSONValue {
        let request = JSONValue.object(["jsonrpc": .string("2.0"), "id": .int(id), "method": .string(method), "params": .array(params)])
        let r = try await post(request.serialized)
        guard let json = r.json else { throw TestFailure("no response body for \(method)") }
        return json
    }

    /// One call that must succeed; its result.
    func result(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        let response = try await call(method, params)
        guard let result = response["result"] else { throw TestFailure("\(method) failed: \(response)") }
        return result
    }

    /// One call that must fail; its error code and message.
    func error(_ method: String, _ params: [JSONValue] = []) async throws -> (code: Int, message: String) {
        let response = try await call(method, params)
        guard case .number(let code)? = response["error"]?["code"], let message = response["error"]?["message"]?.stringValue else {
            throw TestFailure("\(method) did not fail: \(response)")
        }
        return (Int(code)!, message)
    }

    func send(_ wire: JSONValue) async throws -> String {
        guard let h = try await result("emeth_sendTransaction", [wire]).stringValue else { throw TestFailure("no hash") }
        return h
    }

    /// Polls until the receipt of `hash` is no longer pending; returns it.
    func waitSequenced(_ hash: String, timeout: Double = 10) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try await result("emeth_getTransactionReceipt", [.string(hash)])
            if let s = r["status"]?.stringValue, s != "pending" { return r }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw TestFailure("\(hash) still pending after \(timeout) s")
    }

    /// Polls until the head is at least `n`.
    func waitBlock(_ n: UInt64, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await result("emeth_blockNumber") >= UInt256(n).q { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw TestFailure("block \(n) not sealed after \(timeout) s")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}

extension JSONValue {
    /// Compares two quantity strings numerically.
    static func >= (a: JSONValue, b: JSONValue) -> Bool {
        guard let x = a.stringValue.flatMap(UInt256.init), let y = b.stringValue.flatMap(UInt256.init) else { return false }
        return x >= y
    }
}
