import Core
import Sequencer

/// Builds state proofs from a chain store for any block, head or older.
///
/// The store's `state` column holds only the head's records, but state tree nodes are never
/// pruned, so the tree of any older block is still complete under that block's stateRoot:
/// the SMT part of a proof is always exact. The record is attached only when the head's
/// record hashes to the proven leaf — always true at the head, and at an older block when
/// the record has not changed since. Otherwise `record` is nil and the proof shows the value
/// hash only (recovering the old bytes would mean re-executing the chain up to that block).
extension StateProof {
    /// Proof of `address`'s account at `block` (nil: the head): inclusion, or non-inclusion
    /// when the account was never touched (or emptied) by then.
    public static func account(_ address: Address, store: ChainStore, block: UInt64? = nil) throws -> StateProof {
        try build(kind: .account, key: address.bytes, store: store, block: block) {
            try store.account(address).map(StateEncoding.encode)
        }
    }

    /// Proof of job `id` at `block` (nil: the head): inclusion, or non-inclusion for a job id
    /// that did not exist by then.
    public static func job(_ id: JobID, store: ChainStore, block: UInt64? = nil) throws -> StateProof {
        try build(kind: .job, key: id.bytes, store: store, block: block) { try store.job(id).map(StateEncoding.encode) }
    }

    /// Proof of the totals record at `block` (nil: the head).
    public static func totals(store: ChainStore, block: UInt64? = nil) throws -> StateProof {
        try build(kind: .totals, key: [], store: store, block: block) { StateEncoding.encode(store.totals) }
    }

    /// The signed header of block `number` (nil: the head).
    public static func signedHeader(store: ChainStore, block number: UInt64?) throws -> SignedHeader {
        let head = store.head.number
        let n = number ?? head
        guard n <= head else { throw ProofError.blockNotFound(n, head: head) }
        guard let b = try store.block(n) else { throw ProofError.store("block \(n) is missing below the head \(head)") }
        return SignedHeader(b)
    }

    static func build(kind: Kind, key: Bytes, store: ChainStore, block: UInt64?, headRecord: () throws -> Bytes?) throws -> StateProof {
        let signed = try signedHeader(store: store, block: block)
        let tree = SparseMerkleTree(store: store.nodes, root: try! SMTHash(signed.header.stateRoot.bytes))
        var proof = StateProof(kind: kind, key: key, block: signed, record: nil, smt: SparseMerkleProof(siblings: [], leaf: nil))
        let treeKey = try proof.treeKey()
        do { proof.smt = try tree.proof(treeKey) } catch {
            throw ProofError.store("state tree of block \(signed.number) is incomplete: \(error)")
        }
        if case .present(let v) = try proof.claim(), let record = try headRecord(), StateTreeKey.valueHash(ofRecord: record) == v {
            proof.record = record
        }
        return proof
    }
}
