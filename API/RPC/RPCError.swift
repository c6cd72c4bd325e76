import Core

/// A JSON-RPC 2.0 error object. The standard codes are the spec's; the -320xx codes are ours
/// (documented in docs/API.md) so a client can tell "fix your request" from "retry later".
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }

    public var json: JSONValue { .object(["code": .int(code), "message": .string(message)]) }

    // Standard codes (JSON-RPC 2.0 §5.1).
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    // EMETH codes: why an L2 transaction (or request) was refused.
    /// The signature is malformed, high-s, or recovers no key.
    public static let invalidSignatureCode = -32000
    /// The nonce is behind the sender's account (replayed), already queued, or too far ahead;
    /// or the very transaction is already known.
    public static let nonceCode = -32001
    /// Signed for another chain or rollup contract (detected when the caller states the
    /// expected sender, chain id or verifying contract).
    public static let wrongDomainCode = -32002
    /// A limit was hit: mempool or per-sender queue full, request body or batch too large.
    /// Retry later or split the request.
    public static let limitCode = -32003
    /// The data asked for is not available here (no batch information without a bridge, or
    /// an account with no credit change in the batch asked for).
    public static let unavailableCode = -32004
    /// The sequencer cannot serve requests (its engine stopped after a storage failure).
    public static let notReadyCode = -32005
    /// Admission ran the transaction against the pending state and it would fail (the
    /// message names the failure code), or its sender holds nothing and has no role.
    public static let wouldFailCode = -32006

    public static func parseError(_ m: String) -> RPCError { RPCError(code: parseErrorCode, message: m) }
    public static func invalidRequest(_ m: String) -> RPCError { RPCError(code: invalidRequestCode, message: m) }
    public static func methodNotFound(_ name: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "the method \(name) does not exist")
    }
    public static func invalidParams(_ m: String) -> RPCError { RPCError(code: invalidParamsCode, message: "invalid params: \(m)") }
    public static func internalError(_ m: String) -> RPCError { RPCError(code: internalErrorCode, message: "internal error: \(m)") }
    public static func limit(_ m: String) -> RPCError { RPCError(code: limitCode, message: m) }
    public static func unavailable(_ m: String) -> RPCError { RPCError(code: unavailableCode, message: m) }
}

/// An error from a part of the node the API serves (which cannot know `RPCError`'s codes
/// itself, or should not) that has a JSON-RPC meaning, e.g. "the engine stopped" (-32005).
/// The dispatcher answers with `rpcError` instead of an internal error.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
