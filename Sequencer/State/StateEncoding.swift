import Core

/// Canonical encodings of state records: Solidity `abi.encode` of static fields, so any
/// Ethereum library (and an L1 contract) can decode a record and recompute its hash. The same
/// bytes are stored in RocksDB and hashed into the state tree (docs/PROTOCOL.md §State).
public enum StateEncoding {
    /// Tree keys (defined once, in Core's `StateTreeKey`, for light clients and the prover).
    public static func accountKey(_ a: Address) -> SMTHash { StateTreeKey.account(a) }
    public static func jobKey(_ id: JobID) -> SMTHash { try! StateTreeKey.job(id: id.bytes) }
    public static var totalsKey: SMTHash { StateTreeKey.totals }

    // abi.encode(uint256 balance, uint256 nonce, uint256 credit)
    public static func encode(_ a: Account) -> Bytes {
        var w = WordWriter()
        w.uint(a.balance); w.uint(UInt256(a.nonce)); w.uint(a.credit)
        return w.bytes
    }

    public static func decodeAccount(_ b: Bytes) throws(StateDecodingError) -> Account {
        var r = try WordReader(b, words: 3, what: "account")
        return Account(balance: r.uint(), nonce: try r.uint64(), credit: r.uint())
    }

    // abi.encode(bytes16 id, address owner, bytes16 parentJob, uint256 programId,
    //   uint256 numParallel, uint256 numEpoch, bytes32 dataset, bytes32 param, uint256 fuelLimit,
    //   uint256 fuelPrice, uint256 deadline, uint8 status, address node, uint256 fuelUsed,
    //   bytes32 result, uint256 escrow, uint256 nodeDeposit, uint256 childCount,
    //   uint256 verifiedChildren, uint256 createdAt, uint256 updatedAt)
    public static func encode(_ j: Job) -> Bytes {
        var w = WordWriter()
        w.left(j.id.bytes); w.address(j.owner); w.left(j.parentJob.bytes); w.uint(j.programId)
        w.uint(j.numParallel); w.uint(j.numEpoch); w.left(j.dataset.bytes); w.left(j.param.bytes)
        w.uint(j.fuelLimit); w.uint(j.fuelPrice); w.uint(UInt256(j.deadline)); w.uint(UInt256(UInt64(j.status.rawValue)))
        w.address(j.node); w.uint(j.fuelUsed); w.left(j.result.bytes); w.uint(j.escrow); w.uint(j.nodeDeposit)
        w.uint(UInt256(j.childCount)); w.uint(UInt256(j.verifiedChildren)); w.uint(UInt256(j.createdAt)); w.uint(UInt256(j.updatedAt))
        return w.bytes
    }

    /// Bytes of an encoded job record (21 words); account records are 3 words.
    public static let jobRecordSize = 21 * 32

    public static func decodeJob(_ b: Bytes) throws(StateDecodingError) -> Job {
        var r = try WordReader(b, words: 21, what: "job")
        let id = try JobID(bytesOrFail: r.left(16))
        let owner = try r.address()
        let parent = try JobID(bytesOrFail: r.left(16))
        let programId = r.uint(), numParallel = r.uint(), numEpoch = r.uint()
        let dataset = Hash32(unchecked: try r.left(32)), param = Hash32(unchecked: try r.left(32))
        let fuelLimit = r.uint(), fuelPrice = r.uint(), deadline = try r.uint64()
        let rawStatus = try r.uint64()
        guard let status = JobStatus(rawValue: UInt8(truncatingIfNeeded: rawStatus)), rawStatus <= 255 else {
            throw .invalid("job status \(rawStatus)")
        }
        let node = try r.address()
        let fuelUsed = r.uint(), result = Hash32(unchecked: try r.left(32)), escrow = r.uint(), nodeDeposit = r.uint()
        return Job(id: id, owner: owner, parentJob: parent, programId: programId, numParallel: numParallel, numEpoch: numEpoch,
                   dataset: dataset, param: param, fuelLimit: fuelLimit, fuelPrice: fuelPrice, deadline: deadline,
                   status: status, node: node, fuelUsed: fuelUsed, result: result, escrow: escrow, nodeDeposit: nodeDeposit,
                   childCount: try r.uint64(), verifiedChildren: try r.uint64(), createdAt: try r.uint64(), updatedAt: try r.uint64())
    }

    // abi.encode(uint256 totalDeposited, uint256 totalCredit, uint256 totalBurned,
    //   uint256 totalBalances, uint256 totalEscrow, uint256 totalNodeDeposits)
    public static func encode(_ t: Totals) -> Bytes {
        var w = WordWriter()
        for v in [t.totalDeposited, t.totalCredit, t.totalBurned, t.totalBalances, t.totalEscrow, t.totalNodeDeposits] { w.uint(v) }
        return w.bytes
    }

    public static func decodeTotals(_ b: Bytes) throws(StateDecodingError) -> Totals {
        var r = try WordReader(b, words: 6, what: "totals")
        var t = Totals()
        t.totalDeposited = r.uint(); t.totalCredit = r.uint(); t.totalBurned = r.uint()
        t.totalBalances = r.uint(); t.totalEscrow = r.uint(); t.totalNodeDeposits = r.uint()
        return t
    }
}

public enum StateDecodingError: Error, Equatable, CustomStringConvertible {
    case wrongSize(what: String, expected: Int, actual: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .wrongSize(let w, let e, let a): return "corrupt \(w) record: expected \(e) bytes, found \(a)"
        case .invalid(let m): return "corrupt state record: \(m)"
        }
    }
}

/// Appends 32-byte ABI words in place, into room reserved for a job record: one allocation per
/// record, not two or three per word.
struct WordWriter {
    var bytes = Bytes()
    init() { bytes.reserveCapacity(StateEncoding.jobRecordSize) }
    mutating func uint(_ v: UInt256) { v.appendBigEndian(to: &bytes) }
    mutating func address(_ a: Address) { zeros(12); bytes += a.bytes }
    /// bytesN: left-aligned, zero-padded on the right.
    mutating func left(_ b: Bytes) { bytes += b; zeros(32 - b.count) }
    private mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
}

/// Reads 32-byte ABI words from a record of known size, rejecting dirty padding.
struct WordReader {
    let b: Bytes
    var i = 0

    init(_ b: Bytes, words: Int, what: String) throws(StateDecodingError) {
        guard b.count == words * 32 else { throw .wrongSize(what: what, expected: words * 32, actual: b.count) }
        self.b = b
    }

    mutating func word() -> ArraySlice<UInt8> { defer { i += 32 }; return b[i..<(i + 32)] }

    /// Read straight from the record's bytes, most significant limb first (a record decodes
    /// up to 14 of these; the generic `UInt256(bigEndian:)` over a slice cost more than the read).
    mutating func uint() -> UInt256 {
        let at = i
        i += 32
        return b.withUnsafeBytes { raw in
            func limb(_ k: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: at + 8 * k, as: UInt64.self)) }
            return UInt256(w0: limb(3), w1: limb(2), w2: limb(1), w3: limb(0))
        }
    }

    mutating func uint64() throws(StateDecodingError) -> UInt64 {
        guard let v = uint().uint64 else { throw .invalid("64-bit field out of range at byte \(i - 32)") }
        return v
    }

    mutating func address() throws(StateDecodingError) -> Address {
        let w = Array(word())
        guard w[0..<12].allSatisfy({ $0 == 0 }) else { throw .invalid("dirty address padding at byte \(i - 32)") }
        return try! Address(bytes: Array(w[12...]))
    }

    mutating func left(_ n: Int) throws(StateDecodingError) -> Bytes {
        let w = Array(word())
        guard w[n...].allSatisfy({ $0 == 0 }) else { throw .invalid("dirty bytes\(n) padding at byte \(i - 32)") }
        return Array(w[..<n])
    }
}

extension JobID {
    init(bytesOrFail b: Bytes) throws(StateDecodingError) {
        do { try self.init(bytes: b) } catch { throw .invalid("job id length") }
    }
}
