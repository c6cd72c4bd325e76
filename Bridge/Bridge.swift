// The Bridge module: everything that talks to L1 (docs/ARCHITECTURE.md).
//
// - L1/        a JSON-RPC client for any Ethereum endpoint (`JSONRPCClientError`), typed calls,
//              one-shot sends, and the one retry policy (`Backoff`).
// - TxManager/ one nonce stream per key: persisted before sending, fee bumps, reorgs, a lock.
// - Inbox/     the inbox watcher: confirmed deposits, cancels and forced transactions, only
//              from the rollup's address and never from removed logs; its reorg anchor persists.
// - Poster/    the batch poster: cuts, checks and commits batches, tracks finality, and halts
//              after a guardian's challenge until the operator rolls back or resumes.
// - Rollup/    EmethRollup's calls, views and events as the bridge uses them.
// - Deploy/    deploying the contracts and deployment.json; L2/ the client node commands use.
//
// Parts that log take a swift-log `Logger` (default: `Logger.discarding`). Running them as
// services — loops, backoff, shutdown — is the Node module's job.
import Core
