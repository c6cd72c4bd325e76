import Core

/// The L1 batch data format (docs/PROTOCOL.md §7, a pinned interface):
///
///     data    = 0x01 ‖ zstd(RLP([firstBlock, [block, …]]))
///     block   = [parentHash, timestamp, txRoot, stateRoot, settlementRoot, inboxCursor,
///                signature, [inbox, …], [tx, …]]
///     inbox   = [index, kind, account, amount, jobId, l1Block] (+ [tx bytes] for kind 3)
///     tx      = [type, nonce, …the call's fields in the order of its EIP-712 type…, signature]
///               (`L2Envelope.rlp`, from the schema table `L2TxSchema`)
///
/// Block numbers follow from `firstBlock`, txCount from the list; senders are recovered from
/// the signatures and receipts, tickets and roots are recomputed by whoever replays — the
/// data carries exactly what cannot be derived, so an auditor with L1 alone can rebuild all.
/// `type` is `L2TxType`'s code: RegisterJob = 1 … Withdraw = 11, in docs/PROTOCOL.md §2's order.
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

    /// A block as the batch carries it.
    public struct Block: Hashable, Sendable {
        public let header: BlockHeader
        public let signature: Bytes
        public let inbox: [InboxMessage]
        public let transactions: [L2Envelope]

        public init(header: BlockHeader, signature: Bytes, inbox: [InboxMessage], transactions: [L2Envelope]) {
            self.header = header; self.signature = signature; self.inbox = inbox; self.transactions = transactions
        }

        public init(_ b: SealedBlock) {
            self.init(header: b.header, signature: b.signature, inbox: b.inbox, transactions: b.transactions.map(\.envelope))
        }
    }

    // MARK: Encoding

    public static func encode(_ blocks: [Block], level: Int32 = 19) throws -> Bytes {
        [version] + (try Zstd.compress(try payload(blocks), level: level))
    }

    /// Whether `encode(blocks, level:)` is longer than `limit` bytes, without compressing
    /// further than it takes to know (`Zstd.compressedSize(of:exceeds:level:)`).
    public static func encodedSize(of blocks: [Block], exceeds limit: Int, level: Int32 = 19) throws -> Bool {
        try Zstd.compressedSize(of: try payload(blocks), exceeds: limit - 1, level: level)
    }

    /// What is compressed: the first block's number and the blocks, as RLP.
    static func payload(_ blocks: [Block]) throws -> Bytes {
        guard let first = blocks.first else { throw Error.malformed("a batch holds at least one block") }
        return RLP.encode(.list([.uint(first.header.number), .list(blocks.map(encode))]))
    }

    static func encode(_ b: Block) -> RLPItem {
        let h = b.header
        return .list([.bytes(h.parentHash.bytes), .uint(h.timestamp), .bytes(h.txRoot.bytes), .bytes(h.stateRoot.bytes),
                      .bytes(h.settlementRoot.bytes), .uint(h.inboxCursor), .bytes(b.signature),
                      .list(b.inbox.map(BlockCodec.encode)), .list(b.transactions.map(\.rlp))])
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
    public static func encodedSize(_ tx: L2Transaction) -> Int { tx.encoded.count }

    /// What inbox message `m` adds to a batch before compression.
    public static func encodedSize(_ m: InboxMessage) -> Int { RLP.encode(BlockCodec.encode(m)).count }

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
        let txs = try f[8].listValue("\(w) transactions").enumerated().map { try L2Envelope(rlp: $1, where: "\(w) transaction \($0)") }
        let header = BlockHeader(number: number, parentHash: try hash(f[0], "\(w) parentHash"), timestamp: try f[1].uint64Value("\(w) timestamp"),
                                 txRoot: try hash(f[2], "\(w) txRoot"), stateRoot: try hash(f[3], "\(w) stateRoot"),
                                 settlementRoot: try hash(f[4], "\(w) settlementRoot"), inboxCursor: try f[5].uint64Value("\(w) inboxCursor"),
                                 txCount: UInt64(txs.count))
        let signature = try f[6].bytesValue("\(w) signature")
        guard signature.count == 65 else { throw Error.malformed("\(w): signature has \(signature.count) bytes, not 65") }
        return Block(header: header, signature: signature, inbox: inbox, transactions: txs)
    }

    static func hash(_ item: RLPItem, _ what: String) throws -> Hash32 {
        let b = try item.bytesValue(what)
        guard b.count == 32 else { throw Error.malformed("\(what) has \(b.count) bytes, not 32") }
        return Hash32(unchecked: b)
    }
}
