/// When a standby may campaign. A node that wins leadership must be able to take over at once:
/// sealing from a head that is the log's, with a healthy store, and posting to an L1 it can
/// reach — Base's lost half hour was leadership handed to a node that was not ready.
enum HAReadiness {
    /// What keeps the standby from campaigning, or nil when it is ready.
    /// - Parameters:
    ///   - stopped: why the follower stopped applying blocks (a refused block, a broken store).
    ///   - logHead: the newest block in the etcd log (nil when the log is empty).
    ///   - logError: why the log could not be read (then `logHead` means nothing).
    ///   - mine: the standby's own head.
    ///   - l1: nil when L1 answered (or the node has no L1), else the error of the probe.
    static func blocker(stopped: String?, logHead: UInt64?, logError: String? = nil, mine: UInt64, l1: String?) -> String? {
        if let stopped { return "the store is not applying blocks: \(stopped)" }
        if let logError { return "the etcd block log is unreadable: \(logError)" }
        if let head = logHead, mine < head { return "behind the block log: at block \(mine) of \(head)" }
        if let l1 { return "L1 is unreachable: \(l1)" }
        return nil
    }
}
