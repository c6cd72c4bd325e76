/// Every etcd key one chain's cluster uses, under `/emeth/<chain>/`:
///
///     /emeth/<chain>/leader                 the leader's record (JSON), bound to its lease
///     /emeth/<chain>/head                   the newest block number in the log (20 digits)
///     /emeth/<chain>/floor                  the lowest block number not pruned (20 digits)
///     /emeth/<chain>/blocks/<20 digits>     one block's bytes
///
/// Numbers are zero-padded to 20 digits (UInt64's width) so that key order and byte order of
/// values are numeric order: range reads come back sorted and VALUE compares work.
public struct ClusterKeys: Sendable, Equatable {
    public let chain: String

    /// `chain`: a name for the chain (its id, e.g. "42"): letters, digits, '-', '_' and '.'.
    public init(chain: String) throws(EtcdError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !chain.isEmpty, chain.count <= 64, chain.allSatisfy(allowed.contains) else {
            throw .invalidArgument("chain name \"\(chain)\" must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        self.chain = chain
    }

    public var root: String { "/emeth/\(chain)/" }
    public var leader: String { root + "leader" }
    public var head: String { root + "head" }
    public var floor: String { root + "floor" }
    public var blocksPrefix: String { root + "blocks/" }

    public func block(_ number: UInt64) -> String { blocksPrefix + Self.pad(number) }

    /// The block number a block key names (nil: not a block key of this chain).
    public func blockNumber(ofKey key: String) -> UInt64? {
        guard key.hasPrefix(blocksPrefix) else { return nil }
        let digits = key.dropFirst(blocksPrefix.count)
        guard digits.count == 20 else { return nil }
        return UInt64(digits)
    }

    public static func pad(_ n: UInt64) -> String {
        let s = String(n)
        return String(repeating: "0", count: 20 - s.count) + s
    }

    /// A number stored by `pad` (head, floor).
    static func number(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 20 else { return nil }
        return UInt64(String(decoding: bytes, as: UTF8.self))
    }
}
