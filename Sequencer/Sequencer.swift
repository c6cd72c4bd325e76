// The Sequencer module: everything that turns signed L2 transactions into durable blocks.
//
// - Transactions/  the eleven L2 transaction types in one schema table, from which their EIP-712
//                  types, JSON wire form and binary form come; signature recovery on all cores
//                  (docs/PROTOCOL.md §2, §7).
// - STF/, State/   the pure state-transition function and fee rules, failure codes, accounts,
//                  jobs, totals and genesis (§3–4). The auditor runs this same code.
// - Blocks/        mempool, seal policy (a block always fits one L1 batch), block executor and
//                  producer (execution and roots, no key), the Signer and its tickets (§5–6),
//                  and the re-execution check a replay and a follower share.
// - Engine/        SequencerEngine: admission against the pending state, sealing in two steps
//                  (execute under the caller's lock, fsync outside it), fault points.
// - Storage/       RocksDB and ChainStore (one synced batch per block, blocks in binary), job
//                  indexes, rollback.
// - Batches/       the L1 batch format (zstd of RLP), commitments, settlement roots and the
//                  settlement proof every side shares (§7), and the state-free block check the
//                  poster and the auditor share.
// - Follow/        what a follower checks of a served block before it stores it (BlockVerifier)
//                  and how a refusal names the field (BlockRefusal).
//
// No HTTP, no L1, no locks around the engine here: the clock and the network come from the
// caller, and the Node module runs the engine (see docs/ARCHITECTURE.md).
import Core
