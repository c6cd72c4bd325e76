import Core

/// What a follower runs on every block it is served, before storing anything of it: the block
/// must decode (storage format 2, `BlockCodec`), follow the follower's head (number, parent
/// hash, time), carry the genesis Signer's signature and valid transaction signatures
/// (`SignedBlockCheck`, the poster's and the auditor's check), re-execute to every header
/// field (`ReexecutionCheck`, the auditor's), with the outcome of every transaction and inbox
/// message the block records, and carry exactly one Signer ticket per credit change, each
/// signed by the Signer. The verified block is then re-encoded and must be byte for byte the
/// block served: what the follower stores, and serves, is what the leader stores.
///
/// Nothing here trusts what the block says about itself beyond the Signer's signature: senders
/// and hashes are recovered again, outcomes and roots recomputed. A follower never signs.
public struct BlockVerifier: Sendable {
    public let genesis: Genesis
    public let admission: L2Admission
    public let producer: BlockProducer

    public init(genesis: Genesis) {
        self.genesis = genesis
        admission = L2Admission(chainId: genesis.chainId, rollup: genesis.rollup)
        producer = BlockProducer(stf: StateTransition(genesis: genesis))
    }

    /// A served block decoded and its transactions authenticated ahead of its turn: a range
    /// is prepared at once, its signature recovery spread over all cores, then applied in order.
    public struct Prepared: Sendable {
        public let bytes: Bytes
        let decoded: Result<SealedBlock, BlockCodec.Error>
        let authenticated: [Result<L2Transaction, L2TxError>]
    }

    /// Decodes `blocks` and recovers every transaction's sender (all cores). Pure.
    public func prepare(_ blocks: [Bytes]) -> [Prepared] {
        let decoded = blocks.map { bytes -> Result<SealedBlock, BlockCodec.Error> in
            do { return .success(try BlockCodec.decode(bytes)) } catch let e as BlockCodec.Error { return .failure(e) } catch {
                return .failure(.corrupt("\(error)"))
            }
        }
        let envelopes = decoded.flatMap { (try? $0.get())?.transactions.map(\.envelope) ?? [] }
        let all = admission.authenticate(envelopes)
        var offset = 0
        return zip(blocks, decoded).map { bytes, d in
            let n = (try? d.get())?.transactions.count ?? 0
            defer { offset += n }
            return Prepared(bytes: bytes, decoded: d, authenticated: Array(all[offset..<(offset + n)]))
        }
    }

    /// A block that verified: what to write (one batch, as a sealed block's) and the state the
    /// head moves to once it is durable (`ChainStore.didWrite`).
    public struct Verified {
        public let block: SealedBlock
        public let batch: WriteBatch
        public let state: WorldState
    }

    /// Verifies `p` as the block after `store`'s head. Writes nothing. Throws only when the
    /// store cannot be read; a block that does not verify is a `BlockRefusal`.
    public func verify(_ p: Prepared, on store: ChainStore) throws -> Result<Verified, BlockRefusal> {
        let parent = store.head.header
        let n = parent.number + 1
        func refuse(_ field: String, _ expected: String, _ found: String, index: Int? = nil, message: String? = nil,
                    _ detail: String = "") -> Result<Verified, BlockRefusal> {
            .failure(BlockRefusal(block: n, field: field, index: index, expected: expected, found: found, message: message, detail: detail))
        }
        let b: SealedBlock
        switch p.decoded {
        case .success(let d): b = d
        case .failure(let e): return refuse("encoding", "a block in storage format \(ChainStore.formatVersion)", "\(e)")
        }
        let h = b.header
        guard h.number == n else { return refuse("number", String(n), String(h.number)) }
        guard h.parentHash == parent.hash else {
            return refuse("parentHash", parent.hash.description, h.parentHash.description,
                          message: "parentHash \(h.parentHash) does not match block \(parent.number)'s hash \(parent.hash)")
        }
        guard h.timestamp >= parent.timestamp else {
            return refuse("timestamp", "≥ \(parent.timestamp)", String(h.timestamp), "block time went backwards")
        }
        // The Signer's signature, then every transaction's: the poster's and the auditor's check.
        let txs: [L2Transaction]
        switch SignedBlockCheck.check(BatchCodec.Block(b), signer: genesis.signer, authenticated: p.authenticated) {
        case .success(let t): txs = t
        case .failure(let f) where f.field == "signature":
            return refuse("signature", f.expected, f.found, message: "Signer signature recovers \(f.found), expected \(f.expected)")
        case .failure(let f): return refuse(f.field, f.expected, f.found, index: f.tx, f.detail)
        }
        for (k, (served, recovered)) in zip(b.transactions, txs).enumerated() {
            if served.sender != recovered.sender {
                return refuse("tx.sender", recovered.sender.checksummed, served.sender.checksummed, index: k, "the signature recovers another sender")
            }
            if served.hash != recovered.hash { return refuse("tx.hash", recovered.hash.description, served.hash.description, index: k) }
        }
        let agreed: ReexecutionCheck.Agreed
        switch try ReexecutionCheck.run(posted: h, inbox: b.inbox, transactions: txs, parent: parent, store: store, producer: producer) {
        case .success(let a): agreed = a
        case .failure(let f):
            return .failure(.reexecution(block: n, field: f.field, index: f.tx, recomputed: f.expected, found: f.found, detail: f.detail))
        }
        let mine = agreed.block
        for (k, (served, recomputed)) in zip(b.receipts, mine.receipts).enumerated() where served.failure != recomputed.failure {
            return refuse("tx.failure", Self.code(recomputed.failure), Self.code(served.failure), index: k,
                          message: "tx.failure \(Self.code(served.failure)) does not match re-execution \(Self.code(recomputed.failure))")
        }
        for (k, (served, recomputed)) in zip(b.inboxFailures, mine.inboxFailures).enumerated() where served != recomputed {
            return refuse("inbox[\(k)].failure", Self.code(recomputed), Self.code(served),
                          message: "inbox[\(k)].failure \(Self.code(served)) does not match re-execution \(Self.code(recomputed))")
        }
        if let refusal = checkTickets(b.tickets, credits: mine.creditChanges, block: n) { return .failure(refusal) }
        let sealed = SealedBlock(header: h, signature: b.signature, inbox: b.inbox, inboxFailures: mine.inboxFailures,
                                 transactions: mine.transactions, receipts: mine.receipts, tickets: b.tickets)
        let encoded = BlockCodec.encode(sealed)
        guard encoded == p.bytes else {
            return refuse("encoding", "\(encoded.count) bytes, keccak \(Hash32(unchecked: Keccak.hash256(encoded)))",
                          "\(p.bytes.count) bytes, keccak \(Hash32(unchecked: Keccak.hash256(p.bytes)))",
                          "the served bytes are not the canonical encoding of the block they verify as")
        }
        return .success(Verified(block: sealed, batch: try store.prepare(sealed, state: agreed.state), state: agreed.state))
    }

    /// One ticket per credit change, in the same order, each for this block, each signed by
    /// the Signer in the chain's domain (what L1's `claimWithTicket` checks).
    func checkTickets(_ tickets: [Ticket], credits: [(account: Address, credit: UInt256)], block n: UInt64) -> BlockRefusal? {
        guard tickets.count == credits.count else {
            return BlockRefusal(block: n, field: "tickets", expected: "\(credits.count) (one per credit change)", found: String(tickets.count))
        }
        for (k, (t, c)) in zip(tickets, credits).enumerated() {
            if t.account != c.account {
                return BlockRefusal(block: n, field: "ticket.account", index: k, expected: c.account.checksummed, found: t.account.checksummed)
            }
            if t.credit != c.credit {
                return BlockRefusal(block: n, field: "ticket.credit", index: k, expected: c.credit.description, found: t.credit.description,
                                    message: "ticket.credit \(t.credit) does not match re-execution \(c.credit)")
            }
            if t.blockNumber != n {
                return BlockRefusal(block: n, field: "ticket.blockNumber", index: k, expected: String(n), found: String(t.blockNumber))
            }
            let digest = EIP712.Ticket.digest(domain: admission.domain, account: t.account, credit: t.credit, blockNumber: t.blockNumber)
            let signer = try? Secp256k1.recoverAddress(digest: digest, rsv: t.signature)
            guard signer == genesis.signer else {
                let found = signer?.checksummed ?? "no valid signature"
                return BlockRefusal(block: n, field: "ticket.signature", index: k, expected: genesis.signer.checksummed, found: found,
                                    message: "ticket signature recovers \(found), expected the Signer \(genesis.signer.checksummed)")
            }
        }
        return nil
    }

    /// A failure code as the API writes it (its number, or 0 for success).
    static func code(_ f: FailureCode?) -> String { f.map { String($0.rawValue) } ?? "0 (success)" }
}
