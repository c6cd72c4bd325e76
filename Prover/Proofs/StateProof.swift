import Core
import Sequencer

/// A proof about one record of the state tree (docs/PROTOCOL.md §4.1) against the stateRoot
/// of a block: an account or a job is present with a given record, or is absent (never
/// touched / unknown), or the totals record. The block's signed header comes with it, so the
/// root is bound to a block hash a verifier can trust.
///
/// `record` is the ABI-encoded record whose keccak256 is the leaf's value. It can be nil for a
/// present key: the store keeps only the head's records, and when the record changed after
/// the proven block the prover cannot produce the old bytes (see `StateProof.account(_:store:block:)`).
/// The proof then shows only the value hash — still a complete inclusion proof of that hash.
public struct StateProof: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case account, job, totals

        /// The identifier's length: a 20-byte address, a 16-byte job id, nothing for totals.
        public var keyLength: Int {
            switch self {
            case .account: return 20
            case .job: return 16
            case .totals: return 0
            }
        }
    }

    public var kind: Kind
    /// The address (account), the job id (job) or empty (totals).
    public var key: Bytes
    public var block: SignedHeader
    /// `abi.encode` of the record at `blockNumber`; nil when absent, or present but not
    /// available (then `smt.leaf.valueHash` is the proven value).
    public var record: Bytes?
    public var smt: SparseMerkleProof

    public init(kind: Kind, key: Bytes, block: SignedHeader, record: Bytes?, smt: SparseMerkleProof) {
        self.kind = kind; self.key = key; self.block = block; self.record = record; self.smt = smt
    }

    public var blockNumber: UInt64 { block.header.number }
    public var stateRoot: Hash32 { block.header.stateRoot }

    /// The state tree key: keccak256(0x01 ‖ address), keccak256(0x02 ‖ jobId) or keccak256(0x03).
    public func treeKey() throws(ProofError) -> SMTHash {
        guard key.count == kind.keyLength else {
            throw .format("the \(kind.rawValue) key must be \(kind.keyLength) bytes, found \(key.count)")
        }
        switch kind {
        case .account: return StateTreeKey.account(try! Address(bytes: key))
        case .job: return try! StateTreeKey.job(id: key)
        case .totals: return StateTreeKey.totals
        }
    }

    /// What the proof shows, read from `smt` alone (not yet verified).
    public enum Claim: Hashable, Sendable {
        /// Present, with this value hash (keccak256 of the record).
        case present(valueHash: SMTHash)
        case absent
    }

    public func claim() throws(ProofError) -> Claim {
        if let leaf = smt.leaf, leaf.key == (try treeKey()) { return .present(valueHash: leaf.valueHash) }
        return .absent
    }

    /// True when the proof shows its claim under `stateRoot`; throws when the key is malformed.
    public func verify() throws -> Bool { try failure() == nil }

    /// nil when valid, else why not.
    public func failure() throws(ProofError) -> String? {
        let k = try treeKey()
        let root = try! SMTHash(stateRoot.bytes)
        if let record {
            if let bad = Self.decodingProblem(kind: kind, record: record) { return "the record is not a valid \(kind.rawValue): \(bad)" }
            let v = StateTreeKey.valueHash(ofRecord: record)
            guard case .present(let proven)? = try? claim() else {
                return "the proof shows the \(kind.rawValue) absent, but a record is given"
            }
            guard proven == v else {
                return "the record hashes to \(v.hex) but the proof's leaf holds \(proven.hex)"
            }
            guard smt.verify(root: root, key: k, valueHash: v) else { return "the proof does not lead to state root \(stateRoot.bytes.hex)" }
            if kind == .job, let j = try? StateEncoding.decodeJob(record), j.id.bytes != key {
                return "the job record is for job \(j.id), not \(key.hex)"
            }
            return nil
        }
        switch try claim() {
        case .present(let v):
            guard smt.verify(root: root, key: k, valueHash: v) else { return "the proof does not lead to state root \(stateRoot.bytes.hex)" }
        case .absent:
            guard kind != .totals else { return "the totals record is always present, but the proof shows it absent" }
            guard smt.verify(root: root, key: k, valueHash: nil) else {
                return "the non-inclusion proof does not lead to state root \(stateRoot.bytes.hex)"
            }
        }
        return nil
    }

    static func decodingProblem(kind: Kind, record: Bytes) -> String? {
        do {
            switch kind {
            case .account: _ = try StateEncoding.decodeAccount(record)
            case .job: _ = try StateEncoding.decodeJob(record)
            case .totals: _ = try StateEncoding.decodeTotals(record)
            }
            return nil
        } catch { return error.description }
    }

    // MARK: Decoded views

    /// The record as an account (nil unless kind is account and the record is given and valid).
    public var account: Account? { kind == .account ? record.flatMap { try? StateEncoding.decodeAccount($0) } : nil }
    public var job: Job? { kind == .job ? record.flatMap { try? StateEncoding.decodeJob($0) } : nil }
    public var totals: Totals? { kind == .totals ? record.flatMap { try? StateEncoding.decodeTotals($0) } : nil }
}
