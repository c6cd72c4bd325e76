import Core
import Sequencer

/// Follows the L1 inbox (docs/PROTOCOL.md §3): reads `InboxMessage` events only from blocks with at
/// least `confirmations` confirmations, so reorgs shallower than that never reach the
/// sequencer, and stops with an error when one deeper than that is seen (the block it last
/// read changed hash) instead of guessing. The sequencer's inbox cursor says which message is
/// next, so after any restart every message is handed over exactly once and in index order;
/// the only state of its own is that deep-reorg anchor, kept in an `InboxAnchorStore` when one
/// is given, so a reorg that happens while the process is down is detected on restart.
/// Logs of another address or marked `removed` are dropped (`InboxLogs`).
public struct InboxWatcher: Sendable {
    public let rollup: RollupContract
    public let confirmations: UInt64
    /// Largest block range per `eth_getLogs` (providers cap it).
    public var maxLogRange: UInt64 = 2_000

    /// Where the last scan ended: the block and its hash (for the deep-reorg check).
    public private(set) var scanned: (number: UInt64, hash: Bytes)?
    /// Where `scanned` is persisted (nil: memory only).
    public let anchor: (any InboxAnchorStore)?

    public enum Error: Swift.Error, CustomStringConvertible {
        case deepReorg(block: UInt64, confirmations: UInt64)
        case gap(expected: UInt64, found: UInt64)
        case countMismatch(logs: UInt64, contract: UInt64, block: UInt64)

        public var description: String {
            switch self {
            case .deepReorg(let b, let c):
                return "L1 block \(b) changed after \(c) confirmations: a reorg deeper than the inbox confirmation depth; stopping the inbox."
                    + " Deposits already applied may no longer exist on L1: check them before going on (the anchor is kept in the chain store, so a restart stops here again)"
            case .gap(let e, let f): return "inbox message \(f) found where \(e) was expected: the L1 endpoint is missing logs"
            case .countMismatch(let l, let c, let b): return "inbox logs end at \(l) messages but the contract holds \(c) at block \(b): the L1 endpoint is missing logs"
            }
        }
    }

    public init(rollup: RollupContract, confirmations: UInt64) {
        self.rollup = rollup; self.confirmations = max(1, confirmations); self.anchor = nil
    }

    /// A watcher that resumes from (and keeps updating) the anchor in `anchor`.
    public init(rollup: RollupContract, confirmations: UInt64, anchor: any InboxAnchorStore) throws {
        self.rollup = rollup; self.confirmations = max(1, confirmations); self.anchor = anchor
        scanned = try anchor.load()
    }

    /// Messages `next, next+1, …` that are confirmed now (possibly none).
    public mutating func poll(next: UInt64) async throws -> [InboxMessage] {
        let head = try await rollup.eth.blockNumber()
        guard head + 1 >= confirmations else { return [] }
        let safe = head + 1 - confirmations
        if let s = scanned {
            let hash = try await rollup.eth.block(.number(s.number))?.hash
            guard hash == s.hash else { throw Error.deepReorg(block: s.number, confirmations: confirmations) }
        }
        let length = try await rollup.inboxLength(at: .number(safe))
        var found: [InboxMessage] = []
        if next < length {
            // Start at the block of message `next` (it may be before where the last scan ended
            // when the sequencer restarted and re-asks for what it had not sealed).
            var from = try await firstBlock(of: next, safe: safe)
            while from <= safe {
                let to = min(safe, from + maxLogRange - 1)
                found += try await InboxLogs(rollup: rollup).messages(from: from, to: to).map(\.message).filter { $0.index >= next }
                from = to + 1
            }
            found.sort { $0.index < $1.index }
            for (k, m) in found.enumerated() where m.index != next + UInt64(k) {
                throw Error.gap(expected: next + UInt64(k), found: m.index)
            }
            guard next + UInt64(found.count) == length else {
                throw Error.countMismatch(logs: next + UInt64(found.count), contract: length, block: safe)
            }
        }
        if let b = try await rollup.eth.block(.number(safe)), scanned?.number != safe || scanned?.hash != b.hash {
            try anchor?.save(number: safe, hash: b.hash)
            scanned = (safe, b.hash)
        }
        return found
    }

    /// The L1 block that logged message `index`, read from the contract (its inbox stores it).
    func firstBlock(of index: UInt64, safe: UInt64) async throws -> UInt64 {
        try await rollup.inboxPosition(index, at: .number(safe)).l1Block
    }
}
