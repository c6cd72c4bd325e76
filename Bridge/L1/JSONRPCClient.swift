import Core
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a call of this JSON-RPC client failed (to L1, or to the L2 API through `L2Client`);
/// the server's side of JSON-RPC errors is the API's `RPCError`. Transport failures are
/// retried; a JSON-RPC error is the node's answer and is never retried blindly (it carries
/// the node's message for the operator).
public enum JSONRPCClientError: Error, CustomStringConvertible, Equatable {
    case transport(String)
    case http(status: Int, body: String)
    case rpc(code: Int, message: String, data: String?)
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .transport(let m): return "L1 endpoint unreachable: \(m)"
        case .http(let s, let b): return "L1 endpoint answered HTTP \(s): \(b.prefix(200))"
        case .rpc(let c, let m, let d): return "L1 JSON-RPC error \(c): \(m)" + (d.map { " (data \($0))" } ?? "")
        case .malformedResponse(let m): return "malformed L1 response: \(m)"
        }
    }
}

/// A JSON-RPC 2.0 client over HTTP for any Ethereum-compatible endpoint. Uses only the
/// standard protocol, so geth, anvil, a hosted provider or our py-evm devnet all work.
public final class JSONRPCClient: Sendable {
    public let url: URL
    public let timeout: TimeInterval
    /// Attempts for transport failures (connection refused, timeouts), with exponential backoff.
    public let maxAttempts: Int
    fileprivate let session: URLSession
    private let counter = Counter()
    /// Rewrites the result of `call(method, params)` (tests: an endpoint that lies).
    public typealias Rewrite = @Sendable (_ method: String, _ params: [JSONValue], _ result: JSONValue) -> JSONValue
    private let rewrite: Rewrite?

    public init(url: URL, timeout: TimeInterval = 30, maxAttempts: Int = 5, rewrite: Rewrite? = nil) {
        self.url = url
        self.rewrite = rewrite
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        self.session = URLSession(configuration: config)
    }

    /// One call; returns the `result` member.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(JSONRPCClientError) -> JSONValue {
        let id = counter.next()
        let body = JSONValue.object(["jsonrpc": .string("2.0"), "id": .int(id), "method": .string(method), "params": .array(params)])
        let response = try await post(body)
        let result = try Self.result(of: response)
        return rewrite.map { $0(method, params, result) } ?? result
    }

    /// A batch of calls in one HTTP request; results come back in the order of `calls`.
    /// Each element is the result or that call's own error.
    public func batch(_ calls: [(method: String, params: [JSONValue])]) async throws(JSONRPCClientError) -> [Result<JSONValue, JSONRPCClientError>] {
        guard !calls.isEmpty else { return [] }
        let first = counter.next(calls.count)
        let body = JSONValue.array(calls.enumerated().map { k, c in
            .object(["jsonrpc": .string("2.0"), "id": .int(first + k), "method": .string(c.method), "params": .array(c.params)])
        })
        let response = try await post(body)
        guard let items = response.arrayValue else {
            // A node that rejects the whole batch answers with a single error object.
            _ = try Self.result(of: response)
            throw .malformedResponse("batch answered with a non-array")
        }
        var byID: [Int: JSONValue] = [:]
        for item in items {
            if case .number(let n)? = item["id"], let id = Int(n) { byID[id] = item }
        }
        return (0..<calls.count).map { k in
            guard let item = byID[first + k] else { return .failure(.malformedResponse("no answer for batch element \(k)")) }
            return Result { () throws(JSONRPCClientError) -> JSONValue in try Self.result(of: item) }
        }
    }

    static func result(of response: JSONValue) throws(JSONRPCClientError) -> JSONValue {
        if let err = response["error"], !err.isNull {
            let code: Int
            if case .number(let n)? = err["code"], let c = Int(n) { code = c } else { code = 0 }
            let message = err["message"]?.stringValue ?? err.serialized
            let data: String?
            switch err["data"] {
            case .string(let s)?: data = s
            case nil, .null?: data = nil
            case let other?: data = other.serialized
            }
            throw .rpc(code: code, message: message, data: data)
        }
        guard let result = response["result"] else { throw .malformedResponse("neither result nor error: \(response.serialized.prefix(200))") }
        return result
    }

    private func post(_ body: JSONValue) async throws(JSONRPCClientError) -> JSONValue {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.serialized.utf8)
        let backoff = Backoff(firstMs: 200, capMs: 5_000)
        var lastError = "no attempt made"
        for attempt in 1...max(1, maxAttempts) {
            do {
                let (data, response) = try await send(request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                guard status == 200 else {
                    // 5xx from a proxy in front of the node is transient; 4xx is not.
                    if status >= 500 && attempt < maxAttempts {
                        lastError = "HTTP \(status)"
                    } else {
                        throw JSONRPCClientError.http(status: status, body: String(decoding: data, as: UTF8.self))
                    }
                    try? await Task.sleep(nanoseconds: backoff.delayMs(afterFailures: attempt) * 1_000_000)
                    continue
                }
                do { return try JSONValue.parse(data) } catch { throw JSONRPCClientError.malformedResponse(error.description) }
            } catch let e as JSONRPCClientError {
                throw e
            } catch {
                lastError = Self.transportFailure(error, timeout: timeout)
                if attempt == maxAttempts { break }
                try? await Task.sleep(nanoseconds: backoff.delayMs(afterFailures: attempt) * 1_000_000)
            }
        }
        throw .transport("\(url.absoluteString): \(lastError) (after \(maxAttempts) attempts)")
    }
}

extension JSONRPCClient {
    /// Why an HTTP exchange failed, in words: FoundationNetworking on Linux describes a timeout
    /// only as "The operation could not be completed. (NSURLErrorDomain error -1001.)".
    static func transportFailure(_ error: Error, timeout: TimeInterval) -> String {
        let e = error as NSError
        if e.domain == NSURLErrorDomain, e.code == NSURLErrorTimedOut { return "no answer within \(String(format: "%g", timeout)) s" }
        return error.localizedDescription
    }

    /// One HTTP exchange. Uses the completion-handler API wrapped in a continuation: on Linux
    /// it is the most widely exercised path of FoundationNetworking.
    fileprivate func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                guard let data, let response else {
                    continuation.resume(throwing: URLError(.badServerResponse))
                    return
                }
                continuation.resume(returning: (data, response))
            }
            task.resume()
        }
    }
}

/// Request ids: unique per client so batch answers can be matched.
private final class Counter: Sendable {
    private let value = LockedValue(0)

    func next(_ n: Int = 1) -> Int {
        value.withLock { v in
            let first = v + 1
            v += n
            return first
        }
    }
}
