// The prover and auditor (DESIGN §11). Proofs live in Proofs/: settlement proofs for claims,
// state proofs for accounts, jobs and totals, transaction inclusion, and the proof file
// format with its standalone verifier (docs/PROOFS.md). Replay arrives with the auditor issue.
import Core
import Sequencer
