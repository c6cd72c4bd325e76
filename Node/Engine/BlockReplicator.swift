import Core
import Sequencer

/// Where a sealed block goes before it is made durable and acknowledged: in HA mode, the
/// fenced etcd block log (`EtcdReplicator`). The engine's handle calls it on the sealing
/// thread between signing a block and writing it to RocksDB; if it throws, the block is never
/// written, served or posted, and the handle stops (`EngineHandle.Stopped`), because a node
/// whose replicated write failed may no longer be the leader.
public protocol BlockReplicator: Sendable {
    /// Replicates block `number` whose stored bytes (`BlockCodec`, what `emeth_getBlockRange`
    /// serves) are `bytes`; returns once it is safe to acknowledge. Blocking: it runs on the
    /// sealing thread, never on the cooperative pool.
    func replicate(number: UInt64, bytes: Bytes) throws
}
