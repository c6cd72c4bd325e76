import Bridge
import Core
import Sequencer

/// A transaction's receipt (docs/API.md, `emeth_getTransactionReceipt`), typed; `json` is the
/// object the API returned, kept for `--json` output.
public struct Receipt: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, sequenced, committed, final, dropped
    }

    public let status: Status
    public let blockNumber: UInt64?
    public let success: Bool?
    /// The failure code of a transaction that failed in its block.
    public let failure: FailureCode?
    /// Why an operator's rollback dropped it (status `dropped`).
    public let reason: String?
    public let json: JSONValue

    public static func parse(_ r: JSONValue) throws(ClientError) -> Receipt {
        guard let s = r["status"]?.stringValue, let status = Status(rawValue: s) else {
            throw ClientError(.unavailable, "the sequencer sent a receipt with an unknown status: \(r.serialized.prefix(200))")
        }
        var failure: FailureCode?
        if let f = r["failure"], !f.isNull {
            guard let n = L2Client.text(f).flatMap({ UInt16($0) }), let code = FailureCode(rawValue: n) else {
                throw ClientError(.unavailable, "the sequencer sent an unknown failure code \(f.serialized)")
            }
            failure = code
        }
        let block = r["blockNumber"].flatMap { $0.isNull ? nil : try? L2Client.uint($0, "blockNumber").uint64 }
        return Receipt(status: status, blockNumber: block, success: r["success"]?.boolValue, failure: failure,
                       reason: r["reason"]?.stringValue, json: r)
    }

    /// In a durable block (or further: committed, final).
    public var isSequenced: Bool { status == .sequenced || status == .committed || status == .final }
}
