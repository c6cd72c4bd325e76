import Core

/// EIP-712 struct hashing for the eleven L2 transaction types (DESIGN §4), written out per
/// type: the sequencer hashes every incoming transaction, so this path skips the generic
/// typed-data model and goes straight from Swift values to 32-byte words.
public enum L2TypedData {
    /// The pinned type strings; their keccak is each type's typeHash.
    public static let typeStrings: [String: String] = [
        "RegisterJob": "RegisterJob(bytes16 jobId,bytes16 parentJob,uint256 programId,uint256 numParallel,uint256 numEpoch,bytes32 dataset,bytes32 param,uint256 fuelLimit,uint256 fuelPrice,uint256 deadline,uint256 nonce)",
        "CancelJob": "CancelJob(bytes16 jobId,uint256 nonce)",
        "Process": "Process(bytes16 jobId,uint256 nonce)",
        "Decline": "Decline(bytes16 jobId,uint256 nonce)",
        "Submit": "Submit(bytes16 jobId,bytes32 result,uint256 fuelUsed,uint256 nonce)",
        "Verify": "Verify(bytes16 jobId,uint256 nonce)",
        "Reject": "Reject(bytes16 jobId,uint256 nonce)",
        "Timeout": "Timeout(bytes16 jobId,uint256 nonce)",
        "Split": "Split(bytes16 parentJob,bytes16[] jobIds,bytes32[] datasets,uint256[] fuelLimits,uint256 nonce)",
        "Aggregate": "Aggregate(bytes16 parentJob,bytes32 result,uint256 nonce)",
        "Withdraw": "Withdraw(uint256 amount,uint256 nonce)",
    ]

    static let typeHashes: [String: Bytes] = typeStrings.mapValues { Keccak.hash256($0) }

    public static func typeHash(_ typeName: String) -> Bytes { typeHashes[typeName]! }

    /// hashStruct(message) = keccak256(typeHash ‖ encodeData(message)).
    public static func structHash(_ call: L2Call, nonce: UInt64) -> Bytes {
        var w = WordWriter()
        w.bytes = typeHash(call.typeName)
        switch call {
        case .registerJob(let r):
            w.left(r.jobId.bytes); w.left(r.parentJob.bytes); w.uint(r.programId); w.uint(r.numParallel)
            w.uint(r.numEpoch); w.left(r.dataset.bytes); w.left(r.param.bytes); w.uint(r.fuelLimit)
            w.uint(r.fuelPrice); w.uint(r.deadline)
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id):
            w.left(id.bytes)
        case .submit(let id, let result, let fuelUsed):
            w.left(id.bytes); w.left(result.bytes); w.uint(fuelUsed)
        case .split(let s):
            // Arrays encode as keccak256 of their elements' concatenated encodings.
            var ids = WordWriter(), ds = WordWriter(), fs = WordWriter()
            for id in s.jobIds { ids.left(id.bytes) }
            for d in s.datasets { ds.left(d.bytes) }
            for f in s.fuelLimits { fs.uint(f) }
            w.left(s.parentJob.bytes); w.left(Keccak.hash256(ids.bytes)); w.left(Keccak.hash256(ds.bytes))
            w.left(Keccak.hash256(fs.bytes))
        case .aggregate(let parent, let result):
            w.left(parent.bytes); w.left(result.bytes)
        case .withdraw(let amount):
            w.uint(amount)
        }
        w.uint(UInt256(nonce))
        return Keccak.hash256(w.bytes)
    }

    /// The EIP-712 domain separator of DESIGN §4: name "EMETH L2", version "1", the L1 chain
    /// id and the L1 rollup contract. Tickets use the same domain.
    public static func domainSeparator(chainId: UInt256, rollup: Address) -> Bytes {
        var w = WordWriter()
        w.bytes = Keccak.hash256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
        w.left(Keccak.hash256("EMETH L2")); w.left(Keccak.hash256("1")); w.uint(chainId); w.address(rollup)
        return Keccak.hash256(w.bytes)
    }

    /// keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash): what the sender signs, and the
    /// transaction's hash.
    public static func digest(domainSeparator: Bytes, structHash: Bytes) -> Bytes {
        Keccak.hash256([0x19, 0x01] + domainSeparator + structHash)
    }

    public static let ticketType = "Ticket(address account,uint256 credit,uint256 blockNumber)"
    static let ticketTypeHash = Keccak.hash256(ticketType)

    public static func ticketStructHash(account: Address, credit: UInt256, blockNumber: UInt64) -> Bytes {
        var w = WordWriter()
        w.bytes = ticketTypeHash
        w.address(account); w.uint(credit); w.uint(UInt256(blockNumber))
        return Keccak.hash256(w.bytes)
    }
}
