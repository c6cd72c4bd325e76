import Core

/// The storage encoding of a sealed block (storage format 2, `ChainStore.formatVersion`):
///
///     block = RLP([header (its 256-byte ABI encoding), signature, [inbox, …], [inboxFailure, …],
///                  [[tx, sender, hash, failure], …], [ticket, …]])
///     tx    = the transaction's binary form (`L2Envelope.encoded`, as in batches), as one byte string
///     failure, inboxFailure = the failure code, 0 for success
///     ticket = [account, credit, blockNumber, signature]
///
/// Each transaction is kept with its recovered sender and hash, so reading a block back never
/// re-runs signature recovery or hashing, and in binary, so it never parses JSON. Internal to
/// the store: the L1 batch format (`BatchCodec`) is separate and pinned.
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
            .list(zip(b.transactions, b.receipts).map { tx, r in .list(encode(tx) + [.uint(UInt64(r.failure?.rawValue ?? 0))]) }),
            .list(b.tickets.map(encode)),
        ]))
    }

    /// `[tx, sender, hash]`: a transaction as the store keeps it (in blocks, with its failure
    /// code after it, and in the list of transactions a rollback dropped).
    static func encode(_ tx: L2Transaction) -> [RLPItem] {
        [.bytes(tx.encoded), .bytes(tx.sender.bytes), .bytes(tx.hash.bytes)]
    }

    /// The inverse of `encode(_: L2Transaction)`, from the first three of `f`.
    static func decodeTransaction(_ f: [RLPItem]) throws -> L2Transaction {
        guard f.count >= 3 else { throw Error.corrupt("transaction with \(f.count) fields") }
        let encoded = try f[0].bytesValue("transaction")
        return L2Transaction(envelope: try L2Envelope(encoded: encoded), sender: try f[1].addressValue("sender"),
                             hash: try Hash32(bytes: try f[2].bytesValue("hash")), encoded: encoded)
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
        let f = try fields(bytes)
        let header = try BlockHeader.decode(try f[0].bytesValue("header"))
        let inbox = try f[2].listValue("inbox").map(decodeInbox)
        let inboxFailures = try f[3].listValue("inbox failures").map { try failure(try $0.uint64Value("failure")) }
        guard inboxFailures.count == inbox.count else { throw Error.corrupt("\(inbox.count) inbox messages but \(inboxFailures.count) outcomes") }
        let items = try f[4].listValue("transactions")
        var txs: [L2Transaction] = [], receipts: [TxReceipt] = []
        txs.reserveCapacity(items.count)
        receipts.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let t = try item.listValue("transaction")
            guard t.count == 4 else { throw Error.corrupt("transaction \(i) with \(t.count) fields, not 4") }
            let tx = try decodeTransaction(t)
            txs.append(tx)
            receipts.append(TxReceipt(hash: tx.hash, index: UInt32(i), failure: try failure(try t[3].uint64Value("failure"))))
        }
        guard header.txCount == UInt64(txs.count) else { throw Error.corrupt("header says \(header.txCount) transactions, found \(txs.count)") }
        let tickets = try f[5].listValue("tickets").map { item -> Ticket in
            let t = try item.listValue("ticket")
            guard t.count == 4 else { throw Error.corrupt("ticket with \(t.count) fields") }
            return Ticket(account: try t[0].addressValue("account"), credit: try t[1].uint256Value("credit"),
                          blockNumber: try t[2].uint64Value("blockNumber"), signature: try t[3].bytesValue("signature"))
        }
        return SealedBlock(header: header, signature: try f[1].bytesValue("signature"), inbox: inbox, inboxFailures: inboxFailures,
                           transactions: txs, receipts: receipts, tickets: tickets)
    }

    /// Just the header, for opening the store.
    public static func header(_ bytes: Bytes) throws -> BlockHeader {
        try BlockHeader.decode(try fields(bytes)[0].bytesValue("header"))
    }

    /// The outcome and sender of transaction `index`, decoding no other part of the block (what
    /// a receipt needs; clients poll receipts, a few hundred per block).
    public static func receipt(_ bytes: Bytes, index: UInt32) throws -> (receipt: TxReceipt, sender: Address)? {
        // Field 4 is the transactions; only transaction `index` is decoded (`RLP.decode(_:at:)`).
        guard let item = try RLP.decode(bytes, at: [4, Int(index)]) else { return nil }
        let t = try item.listValue("transaction")
        guard t.count == 4 else { throw Error.corrupt("transaction \(index) with \(t.count) fields, not 4") }
        let hash = try Hash32(bytes: try t[2].bytesValue("hash"))
        return (TxReceipt(hash: hash, index: index, failure: try failure(try t[3].uint64Value("failure"))), try t[1].addressValue("sender"))
    }

    static func fields(_ bytes: Bytes) throws -> [RLPItem] {
        let f = try RLP.decode(bytes).listValue("block")
        guard f.count == 6 else { throw Error.corrupt("expected 6 fields, found \(f.count)") }
        return f
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
