import Core
import Sequencer

/// `emeth_listBatches`: where the newest batches stand on L1, from what the node's batch
/// poster knows (`BatchStatusProvider`).
extension L2API {
    /// The newest batches, newest first (`limit` 1–100, default 20), and the batch the poster
    /// halted at after a challenge (null while it posts).
    func listBatches(_ p: RPCParams) throws -> JSONValue {
        guard let batches else {
            throw RPCError.unavailable("no batch information: this node runs without the batch poster, so it learns of no batches")
        }
        let limit = try p.uint64("limit") ?? 20
        guard (1...100).contains(limit) else { throw RPCError.invalidParams("limit: must be between 1 and 100, got \(limit)") }
        let challenged = batches.challengedAtBatch
        return .object([
            "batches": .array(batches.recentBatches(limit: Int(limit)).map { ResultJSON.batch($0, challengedAt: challenged) }),
            "challengedAtBatch": challenged.map { .quantity($0) } ?? .null,
        ])
    }
}
