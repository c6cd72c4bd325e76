import Core
import Foundation
import Sequencer

/// One batch as the auditor takes it: the `commitBatch` arguments read back from L1 calldata,
/// the `dataHash` the contract logged for it (the binding the data must match), and where it
/// was found on L1. This is both the replay input and the archive's per-batch file.
public struct ArchivedBatch: Hashable, Sendable {
    public let commitment: BatchCommitment
    /// `keccak256(data)` as logged in `BatchCommitted` (or, for an export from a sequencer's
    /// own store, as computed at export).
    public let dataHash: Hash32
    /// The L1 transaction and block that carried it (empty / 0 for a store export).
    public let l1TxHash: Bytes
    public let l1Block: UInt64

    public init(commitment: BatchCommitment, dataHash: Hash32? = nil, l1TxHash: Bytes = [], l1Block: UInt64 = 0) {
        self.commitment = commitment
        self.dataHash = dataHash ?? commitment.dataHash
        self.l1TxHash = l1TxHash; self.l1Block = l1Block
    }

    public var index: UInt64 { commitment.batchIndex }

    public enum DecodeError: Error, CustomStringConvertible {
        case field(String, String)
        public var description: String {
            switch self { case .field(let f, let why): return "archived batch: \(f): \(why)" }
        }
    }

    public var json: JSONValue {
        let c = commitment
        return .object([
            "batchIndex": .number(String(c.batchIndex)), "l1TxHash": .string(l1TxHash.hex), "l1Block": .number(String(l1Block)),
            "firstBlock": .number(String(c.firstBlock)), "lastBlock": .number(String(c.lastBlock)),
            "lastBlockHash": .string(c.lastBlockHash.description), "stateRoot": .string(c.stateRoot.description),
            "settlementRoot": .string(c.settlementRoot.description), "totalCredit": .string(c.totalCredit.description),
            "totalBurned": .string(c.totalBurned.description), "inboxCursor": .number(String(c.inboxCursor)),
            "dataHash": .string(dataHash.description), "data": .string(c.data.hex),
        ])
    }

    public init(json: JSONValue) throws {
        func text(_ k: String) throws -> String {
            switch json[k] {
            case .string(let s)?, .number(let s)?: return s
            default: throw DecodeError.field(k, "missing or not a string")
            }
        }
        func u64(_ k: String) throws -> UInt64 {
            guard let v = UInt64(try text(k)) else { throw DecodeError.field(k, "not a 64-bit number") }
            return v
        }
        func u256(_ k: String) throws -> UInt256 {
            do { return try UInt256(parsing: try text(k)) } catch { throw DecodeError.field(k, "\(error)") }
        }
        func bytes(_ k: String) throws -> Bytes {
            do { return try Hex.decode(try text(k)) } catch { throw DecodeError.field(k, "\(error)") }
        }
        func h(_ k: String) throws -> Hash32 {
            do { return try Hash32(bytes: try bytes(k)) } catch let e as DecodeError { throw e } catch { throw DecodeError.field(k, "\(error)") }
        }
        let c = BatchCommitment(batchIndex: try u64("batchIndex"), firstBlock: try u64("firstBlock"), lastBlock: try u64("lastBlock"),
                                lastBlockHash: try h("lastBlockHash"), stateRoot: try h("stateRoot"), settlementRoot: try h("settlementRoot"),
                                totalCredit: try u256("totalCredit"), totalBurned: try u256("totalBurned"),
                                inboxCursor: try u64("inboxCursor"), data: try bytes("data"))
        self.init(commitment: c, dataHash: try h("dataHash"), l1TxHash: try bytes("l1TxHash"), l1Block: try u64("l1Block"))
    }
}

/// Inbox messages as JSON (the archive's `inbox.json`), so an archive-only replay can check
/// every block's inbox against what L1 logged.
public enum InboxJSON {
    public static func encode(_ m: InboxMessage) -> JSONValue {
        .object(["index": .number(String(m.index)), "kind": .number(String(m.kind.rawValue)), "account": .string(m.account.checksummed),
                 "amount": .string(m.amount.description), "jobId": .string(m.jobId.description), "l1Block": .number(String(m.l1Block))])
    }

    public static func decode(_ j: JSONValue) throws -> InboxMessage {
        func text(_ k: String) throws -> String {
            switch j[k] {
            case .string(let s)?, .number(let s)?: return s
            default: throw ArchivedBatch.DecodeError.field("inbox.\(k)", "missing")
            }
        }
        guard let index = UInt64(try text("index")), let raw = UInt8(try text("kind")), let kind = InboxMessage.Kind(rawValue: raw),
              let l1Block = UInt64(try text("l1Block")) else {
            throw ArchivedBatch.DecodeError.field("inbox", "index, kind or l1Block is not valid")
        }
        do {
            return InboxMessage(index: index, kind: kind, account: try Address(try text("account")), amount: try UInt256(parsing: try text("amount")),
                                jobId: try JobID(hex: try text("jobId")), l1Block: l1Block)
        } catch let e as ArchivedBatch.DecodeError { throw e } catch { throw ArchivedBatch.DecodeError.field("inbox[\(index)]", "\(error)") }
    }
}
