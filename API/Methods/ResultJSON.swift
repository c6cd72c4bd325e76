import Core
import Sequencer

/// How results are written (docs/API.md, as Ethereum's JSON-RPC does): quantities as minimal
/// `0x`-hex, byte strings as `0x`-hex, addresses EIP-55 checksummed.
extension JSONValue {
    static func quantity(_ v: UInt256) -> JSONValue { .string(v.hexQuantity) }
    static func quantity(_ v: UInt64) -> JSONValue { .string(UInt256(v).hexQuantity) }
    static func data(_ b: Bytes) -> JSONValue { .string(b.hex) }
    static func data(_ h: Hash32) -> JSONValue { .string(h.bytes.hex) }
    static func address(_ a: Address) -> JSONValue { .string(a.checksummed) }
}

/// The JSON views of chain objects returned by the methods.
enum ResultJSON {
    static func header(_ h: BlockHeader) -> [String: JSONValue] {
        ["number": .quantity(h.number), "parentHash": .data(h.parentHash), "timestamp": .quantity(h.timestamp),
         "txRoot": .data(h.txRoot), "stateRoot": .data(h.stateRoot), "settlementRoot": .data(h.settlementRoot),
         "inboxCursor": .quantity(h.inboxCursor), "txCount": .quantity(h.txCount), "hash": .data(h.hash)]
    }

    /// A sequenced transaction: its wire form (what the sender signed) plus sender, hash,
    /// position and outcome.
    static func transaction(_ tx: L2Transaction, block: UInt64, receipt: TxReceipt) -> JSONValue {
        var o = tx.envelope.json.objectValue!
        o["sender"] = .address(tx.sender)
        o["hash"] = .data(tx.hash)
        o["blockNumber"] = .quantity(block)
        o["index"] = .quantity(UInt64(receipt.index))
        o["success"] = .bool(receipt.success)
        o["failure"] = failure(receipt.failure)
        return .object(o)
    }

    static func failure(_ f: FailureCode?) -> JSONValue { f.map { .int(Int($0.rawValue)) } ?? .null }

    static func inbox(_ m: InboxMessage, failure f: FailureCode?) -> JSONValue {
        .object(["index": .quantity(m.index), "kind": .string(m.kind == .deposit ? "deposit" : "cancel"),
                 "account": .address(m.account), "amount": .quantity(m.amount), "jobId": .data(m.jobId.bytes),
                 "l1Block": .quantity(m.l1Block), "failure": failure(f)])
    }

    /// A block without its transactions and inbox messages: header fields, hash and the
    /// Signer's signature (the `newHeads` notification).
    static func head(_ b: SealedBlock) -> JSONValue {
        var o = header(b.header)
        o["signature"] = .data(b.signature)
        return .object(o)
    }

    /// The receipt of a sequenced transaction (`emeth_getTransactionReceipt` and the
    /// `receipts` notification): "sequenced", or "committed"/"final" once L1 holds its batch.
    static func receipt(hash: Hash32, block: UInt64, receipt r: TxReceipt, sender: Address, batch: BatchStatus?) -> JSONValue {
        var o: [String: JSONValue] = [
            "hash": .data(hash), "status": .string("sequenced"), "blockNumber": .quantity(block), "index": .quantity(UInt64(r.index)),
            "success": .bool(r.success), "failure": failure(r.failure), "sender": .address(sender), "batchIndex": .null, "l1TxHash": .null,
        ]
        if let batch {
            o["batchIndex"] = .quantity(batch.index)
            if let l1 = batch.l1TxHash {
                o["l1TxHash"] = .data(l1)
                o["status"] = .string(batch.final ? "final" : "committed")
            }
        }
        return .object(o)
    }

    /// A batch and where it stands on L1 (`emeth_listBatches` and the `batches` notification):
    /// posted (sent, not yet mined), committed, final, or challenged (at or after the batch L1
    /// dropped, while the poster is halted).
    static func batch(_ b: BatchStatus, challengedAt: UInt64?) -> JSONValue {
        let status = challengedAt.map { b.index >= $0 } == true ? "challenged" : b.final ? "final" : b.l1TxHash == nil ? "posted" : "committed"
        return .object(["index": .quantity(b.index), "firstBlock": .quantity(b.firstBlock), "lastBlock": .quantity(b.lastBlock),
                        "status": .string(status), "l1TxHash": b.l1TxHash.map { .data($0) } ?? .null])
    }

    static func block(_ b: SealedBlock, fullTxs: Bool) -> JSONValue {
        var o = header(b.header)
        o["signature"] = .data(b.signature)
        o["transactions"] = .array(zip(b.transactions, b.receipts).map { tx, r in
            fullTxs ? transaction(tx, block: b.number, receipt: r) : .data(tx.hash)
        })
        o["inbox"] = .array(zip(b.inbox, b.inboxFailures).map { inbox($0, failure: $1) })
        return .object(o)
    }

    static func account(_ address: Address, _ a: Account) -> JSONValue {
        .object(["address": .address(address), "balance": .quantity(a.balance), "nonce": .quantity(a.nonce),
                 "credit": .quantity(a.credit)])
    }

    /// Every job field of docs/PROTOCOL.md §3 / PROTOCOL §3; `status` as its number, `statusName` for
    /// people reading it.
    static func job(_ j: Job) -> JSONValue {
        .object([
            "jobId": .data(j.id.bytes), "owner": .address(j.owner), "parentJob": .data(j.parentJob.bytes),
            "programId": .quantity(j.programId), "numParallel": .quantity(j.numParallel), "numEpoch": .quantity(j.numEpoch),
            "dataset": .data(j.dataset), "param": .data(j.param), "fuelLimit": .quantity(j.fuelLimit),
            "fuelPrice": .quantity(j.fuelPrice), "deadline": .quantity(j.deadline),
            "status": .int(Int(j.status.rawValue)), "statusName": .string(j.status.description),
            "node": .address(j.node), "fuelUsed": .quantity(j.fuelUsed), "result": .data(j.result),
            "escrow": .quantity(j.escrow), "nodeDeposit": .quantity(j.nodeDeposit),
            "childCount": .quantity(j.childCount), "verifiedChildren": .quantity(j.verifiedChildren),
            "createdAt": .quantity(j.createdAt), "updatedAt": .quantity(j.updatedAt),
        ])
    }

    static func ticket(_ t: Ticket) -> JSONValue {
        .object(["account": .address(t.account), "credit": .quantity(t.credit), "blockNumber": .quantity(t.blockNumber),
                 "signature": .data(t.signature)])
    }

    /// `emeth_getSettlementProof`'s result: the proof with its leaf, and where its batch stands.
    static func settlementProof(_ p: SettlementProof, final: Bool, l1TxHash: Hash32?) -> JSONValue {
        .object([
            "account": .address(p.account), "credit": .quantity(p.credit), "batchIndex": p.batchIndex.map(JSONValue.quantity) ?? .null,
            "firstBlock": .quantity(p.firstBlock), "lastBlock": .quantity(p.lastBlock),
            "root": .data(p.root), "leaf": .data(p.leaf), "proof": .array(p.proof.map { .data($0) }),
            "final": .bool(final), "l1TxHash": l1TxHash.map { .data($0) } ?? .null,
        ])
    }
}
