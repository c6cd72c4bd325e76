// The Node module: how a running node is composed, in one place.
//
// A node is a handful of parts in one service group: the engine behind its lock, the sealing
// loop on its own thread, the HTTP API, and with L1 the inbox feed and the batch poster. Each
// part lives in the module of its job (Sequencer, Bridge, Prover, API); this module wires them.
// It is a target of its own, not a folder of Sequencer or Bridge, because wiring needs all of
// them at once: inside Sequencer it would pull L1 and HTTP into the state machine; inside
// Bridge, the engine's lock and the API. The API serves a node through protocols it defines
// itself (`ServedChain`, `ProofService`, `BatchStatusProvider`, `ReplicaLink`), implemented here, so the API
// imports neither the bridge nor the prover.
//
// - Engine/   EngineHandle: the one lock around the engine, its own `Stopped` error, the
//             engine as the API's `ServedChain`; SealingLoop: sealing off Swift's cooperative
//             pool, on a thread of its own.
// - L1/       L1Connection (endpoint and deployment checks, and the L1 parts built on them),
//             InboxFeed, PosterService and PosterStatus (the API's `BatchStatusProvider`).
// - Proofs/   ProverProofs: the API's `ProofService` built on the prover.
// - Config/   NodeConfig: one node's settings, from emeth.toml and flags.
// - Run/      RetryLoop (the one retry/backoff loop), NodeServices (the one service group),
//             and the compositions: SequencerNode (`emeth sequencer run`), BridgeNode
//             (`emeth bridge run`) and FollowerNode (`emeth follower run`).
// - Follow/   a follower's parts: BlockSource (LeaderSource: the leader's emeth_getBlockRange),
//             FollowerChain (its verified store as the API's ServedChain and ReplicaLink),
//             FollowerService (pull, verify, store), FollowerAudit and L1BatchView (L1
//             commitments checked against the verified blocks), LeaderLink (forwarding).
//             NodeRecovery: the offline ways out after a challenge (rollback, resume).
// - Logging/  the log formats a node writes (text or JSON lines; bare lines for tools).
//
// The CLI parses flags and keys and calls the compositions; see docs/ARCHITECTURE.md.
import API
import Sequencer
