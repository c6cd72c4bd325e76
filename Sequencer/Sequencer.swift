// The sequencer (DESIGN §5, §7, §12): state machine, block builder, Signer and RocksDB storage.
// Filled by the sequencer-core issue; this file only anchors the module in the build.
import Core
