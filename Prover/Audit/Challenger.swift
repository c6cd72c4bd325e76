import Bridge
import Core

/// Sends a guardian's `challenge(batchIndex)` for a batch the replay rejected — only while the
/// batch is live and not final (a final batch cannot be challenged; the contract would refuse
/// and the transaction would waste gas).
public struct Challenger: Sendable {
    public let rollup: RollupContract
    public let sender: L1Sender

    public init(rollup: RollupContract, sender: L1Sender) { self.rollup = rollup; self.sender = sender }

    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        /// Reverted: the batch and every later one (`batchCount` is now `batch`).
        case challenged(batch: UInt64, l1TxHash: Bytes)
        case alreadyFinal(batch: UInt64)
        /// The batch is no longer live (already challenged, or never committed).
        case notLive(batch: UInt64, batchCount: UInt64)

        public var description: String {
            switch self {
            case .challenged(let b, let h): return "challenged batch \(b): L1 transaction \(h.hex) reverted it and every later batch"
            case .alreadyFinal(let b): return "batch \(b) is already final: it can no longer be challenged"
            case .notLive(let b, let n): return "batch \(b) is not live (batchCount \(n)): nothing to challenge"
            }
        }
    }

    public func challenge(_ batch: UInt64) async throws -> Outcome {
        let count = try await rollup.batchCount()
        guard batch < count else { return .notLive(batch: batch, batchCount: count) }
        if try await rollup.isFinal(batch) { return .alreadyFinal(batch: batch) }
        let data = try RollupContract.challenge.encodeCall([.uint(UInt256(batch))])
        let receipt = try await sender.send(to: rollup.address, data: data, what: "challenge(\(batch))")
        return .challenged(batch: batch, l1TxHash: receipt.transactionHash)
    }
}
