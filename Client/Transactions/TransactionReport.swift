import Bridge
import Core
import Sequencer

/// What happened to one job transaction, for people (`lines`) and scripts (`json`): sent,
/// and with `wait`, sequenced with the job's new status and the sender's balance, or failed
/// with the reason in words.
public struct TransactionReport: Sendable {
    public let tx: SignedTransaction
    public var receipt: Receipt?
    public var failure: FailureCode?
    public var reason: String?
    /// The job the call names (the parent for Split and Aggregate) after the transaction.
    public var job: Job?
    public var jobJSON: JSONValue?
    public var balance: UInt256?

    public init(tx: SignedTransaction) { self.tx = tx }

    /// Sends `call` and, with `wait`, follows it into a block and reads what it changed.
    /// Refusals throw (nothing changed); a failure in the block is reported in `failure` and
    /// `reason` (the nonce was spent) for the caller to present before it fails.
    public static func run(_ call: L2Call, key: PrivateKey, nonce: UInt64?, wait: Bool, timeout: Double,
                           client: TransactionClient) async throws(ClientError) -> TransactionReport {
        var report = TransactionReport(tx: try await client.send(call, key: key, nonce: nonce))
        guard wait else { return report }
        let receipt = try await client.waitForReceipt(report.tx, timeout: timeout)
        report.receipt = receipt
        if let code = receipt.failure {
            report.failure = code
            report.reason = await client.explain(code, report.tx)
        }
        if let id = JobCalls.jobId(of: call), let found = try? await client.l2.job(id) {
            report.job = found.job
            report.jobJSON = found.json
        }
        report.balance = try? await client.l2.accountInfo(report.tx.sender).balance
        return report
    }

    /// SubJob ids a Split creates.
    public var children: [JobID] {
        if case .split(let s) = tx.call { return s.jobIds }
        return []
    }

    public var jobId: JobID? { JobCalls.jobId(of: tx.call) }

    /// The failure as an error to end the command with.
    public var error: ClientError? {
        guard let failure, let reason else { return nil }
        let block = receipt?.blockNumber.map { " in block \($0)" } ?? ""
        return ClientError(.failed, "\(tx.call.typeName) failed\(block) with \(failure.name) (\(failure.rawValue)): \(reason)", failure: failure)
    }

    public var lines: [String] {
        let what = jobId.map { " of job \($0.bytes.hex)" } ?? ""
        var out = ["sent \(tx.call.typeName)\(what) from \(tx.sender.checksummed) (nonce \(tx.nonce)): \(tx.hash.bytes.hex)"]
        if !children.isEmpty { out.append("SubJobs: \(children.map { $0.bytes.hex }.joined(separator: ", "))") }
        guard let receipt, let block = receipt.blockNumber else { return out }
        guard failure == nil else { return out }
        var line = "sequenced in block \(block)"
        if let job {
            line += ": job \(job.id.bytes.hex) is \(job.status)"
            switch tx.call {
            case .registerJob: line += ", escrow \(Amount.format(job.escrow)) locked"
            case .process: line += ", deposit \(Amount.format(job.nodeDeposit)) locked"
            case .split: line += " into \(job.childCount) SubJobs"
            default: break
            }
        }
        if let balance { line += "; balance of \(tx.sender.checksummed) now \(Amount.format(balance))" }
        out.append(line)
        return out
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string(tx.call.typeName), "hash": .string(tx.hash.bytes.hex), "sender": .string(tx.sender.checksummed),
            "nonce": .int(Int(tx.nonce)), "jobId": jobId.map { .string($0.bytes.hex) } ?? .null, "tx": tx.envelope.json,
            "receipt": receipt?.json ?? .null, "job": jobJSON ?? .null,
            "balance": balance.map { .string($0.hexQuantity) } ?? .null,
            "success": receipt.map { _ in .bool(failure == nil) } ?? .null,
            "failure": failure.map { f in .object(["code": .int(Int(f.rawValue)), "name": .string(f.name), "reason": .string(reason ?? "")]) } ?? .null,
        ]
        if !children.isEmpty { o["childJobIds"] = .array(children.map { .string($0.bytes.hex) }) }
        return .object(o)
    }
}
