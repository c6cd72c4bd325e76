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
}
