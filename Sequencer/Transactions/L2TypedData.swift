import Core

/// EIP-712 struct hashing for the eleven L2 transaction types (docs/PROTOCOL.md §2), written out per
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

    static let typeHashes: [String: Bytes] = typeStrings.mapValues(EIP712.typeHash)

    public static func typeHash(_ typeName: String) -> Bytes { typeHashes[typeName]! }

    /// hashStruct(message) = keccak256(typeHash ‖ encodeData(message)).
    public static func structHash(_ call: L2Call, nonce: UInt64) -> Bytes {
        var h = EIP712.StructHasher(typeHash: typeHash(call.typeName), fields: 11)
        switch call {
        case .registerJob(let r):
            h.append(fixedBytes: r.jobId.bytes); h.append(fixedBytes: r.parentJob.bytes); h.append(uint: r.programId)
            h.append(uint: r.numParallel); h.append(uint: r.numEpoch); h.append(fixedBytes: r.dataset.bytes)
            h.append(fixedBytes: r.param.bytes); h.append(uint: r.fuelLimit); h.append(uint: r.fuelPrice); h.append(uint: r.deadline)
        case .cancelJob(let id), .process(let id), .decline(let id), .verify(let id), .reject(let id), .timeout(let id):
            h.append(fixedBytes: id.bytes)
        case .submit(let id, let result, let fuelUsed):
            h.append(fixedBytes: id.bytes); h.append(fixedBytes: result.bytes); h.append(uint: fuelUsed)
        case .split(let s):
            h.append(fixedBytes: s.parentJob.bytes)
            h.append(fixedBytesArray: s.jobIds.map(\.bytes))
            h.append(fixedBytesArray: s.datasets.map(\.bytes))
            h.append(uints: s.fuelLimits)
        case .aggregate(let parent, let result):
            h.append(fixedBytes: parent.bytes); h.append(fixedBytes: result.bytes)
        case .withdraw(let amount):
            h.append(uint: amount)
        }
        h.append(uint: nonce)
        return h.finalize()
    }

    /// The domain of docs/PROTOCOL.md §2: name "EMETH L2", version "1", the L1 chain id and the L1
    /// rollup contract. Tickets use the same domain.
    public static func domain(chainId: UInt256, rollup: Address) -> EIP712.Domain {
        .emethL2(chainId: chainId, verifyingContract: rollup)
    }
}
