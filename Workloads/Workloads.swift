// The Workloads module: deterministic signed load for a chain, for the benchmarks
// (`emeth bench`), the crash tests (`emeth sequencer stress`), the fuzz seeds and the test
// suites. It is not part of any library a node runs: nothing in Sequencer, Bridge, Prover,
// API or Node may import it (scripts/check-imports).
//
// - Workload: funded users sending Withdraw / RegisterJob / CancelJob, the same chain for the
//   same seed.
// - ParallelAdmission: wire-form JSON parsed and authenticated on all cores, as the ingest
//   benchmark measures it.
import Core
import Sequencer
