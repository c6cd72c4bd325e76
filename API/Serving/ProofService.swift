import Core
import Sequencer

/// What a state proof is about (`emeth_getStateProof`'s `key`).
public enum StateProofTarget: Sendable, Equatable {
    case account(Address)
    case job(JobID)
    case totals
}

/// State and transaction proofs in the prover's proof-file form (docs/PROOFS.md). The API
/// owns this interface and the `Node` target implements it with the prover, so the API does
/// not import the prover; a client can save what it returns and check it offline
/// (`emeth prove verify`).
public protocol ProofService: Sendable {
    /// The proof of `target` at block `block` (at most the head), checked before it is
    /// returned. Throws `RPCError` for what the caller asked wrong.
    func stateProof(_ target: StateProofTarget, block: UInt64) throws -> JSONValue
    /// The inclusion proof of a sequenced transaction against its block's txRoot, checked;
    /// nil when the hash is in no block (unknown, or still pending).
    func transactionProof(_ hash: Hash32) throws -> JSONValue?
}
