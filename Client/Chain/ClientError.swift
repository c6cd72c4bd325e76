import Bridge
import Foundation
import Sequencer

/// Why a client operation did not succeed, as a sentence that says what to do: the CLI prints
/// `message` as it is. `failure` is the protocol's failure code when the sequencer refused the
/// transaction at admission or recorded it as failed in a block.
public struct ClientError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The user's input is malformed (nothing was sent).
        case invalidInput
        /// The sequencer refused the transaction before any block (nothing changed).
        case refused
        /// The transaction was sequenced and failed (only the sender's nonce changed).
        case failed
        /// The sequencer could not be reached or answered something unexpected.
        case unavailable
        /// No receipt within the time asked for.
        case timeout
    }

    public let kind: Kind
    public let message: String
    public let failure: FailureCode?

    public init(_ kind: Kind, _ message: String, failure: FailureCode? = nil) {
        self.kind = kind; self.message = message; self.failure = failure
    }

    public var description: String { message }

    public static func invalid(_ message: String) -> ClientError { ClientError(.invalidInput, message) }

    /// An API error in words. The JSON-RPC client was written for L1 and names it so; here the
    /// other end is the sequencer.
    static func api(_ e: JSONRPCClientError, _ url: URL) -> ClientError {
        switch e {
        case .transport(let m):
            return ClientError(.unavailable, "cannot reach the sequencer (\(m)); start it, or point --l2 or EMETH_L2_RPC at it")
        case .http(let status, let body):
            return ClientError(.unavailable, "the sequencer at \(url.absoluteString) answered HTTP \(status): \(body.prefix(200))")
        case .rpc(let code, let message, _):
            return ClientError(.refused, "the sequencer refused the request: \(message) (JSON-RPC error \(code))")
        case .malformedResponse(let m):
            return ClientError(.unavailable, "the sequencer at \(url.absoluteString) sent a malformed answer: \(m)")
        }
    }
}
