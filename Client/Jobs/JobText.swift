import Core
import Sequencer

/// Jobs as people read them: `emeth job show` (every field, amounts in EMT, times in UTC)
/// and one line per job for `emeth job list`.
public enum JobText {
    public static func lines(_ j: Job) -> [String] {
        let none = "-"
        func id(_ x: JobID) -> String { x.isZero ? none : x.bytes.hex }
        func hash(_ h: Hash32) -> String { h == .zero ? none : h.bytes.hex }
        var out = [
            "job           \(j.id.bytes.hex)",
            "status        \(j.status) (\(j.status.rawValue))",
            "owner         \(j.owner.checksummed)",
            "node          \(j.node == .zero ? none : j.node.checksummed)",
            "parent        \(id(j.parentJob))",
            "program       \(j.programId)   parallel \(j.numParallel)   epochs \(j.numEpoch)",
            "dataset       \(hash(j.dataset))",
            "param         \(hash(j.param))",
            "fuel          limit \(j.fuelLimit) at \(Amount.format(j.fuelPrice)) each, used \(j.fuelUsed)",
            "fee limit     \(Amount.format(j.feeLimit))",
            "escrow        \(Amount.format(j.escrow))",
            "node deposit  \(Amount.format(j.nodeDeposit))",
            "result        \(hash(j.result))",
            "deadline      \(FailureExplainer.time(UInt256(j.deadline)))",
            "created       \(FailureExplainer.time(UInt256(j.createdAt)))",
            "updated       \(FailureExplainer.time(UInt256(j.updatedAt)))",
        ]
        if j.childCount > 0 { out.insert("SubJobs       \(j.childCount), \(j.verifiedChildren) verified", at: 5) }
        return out
    }

    /// `ID  STATUS  owner …  node …  fuel L × P  deadline T`.
    public static func row(_ j: Job) -> String {
        let status = j.status.description.padding(toLength: 10, withPad: " ", startingAt: 0)
        return "\(j.id.bytes.hex)  \(status)  owner \(j.owner.checksummed)  node \(j.node == .zero ? "-" : j.node.checksummed)  "
            + "fuel \(j.fuelLimit) × \(Amount.format(j.fuelPrice))  deadline \(j.deadline)"
    }
}
