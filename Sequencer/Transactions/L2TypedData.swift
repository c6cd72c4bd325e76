import Core

/// EIP-712 struct hashing for the eleven L2 transaction types (docs/PROTOCOL.md §2), driven by
/// `L2TxSchema`: the sequencer hashes every incoming transaction, so this path skips the
/// generic typed-data model and goes straight from Swift values to 32-byte words.
public enum L2TypedData {
    /// The pinned type strings by type name (derived from the schema table); their keccak is
    /// each type's typeHash.
    public static let typeStrings: [String: String] = Dictionary(uniqueKeysWithValues: L2TxSchema.table.map { ($0.name, $0.typeString) })

    public static func typeHash(_ typeName: String) -> Bytes { L2TxSchema.byName[typeName]!.typeHash }

    /// hashStruct(message) = keccak256(typeHash ‖ encodeData(message)).
    public static func structHash(_ call: L2Call, nonce: UInt64) -> Bytes {
        let values = call.fieldValues
        var h = EIP712.StructHasher(typeHash: call.type.schema.typeHash, fields: values.count + 1)
        for v in values {
            switch v {
            case .jobId(let x): h.append(fixedBytes: x.bytes)
            case .hash(let x): h.append(fixedBytes: x.bytes)
            case .uint(let x): h.append(uint: x)
            case .jobIds(let xs): h.append(fixedBytesArray: xs.map(\.bytes))
            case .hashes(let xs): h.append(fixedBytesArray: xs.map(\.bytes))
            case .uints(let xs): h.append(uints: xs)
            }
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
