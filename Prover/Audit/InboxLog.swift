import Core
import Sequencer

/// The L1 inbox as the auditor knows it: every `InboxMessage` the rollup logged, by index.
/// Blocks must apply exactly these messages, in order, with no gap and no repeat.
public struct InboxLog: Sendable {
    public let messages: [InboxMessage]

    public enum Error: Swift.Error, CustomStringConvertible {
        case gap(position: Int, index: UInt64)
        public var description: String {
            switch self {
            case .gap(let p, let i): return "the L1 inbox log is not contiguous: message at position \(p) has index \(i)"
            }
        }
    }

    /// `messages` sorted by index; they must be exactly 0, 1, 2, … (a log scan that missed one
    /// would otherwise make a correct block look wrong).
    public init(_ messages: [InboxMessage]) throws {
        let sorted = messages.sorted { $0.index < $1.index }
        for (p, m) in sorted.enumerated() where m.index != UInt64(p) { throw Error.gap(position: p, index: m.index) }
        self.messages = sorted
    }

    public var count: UInt64 { UInt64(messages.count) }

    public func message(_ index: UInt64) -> InboxMessage? { index < count ? messages[Int(index)] : nil }

    /// Checks the inbox messages block `block` (of batch `batch`) applied: they must continue
    /// at `cursor` without gap or repeat, and each must be the L1 message of that index, field
    /// for field. The replay runs it on every posted block, a follower on every block it audits.
    public func check(_ applied: [InboxMessage], cursor: UInt64, batch: UInt64, block: UInt64) -> Divergence? {
        for (k, m) in applied.enumerated() {
            let want = cursor + UInt64(k)
            func d(_ field: String, _ e: String, _ f: String, _ detail: String = "") -> Divergence {
                Divergence(batch: batch, block: block, field: "inbox[\(k)].\(field)", expected: e, found: f, detail: detail)
            }
            guard m.index == want else {
                return d("index", String(want), String(m.index), m.index < want ? "inbox message \(m.index) was already applied" : "inbox messages \(want)…\(m.index - 1) were skipped")
            }
            guard let l1 = message(m.index) else {
                return d("index", "< \(count) (L1 inbox length)", String(m.index), "no such message on L1")
            }
            if l1.kind != m.kind { return d("kind", "\(l1.kind)", "\(m.kind)") }
            if l1.account != m.account { return d("account", l1.account.checksummed, m.account.checksummed) }
            if l1.amount != m.amount { return d("amount", l1.amount.description, m.amount.description) }
            if l1.jobId != m.jobId { return d("jobId", l1.jobId.description, m.jobId.description) }
            if l1.l1Block != m.l1Block { return d("l1Block", String(l1.l1Block), String(m.l1Block)) }
            if l1.data != m.data { return d("data", l1.data.hex, m.data.hex, "the forced transaction is not the one L1 logged") }
        }
        return nil
    }
}
