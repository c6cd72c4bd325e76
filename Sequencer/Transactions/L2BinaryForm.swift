import Core

/// The binary form of a signed L2 transaction (docs/PROTOCOL.md §7), derived from `L2TxSchema`:
///
///     tx = RLP([type, nonce, …the call's fields in the order of its EIP-712 type…, signature])
///
/// bytes16 and bytes32 fields are byte strings, uint256 fields minimal big-endian integers,
/// arrays lists. Batches carry it inside their block lists, `forceTransaction` carries
/// `encoded` on L1, and the block store keeps `encoded` next to the sender and hash.
extension L2Envelope {
    public var rlp: RLPItem {
        let values = call.fieldValues
        var f: [RLPItem] = [.uint(UInt64(call.type.rawValue)), .uint(nonce)]
        f.reserveCapacity(values.count + 3)
        for v in values {
            switch v {
            case .jobId(let x): f.append(.bytes(x.bytes))
            case .hash(let x): f.append(.bytes(x.bytes))
            case .uint(let x): f.append(.uint(x))
            case .jobIds(let xs): f.append(.list(xs.map { .bytes($0.bytes) }))
            case .hashes(let xs): f.append(.list(xs.map { .bytes($0.bytes) }))
            case .uints(let xs): f.append(.list(xs.map { .uint($0) }))
            }
        }
        f.append(.bytes(signature))
        return .list(f)
    }

    /// `RLP(tx)`: what `forceTransaction` carries and the block store keeps.
    public var encoded: Bytes { RLP.encode(rlp) }

    /// The inverse of `encoded`, for bytes from anyone (L1 calldata): strict, every field of its
    /// exact size, so one transaction has one binary form.
    public init(encoded bytes: Bytes) throws {
        try self.init(rlp: try RLP.decode(bytes), where: "transaction")
    }

    /// Reads `[type, nonce, …fields…, signature]`; errors name `w` (e.g. "block 3 transaction 0").
    public init(rlp item: RLPItem, where w: String) throws {
        let f = try item.listValue(w)
        guard f.count >= 4 else { throw BatchCodec.Error.malformed("\(w): too few fields") }
        let code = try f[0].uint64Value("\(w) type")
        let nonce = try f[1].uint64Value("\(w) nonce")
        let signature = try f[f.count - 1].bytesValue("\(w) signature")
        guard signature.count == 65 else { throw BatchCodec.Error.malformed("\(w): signature has \(signature.count) bytes, not 65") }
        guard code <= UInt64(UInt8.max), let type = L2TxType(rawValue: UInt8(code)) else {
            throw BatchCodec.Error.malformed("\(w): unknown transaction type \(code)")
        }
        let fields = type.schema.fields
        guard f.count - 3 == fields.count else {
            throw BatchCodec.Error.malformed("\(w): type \(code) has \(fields.count) fields, found \(f.count - 3)")
        }
        func fixed(_ item: RLPItem, _ n: Int, _ what: String) throws -> Bytes {
            let b = try item.bytesValue(what)
            guard b.count == n else { throw BatchCodec.Error.malformed("\(what) has \(b.count) bytes, not \(n)") }
            return b
        }
        var values: [L2FieldValue] = []
        values.reserveCapacity(fields.count)
        for (k, field) in fields.enumerated() {
            let item = f[k + 2], what = "\(w) \(field.name)"
            switch field.kind {
            case .bytes16: values.append(.jobId(try JobID(bytes: try fixed(item, 16, what))))
            case .bytes32: values.append(.hash(Hash32(unchecked: try fixed(item, 32, what))))
            case .uint256: values.append(.uint(try item.uint256Value(what)))
            case .bytes16Array:
                values.append(.jobIds(try item.listValue(what).enumerated().map { try JobID(bytes: try fixed($1, 16, "\(what)[\($0)]")) }))
            case .bytes32Array:
                values.append(.hashes(try item.listValue(what).enumerated().map { Hash32(unchecked: try fixed($1, 32, "\(what)[\($0)]")) }))
            case .uint256Array:
                values.append(.uints(try item.listValue(what).enumerated().map { try $1.uint256Value("\(what)[\($0)]") }))
            }
        }
        self.init(call: L2Call(type: type, values: values), nonce: nonce, signature: signature)
    }
}
