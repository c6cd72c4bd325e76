import Core
import Foundation

/// Named crash points for the kill -9 tests: `EMETH_FAULT=point:n` makes the n-th arrival at
/// `point` kill the process with SIGKILL, exactly as an operator's `kill -9` would. Without
/// the variable every `hit` is a no-op. Points of the sequencer's store: `store.beforeWrite`
/// (a sealed block's WriteBatch is built, not written), `store.afterWrite` (it is fsync'd, not
/// yet acknowledged); of the stress load: `stress.afterSubmit` (mid-block, in the mempool
/// only), `stress.afterAck`; of the bridge: see BatchPoster and TxManager.
public struct Faults: Sendable {
    public let point: String?
    public let count: Int
    private let hits = LockedValue(0)

    public init(spec: String? = nil) {
        guard let spec, let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]) else {
            point = spec; count = 1; return
        }
        point = String(spec[..<colon]); count = n
    }

    public static var fromEnvironment: Faults { Faults(spec: ProcessInfo.processInfo.environment["EMETH_FAULT"]) }

    public func hit(_ name: String) {
        guard name == point, hits.withLock({ n -> Int in n += 1; return n }) >= count else { return }
        kill(getpid(), SIGKILL)
    }
}
