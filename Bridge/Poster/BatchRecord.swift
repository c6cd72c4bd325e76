import Core

/// What the poster decided and what became of it: one batch's block range, the transaction
/// that carries it, and its L1 status (docs/PROTOCOL.md §7; receipts report it as committed / final).
public struct BatchRecord: Hashable, Sendable {
    public enum Status: UInt8, Sendable, CustomStringConvertible {
        /// Range and calldata fixed and persisted; the transaction may not exist yet.
        case decided = 1
        /// Its transaction is signed and sent.
        case posted = 2
        /// Its transaction is confirmed on L1 and the contract holds the batch.
        case committed = 3
        /// Past the challenge period.
        case final = 4
        /// Reverted by a guardian's challenge, or its transaction failed: re-posted as a new record.
        case reverted = 5

        public var description: String {
            switch self {
            case .decided: return "decided"
            case .posted: return "posted"
            case .committed: return "committed"
            case .final: return "final"
            case .reverted: return "reverted"
            }
        }
    }

    public let index: UInt64
    public let firstBlock: UInt64
    public let lastBlock: UInt64
    /// The transaction manager's intent id (unique even when a reverted index is re-posted).
    public let txId: String
    public let calldata: Bytes
    public let dataBytes: Int
    public var status: Status
    public var l1TxHash: Bytes = []
    public var l1Block: UInt64 = 0
    public var gasUsed: UInt64 = 0
    public var decidedAtMs: UInt64

    init(index: UInt64, firstBlock: UInt64, lastBlock: UInt64, txId: String, calldata: Bytes, dataBytes: Int, decidedAtMs: UInt64) {
        self.index = index; self.firstBlock = firstBlock; self.lastBlock = lastBlock; self.txId = txId
        self.calldata = calldata; self.dataBytes = dataBytes; self.status = .decided; self.decidedAtMs = decidedAtMs
    }

    var encoded: Bytes {
        RLP.encode(.list([.uint(index), .uint(firstBlock), .uint(lastBlock), .bytes(Array(txId.utf8)), .bytes(calldata),
                          .uint(UInt64(dataBytes)), .uint(UInt64(status.rawValue)), .bytes(l1TxHash), .uint(l1Block), .uint(gasUsed),
                          .uint(decidedAtMs)]))
    }

    public init(encoded: Bytes) throws {
        let f = try RLP.decode(encoded).listValue("batch record")
        guard f.count == 11, let s = Status(rawValue: UInt8(truncatingIfNeeded: try f[6].uint64Value("status"))) else {
            throw BatchStoreError.corrupt("batch record")
        }
        index = try f[0].uint64Value("index"); firstBlock = try f[1].uint64Value("firstBlock"); lastBlock = try f[2].uint64Value("lastBlock")
        txId = String(decoding: try f[3].bytesValue("txId"), as: UTF8.self); calldata = try f[4].bytesValue("calldata")
        dataBytes = Int(try f[5].uint64Value("dataBytes")); status = s; l1TxHash = try f[7].bytesValue("l1TxHash")
        l1Block = try f[8].uint64Value("l1Block"); gasUsed = try f[9].uint64Value("gasUsed"); decidedAtMs = try f[10].uint64Value("decidedAt")
    }
}
