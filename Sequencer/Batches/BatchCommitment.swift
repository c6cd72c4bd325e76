import Core

/// One `commitBatch` call (docs/PROTOCOL.md §7): a range of sealed blocks, the roots and totals of its
/// last block, the batch settlementRoot, and the encoded blocks as `data`.
public struct BatchCommitment: Hashable, Sendable {
    public let batchIndex: UInt64
    public let firstBlock: UInt64
    public let lastBlock: UInt64
    public let lastBlockHash: Hash32
    public let stateRoot: Hash32
    public let settlementRoot: Hash32
    public let totalCredit: UInt256
    public let totalBurned: UInt256
    public let inboxCursor: UInt64
    public let data: Bytes

    public init(batchIndex: UInt64, firstBlock: UInt64, lastBlock: UInt64, lastBlockHash: Hash32, stateRoot: Hash32,
                settlementRoot: Hash32, totalCredit: UInt256, totalBurned: UInt256, inboxCursor: UInt64, data: Bytes) {
        self.batchIndex = batchIndex; self.firstBlock = firstBlock; self.lastBlock = lastBlock; self.lastBlockHash = lastBlockHash
        self.stateRoot = stateRoot; self.settlementRoot = settlementRoot; self.totalCredit = totalCredit
        self.totalBurned = totalBurned; self.inboxCursor = inboxCursor; self.data = data
    }

    public static let function = try! ABIFunction(signature:
        "commitBatch(uint256,uint256,uint256,bytes32,bytes32,bytes32,uint256,uint256,uint256,bytes)")

    /// The L1 calldata of `commitBatch`.
    public var calldata: Bytes {
        try! Self.function.encodeCall([
            .uint(UInt256(batchIndex)), .uint(UInt256(firstBlock)), .uint(UInt256(lastBlock)), .fixedBytes(lastBlockHash.bytes),
            .fixedBytes(stateRoot.bytes), .fixedBytes(settlementRoot.bytes), .uint(totalCredit), .uint(totalBurned),
            .uint(UInt256(inboxCursor)), .bytes(data),
        ])
    }

    /// Reads a commitment back from `commitBatch` calldata (what an auditor finds on L1).
    public init(calldata: Bytes) throws {
        let v = try Self.function.decodeCall(calldata)
        func u64(_ i: Int) throws -> UInt64 {
            guard let n = v[i].uintValue?.uint64 else { throw BatchCodec.Error.malformed("commitBatch argument \(i) is not a 64-bit number") }
            return n
        }
        func h(_ i: Int) throws -> Hash32 {
            guard case .fixedBytes(let b) = v[i], b.count == 32 else { throw BatchCodec.Error.malformed("commitBatch argument \(i) is not bytes32") }
            return Hash32(unchecked: b)
        }
        guard case .bytes(let data) = v[9], let credit = v[6].uintValue, let burned = v[7].uintValue else {
            throw BatchCodec.Error.malformed("commitBatch arguments")
        }
        self.init(batchIndex: try u64(0), firstBlock: try u64(1), lastBlock: try u64(2), lastBlockHash: try h(3), stateRoot: try h(4),
                  settlementRoot: try h(5), totalCredit: credit, totalBurned: burned, inboxCursor: try u64(8), data: data)
    }

    /// `keccak256(data)`, as the contract stores and logs it.
    public var dataHash: Hash32 { Hash32(unchecked: Keccak.hash256(data)) }
}

/// Builds batch commitments from the sealed blocks in a `ChainStore`, and checks each one the
/// way Nitro's poster does before posting: decode the data again and compare it, field by
/// field, with the blocks it came from (signatures re-verified, txRoots recomputed).
public struct BatchAssembler: Sendable {
    public let chainId: UInt256
    public let rollup: Address
    public let signer: Address
    /// The contract's bound on `data` (EmethRollup's MAX_BATCH_DATA).
    public var maxDataBytes: Int

    public enum Error: Swift.Error, CustomStringConvertible {
        case missingBlock(UInt64)
        case missingTotals(UInt64)
        case tooLarge(block: UInt64, bytes: Int, limit: Int)
        case verification(String)

        public var description: String {
            switch self {
            case .missingBlock(let n): return "block \(n) is not in the store"
            case .missingTotals(let n): return "the store has no totals for block \(n) (written since the batch issue; re-sync the store)"
            case .tooLarge(let n, let b, let l): return "block \(n) alone encodes to \(b) bytes, over the batch limit of \(l)"
            case .verification(let m): return "batch failed its pre-post check: \(m)"
            }
        }
    }

    public init(chainId: UInt256, rollup: Address, signer: Address, maxDataBytes: Int = 65_536) {
        self.chainId = chainId; self.rollup = rollup; self.signer = signer; self.maxDataBytes = maxDataBytes
    }

    /// The commitment of exactly blocks `first...last`.
    public func commitment(index: UInt64, blocks range: ClosedRange<UInt64>, store: ChainStore) throws -> BatchCommitment {
        let blocks = try Self.read(range, from: store)
        let c = try unverified(index: index, blocks: blocks, store: store)
        try verify(c, against: blocks)
        return c
    }

    static func read(_ range: ClosedRange<UInt64>, from store: ChainStore) throws -> [SealedBlock] {
        try range.map { n -> SealedBlock in
            guard let b = try store.block(n) else { throw Error.missingBlock(n) }
            return b
        }
    }

    /// The commitment of `blocks` (consecutive, sealed) before its check.
    func unverified(index: UInt64, blocks: [SealedBlock], store: ChainStore) throws -> BatchCommitment {
        let first = blocks[0].number, lastNumber = blocks[blocks.count - 1].number
        guard let totals = try store.totals(at: lastNumber) else { throw Error.missingTotals(lastNumber) }
        let last = blocks[blocks.count - 1].header
        let data = try BatchCodec.encode(blocks.map(BatchCodec.Block.init))
        return BatchCommitment(batchIndex: index, firstBlock: first, lastBlock: lastNumber, lastBlockHash: last.hash,
                               stateRoot: last.stateRoot, settlementRoot: BatchSettlement(blocks: blocks).root,
                               totalCredit: totals.totalCredit, totalBurned: totals.totalBurned, inboxCursor: last.inboxCursor, data: data)
    }

    /// The largest batch starting at `first` that fits `maxDataBytes` and `maxBlocks`, ending
    /// no later than `last`. Shrinks by halves when the compressed data is too large.
    ///
    /// A candidate too large to post is found so without compressing all of it
    /// (`BatchCodec.encodedSize(of:exceeds:)` stops once the output passes the limit) and is
    /// never checked; only the batch returned is encoded in full and checked (`verify`:
    /// decoded again, every signature recovered). Under a backlog the first candidate spans up
    /// to `maxBlocks` blocks: compressing and checking each halving in full recovered every
    /// signature of the backlog about twice per batch and compressed it at level 19 — most of
    /// a busy sequencer's CPU. The batch chosen is the same.
    public func largest(index: UInt64, from first: UInt64, to last: UInt64, maxBlocks: UInt64, store: ChainStore) throws -> BatchCommitment {
        var end = min(last, first + maxBlocks - 1)
        while true {
            let blocks = try Self.read(first...end, from: store)
            if try !BatchCodec.encodedSize(of: blocks.map(BatchCodec.Block.init), exceeds: maxDataBytes) {
                let c = try unverified(index: index, blocks: blocks, store: store)
                if c.data.count <= maxDataBytes {
                    try verify(c, against: blocks)
                    return c
                }
            }
            guard end > first else {
                throw Error.tooLarge(block: first, bytes: try unverified(index: index, blocks: blocks, store: store).data.count, limit: maxDataBytes)
            }
            end = first + (end - first) / 2
        }
    }

    /// Decodes `c.data` and checks it reproduces `blocks` exactly, and that every decoded block
    /// passes the auditor's own state-free check (`SignedBlockCheck`: the Signer's signature,
    /// every transaction's signature).
    public func verify(_ c: BatchCommitment, against blocks: [SealedBlock]) throws {
        let decoded = try BatchCodec.decode(c.data)
        guard decoded.count == blocks.count else { throw Error.verification("\(decoded.count) blocks decoded, \(blocks.count) encoded") }
        let admission = L2Admission(chainId: chainId, rollup: rollup)
        for (d, b) in zip(decoded, blocks) {
            guard d.header == b.header else { throw Error.verification("block \(b.number): header differs after decoding") }
            guard d.signature == b.signature, d.inbox == b.inbox else { throw Error.verification("block \(b.number): signature or inbox differs") }
            let txs: [L2Transaction]
            switch SignedBlockCheck.check(d, signer: signer, authenticated: admission.authenticate(d.transactions)) {
            case .success(let t): txs = t
            case .failure(let f): throw Error.verification("block \(b.number): \(f)")
            }
            guard txs.count == b.transactions.count else { throw Error.verification("block \(b.number): transaction count differs") }
            for (i, (t, orig)) in zip(txs, b.transactions).enumerated() where t.hash != orig.hash || t.sender != orig.sender {
                throw Error.verification("block \(b.number) transaction \(i): recovers to another hash or sender")
            }
            guard OrderedMerkleTree.root(txs.map(\.hash.bytes)) == d.header.txRoot.bytes else {
                throw Error.verification("block \(b.number): txRoot differs")
            }
        }
        guard let last = decoded.last, last.header.hash == c.lastBlockHash, last.header.stateRoot == c.stateRoot,
              last.header.inboxCursor == c.inboxCursor, decoded.first?.header.number == c.firstBlock, last.header.number == c.lastBlock else {
            throw Error.verification("commitment fields do not match the last block")
        }
    }
}
