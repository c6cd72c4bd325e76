// The API module: the L2 JSON-RPC server of docs/API.md, over any node that implements its
// protocols. It imports Core and Sequencer (for the chain's types) and never the bridge, the
// prover or the Node module (scripts/check-imports).
//
// - Serving/  what the API needs from the node it serves, as protocols it owns: `ServedChain`
//             (reads, admission, the mempool), `ProofService` (state and transaction proofs),
//             `BatchStatusProvider` (where blocks stand on L1), `ReplicaLink` (a follower's
//             leader: forwarding and lag). The Node module implements them.
// - Methods/  the `emeth_*` methods, one file per area, and the JSON forms of results.
// - RPC/      JSON-RPC 2.0 without a transport: envelope and batch validation, limits,
//             parameters, error codes, per-client rate limits.
// - Service/  HTTP (`POST /`, `/health`, `/metrics`) as a service for the node's service group.
import Core
import Sequencer
