import Core

/// The storage encoding of a sealed block: RLP, with each transaction in its JSON wire form
/// (what the sender signed) plus the recovered sender and hash, so reading a block back never
/// re-runs signature recovery. Internal to the store; the L1 batch format is separate.
public enum BlockCodec {
    public enum Error: Swift.Error, CustomStringConvertible {
        case corrupt(String)
        public var description: String { switch self { case .corrupt(let m): return "corrupt stored block: \(m)" } }
    }

    public static func encode(_ b: SealedBlock) -> Bytes {
        RLP.encode(.list([
            .bytes(b.header.encoded),
            .bytes(b.signature),
            .list(b.inbox.map(encode)),
            .list(b.inboxFailures.map { .uint(UInt64($0?.rawValue ?? 0)) }),
            .list(b.transactions.map { tx in
                .list([.bytes(Array(L2Envelope(call: tx.call, nonce: tx.nonce, signature: tx.signature).json.serialized.utf8)),
                       .bytes(tx.sender.bytes), .bytes(tx.hash.bytes)])
            }),
            .list(b.receipts.map { .uint(UInt64($0.failure?.rawValue ?? 0)) }),
            .list(b.tickets.map(encode)),
        ]))
    }

    /// `[index, kind, account, amount, jobId, l1Block]`, plus the transaction bytes as a
    /// seventh item for a forced transaction (kind 3) only, so deposits and cancels keep the
    /// encoding they always had.
    public static func encode(_ m: InboxMessage) -> RLPItem {
        var f: [RLPItem] = [.uint(m.index), .uint(UInt64(m.kind.rawValue)), .bytes(m.account.bytes), .uint(m.amount),
                            .bytes(m.jobId.bytes), .uint(m.l1Block)]
        if m.kind == .forcedTransaction { f.append(.bytes(m.data)) }
        return .list(f)
    }

    public static func encode(_ t: Ticket) -> RLPItem {
        .list([.bytes(t.account.bytes), .uint(t.credit), .uint(t.blockNumber), .bytes(t.signature)])
    }

    public static func decode(_ bytes: Bytes) throws -> SealedBlock {
        let f = try RLP.decode(bytes).listValue("block")
        guard f.count == 7 else { throw Error.corrupt("expected 7 fields, found \(f.count)") }
        let header = try BlockHeader.decode(try f[0].bytesValue("header"))
        let inbox = try f[2].listValue("inbox").map(decodeInbox)
        let inboxFailures = try f[3].listValue("inbox failures").map { try failure(try $0.uint64Value("failure")) }
        var txs: [L2Transaction] = []
        for item in try f[4].listValue("transactions") {
            let t = try item.listValue("transaction")
            guard t.count == 3 else { throw Error.corrupt("transaction with \(t.count) fields") }
            let env = try L2Envelope.parse(try JSONValue.parse(String(decoding: try t[0].bytesValue("wire"), as: UTF8.self)))
            txs.append(L2Transaction(call: env.call, nonce: env.nonce, sender: try Address(bytes: try t[1].bytesValue("sender")),
                                     hash: try Hash32(bytes: try t[2].bytesValue("hash")), signature: env.signature))
        }
        let failures = try f[5].listValue("receipts").map { try failure(try $0.uint64Value("failure")) }
        guard failures.count == txs.count, inboxFailures.count == inbox.count else { throw Error.corrupt("receipt count mismatch") }
        let receipts = txs.enumerated().map { TxReceipt(hash: $1.hash, index: UInt32($0), failure: failures[$0]) }
        let tickets = try f[6].listValue("tickets").map { item -> Ticket in
            let t = try item.listValue("ticket")
            guard t.count == 4 else { throw Error.corrupt("ticket with \(t.count) fields") }
            return Ticket(account: try Address(bytes: try t[0].bytesValue("account")), credit: try t[1].uint256Value("credit"),
                          blockNumber: try t[2].uint64Value("blockNumber"), signature: try t[3].bytesValue("signature"))
        }
        return SealedBlock(header: header, signature: try f[1].bytesValue("signature"), inbox: inbox, inboxFailures: inboxFailures,
                           transactions: txs, receipts: receipts, tickets: tickets)
    }

    static func decodeInbox(_ item: RLPItem) throws -> InboxMessage {
        let m = try item.listValue("inbox message")
        let code = try m.count > 1 ? m[1].uint64Value("kind") : 0
        guard code <= UInt64(UInt8.max), let kind = InboxMessage.Kind(rawValue: UInt8(code)) else {
            throw Error.corrupt("inbox message of unknown kind \(code)")
        }
        let fields = kind == .forcedTransaction ? 7 : 6
        guard m.count == fields else { throw Error.corrupt("inbox message of kind \(code) with \(m.count) fields, not \(fields)") }
        let data = kind == .forcedTransaction ? try m[6].bytesValue("forced transaction") : []
        guard data.count <= InboxMessage.maxForcedTransactionBytes else {
            throw Error.corrupt("forced transaction of \(data.count) bytes, over \(InboxMessage.maxForcedTransactionBytes)")
        }
        return InboxMessage(index: try m[0].uint64Value("index"), kind: kind, account: try Address(bytes: try m[2].bytesValue("account")),
                            amount: try m[3].uint256Value("amount"), jobId: try JobID(bytes: try m[4].bytesValue("jobId")),
                            l1Block: try m[5].uint64Value("l1Block"), data: data)
    }

    static func failure(_ code: UInt64) throws -> FailureCode? {
        if code == 0 { return nil }
        guard let f = FailureCode(rawValue: UInt16(truncatingIfNeeded: code)), code <= UInt64(UInt16.max) else {
            throw Error.corrupt("failure code \(code)")
        }
        return f
    }
}
