import Bridge
import Core
import Foundation
import Sequencer

/// Taking an account's L2 credit to L1 (`emeth claim`): what L1 would pay and the call that
/// pays it, by Signer ticket (at once, for a committed block) or by Merkle proof against a
/// final batch (trusting no signer). Each refusal is checked here, against L1, before any gas
/// is spent, and said as a sentence that tells the user what to do.
public struct L1Claims: Sendable {
    public let rollup: RollupContract

    public init(rollup: RollupContract) { self.rollup = rollup }

    /// What a claim would do: pay `amount` (= credit − claimed, zero when nothing is due) to
    /// `account` with `call`, described by `via`.
    public struct Plan: Sendable, Equatable {
        public let account: Address
        public let credit: UInt256
        public let claimed: UInt256
        public let call: Bytes
        public let via: String
        public var amount: UInt256 { credit > claimed ? credit - claimed : .zero }
    }

    /// The claim by the Signer's ticket. L1 pays a ticket only once its block is committed (so
    /// an auditor can check it); with `commitTimeout` > 0 this waits for that, reporting the
    /// wait through `progress`, rather than build a claim that reverts.
    public func byTicket(_ ticket: Ticket?, account: Address, commitTimeout: UInt64,
                         progress: (String) -> Void = { _ in }) async throws -> Plan {
        guard let t = ticket else {
            throw ClientError(.invalidInput, "the sequencer has no ticket for \(account.checksummed): nothing was credited yet")
        }
        try await awaitCommitted(block: t.blockNumber, timeout: commitTimeout, progress: progress)
        let call = try RollupContract.claimWithTicket.encodeCall([.address(account), .uint(t.credit), .uint(UInt256(t.blockNumber)), .bytes(t.signature)])
        return Plan(account: account, credit: t.credit, claimed: try await rollup.claimed(account), call: call,
                    via: "ticket of block \(t.blockNumber)")
    }

    /// The claim by Merkle proof: the proof's root must be its batch's settlement root on L1,
    /// and the batch final.
    public func byProof(_ p: SettlementProof, account: Address) async throws -> Plan {
        guard p.account == account else {
            throw ClientError(.invalidInput, "the proof is for \(p.account.checksummed), not \(account.checksummed)")
        }
        guard let index = p.batchIndex else {
            throw ClientError(.invalidInput, "the proof names no batch (batchIndex is null): L1 pays proofs against a batch")
        }
        let batch = try await rollup.batch(index)
        guard batch.settlementRoot == p.root else {
            throw ClientError(.invalidInput, "the proof's root \(p.root.bytes.hex) is not batch \(index)'s settlement root on L1 (\(batch.settlementRoot))")
        }
        guard batch.final else {
            throw ClientError(.invalidInput, "batch \(index) is not final until L1 time \(batch.finalAt); claim with a ticket now, or wait")
        }
        let call = try RollupContract.claim.encodeCall([.address(account), .uint(p.credit), .uint(UInt256(index)),
                                                        .array(p.proof.map { .fixedBytes($0.bytes) })])
        return Plan(account: account, credit: p.credit, claimed: try await rollup.claimed(account), call: call,
                    via: "proof against batch \(index)")
    }

    /// Waits until L1 has committed `block`, polling every half second for at most `timeout`
    /// seconds (0: do not wait, refuse at once).
    public func awaitCommitted(block: UInt64, timeout: UInt64, progress: (String) -> Void = { _ in }) async throws {
        var head = try await rollup.nextBlock() - 1
        guard head < block else { return }
        guard timeout > 0 else {
            throw ClientError(.timeout, "block \(block) is not committed on L1 yet (committed up to block \(head)): L1 pays a ticket once its block is committed; retry shortly")
        }
        progress("waiting for block \(block) to be committed on L1 (committed up to block \(head))")
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while head < block {
            guard Date() < deadline else {
                throw ClientError(.timeout, "block \(block) is still not committed on L1 after \(timeout) s (committed up to block \(head)); is the batch poster running?")
            }
            try await Task.sleep(nanoseconds: 500_000_000)
            head = try await rollup.nextBlock() - 1
        }
    }
}
