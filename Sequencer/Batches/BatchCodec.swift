import Core

/// The L1 batch data format (docs/PROTOCOL.md §7, a pinned interface):
///
///     data    = 0x01 ‖ zstd(RLP([firstBlock, [block, …]]))
///     block   = [parentHash, timestamp, txRoot, stateRoot, settlementRoot, inboxCursor,
///                signature, [inbox, …], [tx, …]]
///     inbox   = [index, kind, account, amount, jobId, l1Block] (+ [tx bytes] for kind 3)
///     tx      = [type, nonce, …the call's fields in the order of its EIP-712 type…, signature]
///
/// Block numbers follow from `firstBlock`, txCount from the list; senders are recovered from
/// the signatures and receipts, tickets and roots are recomputed by whoever replays — the
/// data carries exactly what cannot be derived, so an auditor with L1 alone can rebuild all.
/// `type` numbers the calls in docs/PROTOCOL.md §2's order: RegisterJob = 1 … Withdraw = 11.
public enum BatchCodec {
    public static let version: UInt8 = 1
    /// Decompression bound: L1 calldata is untrusted, so a small input may not claim a huge output.
    public static let maxDecodedSize = 64 << 20

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case empty
        case unknownVersion(UInt8)
        case malformed(String)

        public var description: String {
            switch self {
            case .empty: return "batch data is empty"
            case .unknownVersion(let v): return "batch data version \(v) is not known (this build reads version \(BatchCodec.version))"
            case .malformed(let m): return "malformed batch data: \(m)"
            }
        }
    }

    /// A transaction as the batch carries it: what was signed, and the signature.
    public struct Transaction: Hashable, Sendable {
        public let call: L2Call
        public let nonce: UInt64
        public let signature: Bytes

        public init(call: L2Call, nonce: UInt64, signature: Bytes) { self.call = call; self.nonce = nonce; self.signature = signature }

        public var envelope: L2Envelope { L2Envelope(call: call, nonce: nonce, signature: signature) }
    }

    /// A block as the batch carries it.
    public struct Block: Hashable, Sendable {
        public let header: BlockHeader
        public let signature: Bytes
        public let inbox: [InboxMessage]
        public let transactions: [Transaction]

        public init(header: BlockHeader, signature: Bytes, inbox: [InboxMessage], transactions: [Transaction]) {
            self.header = header; self.signature = signature; self.inbox = inbox; self.transactions = transactions
        }

        public init(_ b: SealedBlock) {
            self.init(header: b.header, signature: b.signature, inbox: b.inbox,
                      transactions: b.transactions.map { Transaction(call: $0.call, nonce: $0.nonce, signature: $0.signature) })
        }
    }

    // MARK: Encoding

    public static func encode(_ blocks: [Block], level: Int32 = 19) throws -> Bytes {
        guard let first = blocks.first else { throw Error.malformed("a batch holds at least one block") }
        let payload = RLP.encode(.list([.uint(first.header.number), .list(blocks.map(encode))]))
        return [version] + (try Zstd.compress(payload, level: level))
    }

    static func encode(_ b: Block) -> RLPItem {
        let h = b.header
        return .list([.bytes(h.parentHash.bytes), .uint(h.timestamp), .bytes(h.txRoot.bytes), .bytes(h.stateRoot.bytes),
                      .bytes(h.settlementRoot.bytes), .uint(h.inboxCursor), .bytes(b.signature),
                      .list(b.inbox.map(BlockCodec.encode)), .list(b.transactions.map(encode))])
    }

    static func encode(_ tx: Transaction) -> RLPItem {
        var f: [RLPItem] = [.uint(UInt64(typeCode(tx.call))), .uint(tx.nonce)]
        switch tx.call {
        case .registerJob(let r):
            f += [.bytes(r.jobId.bytes), .bytes(r.parentJob.bytes), .uint(r.programId), .uint(r.numParallel), .uint(r.numEpoch),
                  .bytes(r.dataset.bytes), .bytes(r.param.bytes), .uint(r.fuelLimit), .uint(r.fuelPrice), .uint(r.deadline)]
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id):
            f.append(.bytes(id.bytes))
        case .submit(let id, let result, let fuelUsed):
            f += [.bytes(id.bytes), .bytes(result.bytes), .uint(fuelUsed)]
        case .split(let s):
            f += [.bytes(s.parentJob.bytes), .list(s.jobIds.map { .bytes($0.bytes) }), .list(s.datasets.map { .bytes($0.bytes) }),
                  .list(s.fuelLimits.map { .uint($0) })]
        case .aggregate(let parent, let result):
            f += [.bytes(parent.bytes), .bytes(result.bytes)]
        case .withdraw(let amount):
            f.append(.uint(amount))
        }
        f.append(.bytes(tx.signature))
        return .list(f)
    }

    /// Bytes a batch spends on a block besides its inbox messages and transactions: the
    /// header fields and signature with their RLP prefixes (231 at most), plus the batch's own
    /// wrapper `[firstBlock, [ … ]]` and version byte (20 at most), rounded up.
    public static let blockOverheadBytes = 256

    /// The largest raw (uncompressed) payload of one block's inbox messages and transactions
    /// such that a batch holding only that block is at most `maxData` bytes even when zstd
    /// cannot compress it at all: blocks sealed within it can always be posted.
    public static func blockPayloadBudget(maxData: Int) -> Int {
        var lo = 0, hi = maxData
        while lo < hi {  // the largest n with 1 + bound(n + overhead) ≤ maxData
            let mid = (lo + hi + 1) / 2
            if 1 + Zstd.bound(mid + blockOverheadBytes) <= maxData { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// What `tx` adds to a batch before compression.
    public static func encodedSize(_ tx: L2Transaction) -> Int {
        encodeTransaction(Transaction(call: tx.call, nonce: tx.nonce, signature: tx.signature)).count
    }

    /// What inbox message `m` adds to a batch before compression.
    public static func encodedSize(_ m: InboxMessage) -> Int { RLP.encode(BlockCodec.encode(m)).count }

    /// One transaction in its binary form, `RLP(tx)`: what `forceTransaction` carries on L1.
    public static func encodeTransaction(_ tx: Transaction) -> Bytes { RLP.encode(encode(tx)) }

    /// The inverse of `encodeTransaction`, for bytes that came from anyone on L1.
    public static func decodeTransaction(_ bytes: Bytes) throws -> Transaction {
        try decodeTx(try RLP.decode(bytes), where: "transaction")
    }

    static func typeCode(_ c: L2Call) -> UInt8 {
        switch c {
        case .registerJob: return 1
        case .cancelJob: return 2
        case .process: return 3
        case .decline: return 4
        case .submit: return 5
        case .verify: return 6
        case .reject: return 7
        case .timeout: return 8
        case .split: return 9
        case .aggregate: return 10
        case .withdraw: return 11
        }
    }

    // MARK: Decoding

    /// Decodes batch data. Checks the format and the blocks' internal links (consecutive
    /// numbers, each parentHash the previous block's hash); whether the roots are right is
    /// for a replay to say.
    public static func decode(_ data: Bytes) throws -> [Block] {
        guard let v = data.first else { throw Error.empty }
        guard v == version else { throw Error.unknownVersion(v) }
        let payload = try Zstd.decompress(Array(data.dropFirst()), maxSize: maxDecodedSize)
        let top = try RLP.decode(payload).listValue("batch")
        guard top.count == 2 else { throw Error.malformed("expected [firstBlock, blocks], found \(top.count) items") }
        let first = try top[0].uint64Value("firstBlock")
        let items = try top[1].listValue("blocks")
        guard !items.isEmpty else { throw Error.malformed("a batch holds at least one block") }
        guard UInt64(items.count - 1) <= UInt64.max - first else {
            throw Error.malformed("\(items.count) blocks from block \(first) run past the largest block number")
        }
        var blocks: [Block] = []
        blocks.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let number = first + UInt64(i)
            let b = try decodeBlock(item, number: number, where: "block \(number)")
            if i > 0, b.header.parentHash != blocks[i - 1].header.hash {
                throw Error.malformed("block \(number): parentHash is not the hash of block \(number - 1)")
            }
            blocks.append(b)
        }
        return blocks
    }

    static func decodeBlock(_ item: RLPItem, number: UInt64, where w: String) throws -> Block {
        let f = try item.listValue(w)
        guard f.count == 9 else { throw Error.malformed("\(w): expected 9 fields, found \(f.count)") }
        let inbox = try f[7].listValue("\(w) inbox").map(BlockCodec.decodeInbox)
        let txs = try f[8].listValue("\(w) transactions").enumerated().map { try decodeTx($1, where: "\(w) transaction \($0)") }
        let header = BlockHeader(number: number, parentHash: try hash(f[0], "\(w) parentHash"), timestamp: try f[1].uint64Value("\(w) timestamp"),
                                 txRoot: try hash(f[2], "\(w) txRoot"), stateRoot: try hash(f[3], "\(w) stateRoot"),
                                 settlementRoot: try hash(f[4], "\(w) settlementRoot"), inboxCursor: try f[5].uint64Value("\(w) inboxCursor"),
                                 txCount: UInt64(txs.count))
        let signature = try f[6].bytesValue("\(w) signature")
        guard signature.count == 65 else { throw Error.malformed("\(w): signature has \(signature.count) bytes, not 65") }
        return Block(header: header, signature: signature, inbox: inbox, transactions: txs)
    }

    static func decodeTx(_ item: RLPItem, where w: String) throws -> Transaction {
        let f = try item.listValue(w)
        guard f.count >= 4 else { throw Error.malformed("\(w): too few fields") }
        let type = try f[0].uint64Value("\(w) type")
        let nonce = try f[1].uint64Value("\(w) nonce")
        let body = Array(f[2..<(f.count - 1)])
        let signature = try f[f.count - 1].bytesValue("\(w) signature")
        guard signature.count == 65 else { throw Error.malformed("\(w): signature has \(signature.count) bytes, not 65") }
        func need(_ n: Int) throws {
            guard body.count == n else { throw Error.malformed("\(w): type \(type) has \(n) fields, found \(body.count)") }
        }
        func job(_ i: Int) throws -> JobID { try JobID(bytes: try body[i].bytesValue("\(w) jobId")) }
        func h(_ i: Int) throws -> Hash32 { try hash(body[i], "\(w) hash field") }
        func u(_ i: Int) throws -> UInt256 { try body[i].uint256Value("\(w) number field") }
        let call: L2Call
        switch type {
        case 1:
            try need(10)
            call = .registerJob(.init(jobId: try job(0), parentJob: try job(1), programId: try u(2), numParallel: try u(3), numEpoch: try u(4),
                                      dataset: try h(5), param: try h(6), fuelLimit: try u(7), fuelPrice: try u(8), deadline: try u(9)))
        case 2: try need(1); call = .cancelJob(jobId: try job(0))
        case 3: try need(1); call = .process(jobId: try job(0))
        case 4: try need(1); call = .decline(jobId: try job(0))
        case 5: try need(3); call = .submit(jobId: try job(0), result: try h(1), fuelUsed: try u(2))
        case 6: try need(1); call = .verify(jobId: try job(0))
        case 7: try need(1); call = .reject(jobId: try job(0))
        case 8: try need(1); call = .timeout(jobId: try job(0))
        case 9:
            try need(4)
            let ids = try body[1].listValue("\(w) jobIds").map { try JobID(bytes: try $0.bytesValue("\(w) jobId")) }
            let datasets = try body[2].listValue("\(w) datasets").map { try hash($0, "\(w) dataset") }
            let limits = try body[3].listValue("\(w) fuelLimits").map { try $0.uint256Value("\(w) fuelLimit") }
            call = .split(.init(parentJob: try job(0), jobIds: ids, datasets: datasets, fuelLimits: limits))
        case 10: try need(2); call = .aggregate(parentJob: try job(0), result: try h(1))
        case 11: try need(1); call = .withdraw(amount: try u(0))
        default: throw Error.malformed("\(w): unknown transaction type \(type)")
        }
        return Transaction(call: call, nonce: nonce, signature: signature)
    }

    static func hash(_ item: RLPItem, _ what: String) throws -> Hash32 {
        let b = try item.bytesValue(what)
        guard b.count == 32 else { throw Error.malformed("\(what) has \(b.count) bytes, not 32") }
        return Hash32(unchecked: b)
    }
}
