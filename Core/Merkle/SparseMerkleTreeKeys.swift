/// Keys and values of the state tree (docs/PROTOCOL.md §4.1 §Keys and values). They live in Core
/// so a light client, the prover and the CLI derive them exactly as the sequencer does.
///
/// Each key is keccak256 of a one-byte namespace and the identifier: the namespaces keep an
/// account, a job and the totals record from ever sharing a key, and hashing spreads keys
/// uniformly so the compacted tree stays about log2(n) deep whatever the identifiers are.
public enum StateTreeKey {
    public static let accountNamespace: UInt8 = 0x01
    public static let jobNamespace: UInt8 = 0x02
    public static let totalsNamespace: UInt8 = 0x03

    /// keccak256(0x01 ‖ address (20 bytes)).
    public static func account(_ address: Address) -> SMTHash {
        hash([accountNamespace] + address.bytes)
    }

    /// keccak256(0x02 ‖ jobId (16 bytes)).
    public static func job(id: Bytes) throws(SMTError) -> SMTHash {
        guard id.count == 16 else { throw .invalidLength(what: "16-byte job id", count: id.count) }
        return hash([jobNamespace] + id)
    }

    /// keccak256(0x03): the single totals record.
    public static let totals = hash([totalsNamespace])

    /// keccak256(record encoding): what the tree stores for a record.
    public static func valueHash(ofRecord encoding: Bytes) -> SMTHash { hash(encoding) }

    static func hash(_ bytes: Bytes) -> SMTHash {
        Keccak.hash256(bytes).withUnsafeBytes { SMTHash(loading: $0.baseAddress!) }
    }
}
