import Core
import Foundation
import Sequencer

/// The first place where what was posted on L1 and what the auditor recomputed disagree.
/// `expected` is always the auditor's value (recomputed from the data and the protocol rules,
/// or the L1 record the data must match); `found` is what the batch or its commitment holds.
/// `block` and `tx` are nil when the divergence is not inside a block or a transaction.
public struct Divergence: Hashable, Sendable, CustomStringConvertible {
    public let batch: UInt64
    public let block: UInt64?
    public let tx: Int?
    /// The field that differs, e.g. `stateRoot`, `commitment.totalCredit`, `inbox[2].amount`.
    public let field: String
    public let expected: String
    public let found: String
    /// One sentence for a human, naming the likely cause where the check can tell.
    public let detail: String

    public init(batch: UInt64, block: UInt64? = nil, tx: Int? = nil, field: String, expected: String, found: String, detail: String = "") {
        self.batch = batch; self.block = block; self.tx = tx; self.field = field
        self.expected = expected; self.found = found; self.detail = detail
    }

    public var location: String {
        var s = "batch \(batch)"
        if let block { s += ", block \(block)" }
        if let tx { s += ", tx \(tx)" }
        return s
    }

    public var description: String {
        "\(location): \(field) differs: expected \(expected), found \(found)" + (detail.isEmpty ? "" : " (\(detail))")
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["batch": .number(String(batch)), "field": .string(field), "expected": .string(expected),
                                      "found": .string(found), "detail": .string(detail)]
        o["block"] = block.map { .number(String($0)) } ?? .null
        o["tx"] = tx.map { .number(String($0)) } ?? .null
        return .object(o)
    }
}

/// What a replay established: how far it got and the first divergence, if any. A replay stops
/// at the first divergence, because everything after it is built on a state it rejects.
public struct AuditReport: Hashable, Sendable {
    public var batches: UInt64 = 0
    public var blocks: UInt64 = 0
    public var transactions: UInt64 = 0
    public var inboxMessages: UInt64 = 0
    /// Range of batch indices checked (nil before the first).
    public var firstBatch: UInt64?
    public var lastBatch: UInt64?
    /// The head the replay reached: last good block, its hash and state root.
    public var headBlock: UInt64 = 0
    public var headHash: Hash32?
    public var stateRoot: Hash32?
    public var totalCredit: UInt256 = .zero
    public var totalBurned: UInt256 = .zero
    public var totalDeposited: UInt256 = .zero
    public var divergence: Divergence?
    /// Faults that do not make a batch wrong and do not stop the replay: a Signer ticket or
    /// proof paid on L1 above the replayed credit, an inbox message left out past the
    /// force-inclusion delay. Not a reason to challenge a batch.
    public var faults: [Fault] = []
    public var seconds: Double = 0

    public init() {}

    public var ok: Bool { divergence == nil && faults.isEmpty }

    public var json: JSONValue {
        func n(_ v: UInt64) -> JSONValue { .number(String(v)) }
        func opt(_ v: UInt64?) -> JSONValue { v.map(n) ?? .null }
        var o: [String: JSONValue] = [:]
        o["ok"] = .bool(ok)
        o["batches"] = n(batches)
        o["blocks"] = n(blocks)
        o["transactions"] = n(transactions)
        o["inboxMessages"] = n(inboxMessages)
        o["firstBatch"] = opt(firstBatch)
        o["lastBatch"] = opt(lastBatch)
        o["headBlock"] = n(headBlock)
        o["headHash"] = headHash.map { .string($0.description) } ?? .null
        o["stateRoot"] = stateRoot.map { .string($0.description) } ?? .null
        o["totalCredit"] = .string(totalCredit.description)
        o["totalBurned"] = .string(totalBurned.description)
        o["totalDeposited"] = .string(totalDeposited.description)
        o["divergence"] = divergence?.json ?? .null
        o["faults"] = .array(faults.map(\.json))
        o["seconds"] = .number(String(format: "%.3f", seconds))
        return .object(o)
    }

    /// The human summary the CLI prints.
    public var summary: String {
        let lines = faults.map { "FAULT (\($0.party)) at \($0.divergence.location): \($0.divergence.field): expected \($0.divergence.expected), found \($0.divergence.found)\n  \($0.divergence.detail)" }
        return (lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n") + chainSummary
    }

    var chainSummary: String {
        let range = firstBatch.map { "batches \($0)…\(lastBatch ?? $0)" } ?? "no batches"
        if let d = divergence {
            return "DIVERGENCE at \(d.location): \(d.field)\n  expected: \(d.expected)\n  found:    \(d.found)"
                + (d.detail.isEmpty ? "" : "\n  \(d.detail)")
                + "\nreplayed \(range) up to block \(headBlock) before it"
        }
        return "OK: \(range), \(blocks) blocks, \(transactions) transactions, \(inboxMessages) inbox messages agree with L1;"
            + " head block \(headBlock) \(headHash?.description ?? "-"), totalCredit \(totalCredit), totalBurned \(totalBurned)"
    }
}

/// A fault that is not a divergence of the posted chain: who is at fault, and where.
public struct Fault: Hashable, Sendable {
    public enum Party: String, Sendable, CustomStringConvertible {
        case signer, sequencer
        public var description: String { rawValue }
    }

    public let party: Party
    public let divergence: Divergence

    public init(party: Party, divergence: Divergence) { self.party = party; self.divergence = divergence }

    public var json: JSONValue {
        guard case .object(var o) = divergence.json else { return divergence.json }
        o["party"] = .string(party.rawValue)
        return .object(o)
    }
}
