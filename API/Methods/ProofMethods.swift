import Core
import Sequencer

/// `emeth_getSettlementProof` and `emeth_getStateProof`.
extension L2API {
    /// The OpenZeppelin-style proof of an account's latest credit in a batch, against the
    /// batch settlementRoot (built with `BatchSettlement`, the construction the poster
    /// commits). Without `batchIndex`: the batch holding the account's latest ticket, i.e. its
    /// newest credit — `final` says whether L1 will accept a claim against it yet.
    func settlementProof(_ p: RPCParams) throws -> JSONValue {
        let account = try p.need(try p.address("address"), "address")
        let index = try p.uint64("batchIndex")
        guard let batches else {
            throw RPCError.unavailable("no batch information: this sequencer runs without the bridge, so no batch and no batch "
                                       + "settlementRoot exist yet; claim with the Signer ticket (emeth_getTicket) instead")
        }
        let batch: BatchStatus
        if let index {
            guard let b = batches.batch(index: index) else { throw RPCError.unavailable("batch \(index) is unknown") }
            batch = b
        } else {
            guard let t = try chain.store.latestTicket(account) else {
                throw RPCError.unavailable("account \(account.checksummed) has no credit: nothing to prove")
            }
            guard let b = batches.batch(containing: t.blockNumber) else {
                throw RPCError.unavailable("the latest credit of \(account.checksummed) (block \(t.blockNumber)) is not in a batch yet")
            }
            batch = b
        }
        let blocks = batch.firstBlock...batch.lastBlock
        let settlement = try settlements.settlement(batch) { try readSettlement(blocks) }
        guard let proof = SettlementProof(settlement: settlement, account: account, blocks: blocks, batchIndex: batch.index) else {
            throw RPCError.unavailable("the credit of \(account.checksummed) did not change in batch \(batch.index) "
                                       + "(blocks \(batch.firstBlock)–\(batch.lastBlock)): no leaf to prove")
        }
        return ResultJSON.settlementProof(proof, final: batch.final, l1TxHash: batch.l1TxHash)
    }

    /// The batch's settlement tree from its blocks in the store.
    private func readSettlement(_ blocks: ClosedRange<UInt64>) throws -> BatchSettlement {
        var settlement = BatchSettlement()
        for n in blocks {
            guard let b = try chain.store.block(n) else {
                throw RPCError.unavailable("block \(n) of the batch is not in this sequencer's store")
            }
            settlement.add(b)
        }
        return settlement
    }

    /// A state-tree proof (docs/PROTOCOL.md §4.1) of an account (address), a job (job id) or
    /// the totals record ("totals") at a block (default: the head), built by the prover
    /// (`ProofService`, which the node supplies) and returned in its proof-file form, so a client can save the
    /// result and check it offline (`emeth prove verify`). The record is included whenever
    /// the stored (latest) record is the one proven — always at the head, and at an older
    /// block if the record has not changed since; otherwise only its hash is proven.
    func stateProof(_ p: RPCParams) throws -> JSONValue {
        guard let keyText = p["key"]?.stringValue else {
            throw RPCError.invalidParams("key: expected an address, a job id (0x-hex of 16 bytes) or \"totals\"")
        }
        let target: StateProofTarget
        if keyText == "totals" {
            target = .totals
        } else if keyText.count == 42, let a = try? p.address("key") {
            target = .account(a)
        } else if keyText.count == 34, let j = try? p.jobId("key") {
            target = .job(j)
        } else {
            throw RPCError.invalidParams("key: \"\(keyText.prefix(80))\" is neither an address (20 bytes), a job id (16 bytes) nor \"totals\"")
        }
        let head = try chain.headNumber()
        let number = try p.blockNumber("blockNumber", head: head) ?? head
        guard number <= head else { throw RPCError.unavailable("block \(number) does not exist yet (the head is block \(head))") }
        return try proofs.stateProof(target, block: number)
    }

    /// The inclusion proof of a sequenced transaction against its block's txRoot, in the
    /// prover's proof-file form (`emeth prove verify` checks it offline); null if the hash is
    /// not in a block (unknown, or still pending).
    func transactionProof(_ p: RPCParams) throws -> JSONValue {
        try proofs.transactionProof(try p.need(try p.hash("hash"), "hash")) ?? .null
    }
}

/// Settlement trees of recent batches: building one decodes every block of the batch, and
/// claimants ask for the same few batches over and over. Keyed by the batch's index and
/// range (a reverted and re-posted batch has a new range, so never a stale hit).
final class SettlementCache: Sendable {
    private let entries = LockedValue<[(key: [UInt64], value: BatchSettlement)]>([])
    let capacity: Int

    init(capacity: Int = 16) { self.capacity = capacity }

    func settlement(_ b: BatchStatus, build: () throws -> BatchSettlement) throws -> BatchSettlement {
        let key = [b.index, b.firstBlock, b.lastBlock]
        if let hit = entries.withLock({ $0.first { $0.key == key }?.value }) { return hit }
        let value = try build()
        entries.withLock {
            $0.removeAll { $0.key == key }
            $0.append((key, value))
            if $0.count > capacity { $0.removeFirst() }
        }
        return value
    }
}
