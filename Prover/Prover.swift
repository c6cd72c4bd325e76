// The prover and auditor (DESIGN §11): proofs and offline replay with the sequencer's STF.
// Filled by the prover issue; this file only anchors the module in the build.
import Core
import Sequencer
