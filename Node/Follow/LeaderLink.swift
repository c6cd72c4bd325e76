import API
import Bridge
import Core
import Foundation

/// A follower's line to its leader for what only the leader can answer: the write methods
/// (and the pending nonce, and receipts of transactions the follower has not applied yet) are
/// sent on as the client sent them, and the leader's answer — result or JSON-RPC error — is
/// the answer. One attempt: a transaction is never sent twice on the client's behalf.
struct LeaderLink: Sendable {
    let url: URL
    let rpc: JSONRPCClient

    init(url: URL, timeout: TimeInterval = 15) {
        self.url = url
        rpc = JSONRPCClient(url: url, timeout: timeout, maxAttempts: 1)
    }

    func forward(_ method: String, params: [JSONValue]) async throws -> JSONValue {
        do { return try await rpc.call(method, params) } catch {
            if case .rpc(let code, let message, _) = error { throw RPCError(code: code, message: message) }
            throw RPCError(code: RPCError.notReadyCode, message: "this follower forwards \(method) to its leader \(url.absoluteString), "
                           + "which did not answer: \(Self.describe(error))")
        }
    }

    /// The client error in words about the leader (its descriptions speak of L1).
    static func describe(_ e: JSONRPCClientError) -> String {
        switch e {
        case .transport(let m): return "unreachable: \(m)"
        case .http(let s, let b): return "HTTP \(s): \(b.prefix(200))"
        case .rpc(let c, let m, _): return "JSON-RPC error \(c): \(m)"
        case .malformedResponse(let m): return "malformed answer: \(m)"
        }
    }
}
