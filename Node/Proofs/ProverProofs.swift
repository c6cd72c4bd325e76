import API
import Core
import Prover
import Sequencer

/// The API's `ProofService` built on the prover: state proofs (`StateProof`) and transaction
/// inclusion proofs (`TransactionProof`) over the chain the node serves, each checked before
/// it leaves the node.
public struct ProverProofs: ProofService {
    let chain: any ServedChain

    public init(chain: any ServedChain) { self.chain = chain }

    public func stateProof(_ target: StateProofTarget, block: UInt64) throws -> JSONValue {
        // With the head standing still: the builder reads the store's head and totals.
        let proof = try chain.withConsistentStore { store -> StateProof in
            let head = store.head.number
            guard block <= head else { throw RPCError.unavailable("block \(block) does not exist yet (the head is block \(head))") }
            switch target {
            case .account(let a): return try StateProof.account(a, store: store, block: block)
            case .job(let j): return try StateProof.job(j, store: store, block: block)
            case .totals: return try StateProof.totals(store: store, block: block)
            }
        }
        if let problem = try proof.failure() { throw RPCError.internalError("the state proof does not verify: \(problem)") }
        return proof.json
    }

    public func transactionProof(_ hash: Hash32) throws -> JSONValue? {
        guard let proof = try TransactionProof.build(store: chain.store, txHash: hash) else { return nil }
        if let problem = proof.failure() { throw RPCError.internalError("the transaction proof does not verify: \(problem)") }
        return proof.json
    }
}
