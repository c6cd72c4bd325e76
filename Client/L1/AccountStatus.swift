import Bridge
import Core
import Foundation
import Sequencer

/// One account seen from both layers (`emeth status`): its L2 balance and credit, what L1 has
/// paid it and what a ticket would pay now, and how far batches have got on L1.
public struct AccountStatus: Sendable {
    public let account: Address
    /// nil when the sequencer's API cannot be reached (L1 is still shown).
    public let l2: Account?
    public let claimed: UInt256
    public let l1Balance: UInt256
    public let ticket: Ticket?
    public let batches: Batches?

    public struct Batches: Sendable {
        public let count: UInt64
        public let latest: RollupContract.Batch
        public let lastFinal: UInt64?
        /// Batches within the challenge period.
        public var pending: UInt64 { count - (lastFinal.map { $0 + 1 } ?? 0) }
    }

    public static func read(_ account: Address, rollup: RollupContract, token: Address, l2: L2Client) async throws -> AccountStatus {
        let claimed = try await rollup.claimed(account)
        let balance = try await rollup.tokenBalance(account, token: token)
        let count = try await rollup.batchCount()
        var batches: Batches?
        if count > 0 {
            batches = Batches(count: count, latest: try await rollup.batch(count - 1), lastFinal: try await rollup.lastFinalBatch())
        }
        return AccountStatus(account: account, l2: try? await l2.account(account), claimed: claimed, l1Balance: balance,
                             ticket: (try? await l2.ticket(account)) ?? nil, batches: batches)
    }

    /// The lines `emeth status` prints.
    public var lines: [String] {
        var out = ["account      \(account.checksummed)"]
        if let a = l2 {
            out += ["L2 balance   \(Amount.format(a.balance))", "L2 credit    \(Amount.format(a.credit))   (nonce \(a.nonce))"]
        } else {
            out.append("L2           (API unreachable)")
        }
        out += ["L1 claimed   \(Amount.format(claimed))", "L1 EMT       \(Amount.format(l1Balance))"]
        if let t = ticket {
            let now = t.credit > claimed ? t.credit - claimed : .zero
            out.append("claimable    \(Amount.format(now)) now with the ticket of block \(t.blockNumber)")
        }
        guard let b = batches else { return out + ["batches      none on L1 yet"] }
        out.append("batches      \(b.count) on L1, latest \(b.latest.batchIndex) (blocks \(b.latest.firstBlock)–\(b.latest.lastBlock)); "
                   + (b.lastFinal.map { "final up to \($0)" } ?? "none final yet") + "; \(b.pending) within the challenge period")
        return out
    }
}
