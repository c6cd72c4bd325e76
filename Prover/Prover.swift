// The Prover module: what lets anyone check the rollup without trusting the sequencer.
//
// - Proofs/  settlement proofs for claims, state proofs for accounts, jobs and totals (inclusion
//            and non-inclusion), transaction inclusion, and the self-describing proof file with
//            its standalone verifier (docs/PROOFS.md).
// - Audit/   the replay auditor: rebuilds every block from L1 calldata (or an archive), recovers
//            every signature, re-executes with the sequencer's own block producer (no key), checks every
//            root and commitment, and with L1 also every claim, block time and overdue inbox
//            message (docs/AUDIT.md).
// - Escape/  `emeth exit`: the escape hatch's client — replays to the newest batch, activates
//            escape mode, proves its root, pays an account by state proofs (PROTOCOL §9.1).
import Core
import Sequencer
