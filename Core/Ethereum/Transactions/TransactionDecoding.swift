/// Decoding raw transactions from untrusted sources (L1 RPC responses, exports). Every
/// field must be in its one canonical form, so `decode(raw).raw == raw` and the hash is
/// that of the input; the signature must be low-s and recover to a sender.
extension SignedTransaction {
    public enum DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        /// An EIP-2718 type byte (0x00–0x7f) other than 0x02.
        case unsupportedType(UInt8)
        /// 0x80–0xbf: neither a type byte nor the start of a legacy RLP list.
        case invalidLeadingByte(UInt8)
        /// Malformed RLP or a malformed field (the RLP error names the field).
        case rlp(RLPError)
        case wrongFieldCount(String, expected: Int, actual: Int)
        case invalidStorageKeyLength(Int)
        /// A legacy v that is neither 27/28 nor ≥ 35 (EIP-155).
        case invalidV(UInt256)
        /// A type-2 yParity other than 0 or 1.
        case invalidYParity(UInt256)
        case signature(Secp256k1.Error)

        public var description: String {
            switch self {
            case .empty: return "transaction: empty input"
            case .unsupportedType(let t): return "transaction: unsupported transaction type 0x\(Hex.encode([t], prefix: false))"
            case .invalidLeadingByte(let b):
                return "transaction: first byte 0x\(Hex.encode([b], prefix: false)) is neither a type byte nor an RLP list"
            case .rlp(let e): return "transaction: \(e)"
            case .wrongFieldCount(let w, let e, let a): return "transaction: \(w) must have \(e) fields, found \(a)"
            case .invalidStorageKeyLength(let n): return "transaction: access list storage key must be 32 bytes, found \(n)"
            case .invalidV(let v): return "transaction: invalid legacy v \(v) (expected 27, 28 or 35 + 2·chainId + {0,1})"
            case .invalidYParity(let p): return "transaction: invalid yParity \(p) (expected 0 or 1)"
            case .signature(let e): return "transaction: \(e)"
            }
        }
    }

    /// Decodes a type-2 or legacy transaction and recovers its sender.
    public static func decode(raw: Bytes) throws(DecodeError) -> SignedTransaction {
        guard let first = raw.first else { throw .empty }
        switch first {
        case EIP1559Transaction.type: return try decodeEIP1559(raw)
        case 0xc0...: return try decodeLegacy(raw)
        case 0x80...: throw .invalidLeadingByte(first)
        default: throw .unsupportedType(first)
        }
    }

    static func decodeEIP1559(_ raw: Bytes) throws(DecodeError) -> SignedTransaction {
        let f = try fields(raw.dropFirst(), kind: "type-2 transaction", count: 12)
        var access: [EIP1559Transaction.AccessListEntry] = []
        for entry in try rlp({ () throws(RLPError) in try f[8].listValue("accessList") }) {
            let pair = try rlp { () throws(RLPError) in try entry.listValue("access list entry") }
            guard pair.count == 2 else { throw .wrongFieldCount("access list entry", expected: 2, actual: pair.count) }
            let address = try rlp { () throws(RLPError) in try pair[0].addressValue("access list address") }
            var keys: [Bytes] = []
            for k in try rlp({ () throws(RLPError) in try pair[1].listValue("storage keys") }) {
                let key = try rlp { () throws(RLPError) in try k.bytesValue("storage key") }
                guard key.count == 32 else { throw .invalidStorageKeyLength(key.count) }
                keys.append(key)
            }
            access.append(.init(address: address, storageKeys: keys))
        }
        let tx = try rlp { () throws(RLPError) in
            EIP1559Transaction(
                chainId: try f[0].uint256Value("chainId"), nonce: try f[1].uint64Value("nonce"),
                maxPriorityFeePerGas: try f[2].uint256Value("maxPriorityFeePerGas"),
                maxFeePerGas: try f[3].uint256Value("maxFeePerGas"), gasLimit: try f[4].uint64Value("gas"),
                to: try recipient(f[5]), value: try f[6].uint256Value("value"),
                data: try f[7].bytesValue("data"), accessList: access)
        }
        let parity = try rlp { () throws(RLPError) in try f[9].uint256Value("yParity") }
        guard parity <= 1, let p = parity.uint64 else { throw .invalidYParity(parity) }
        let sig = try signature(f[10], f[11], yParity: UInt8(p))
        return SignedTransaction(raw: raw, kind: .eip1559(tx), signature: sig, from: try sender(tx.signingHash, sig))
    }

    static func decodeLegacy(_ raw: Bytes) throws(DecodeError) -> SignedTransaction {
        let f = try fields(raw[...], kind: "legacy transaction", count: 9)
        let v = try rlp { () throws(RLPError) in try f[6].uint256Value("v") }
        let chainId: UInt256?
        let parity: UInt8
        if v == 27 || v == 28 {
            chainId = nil
            parity = v == 28 ? 1 : 0
        } else if v >= 35 {
            let k = v - 35  // cannot underflow: v ≥ 35
            chainId = k >> 1
            parity = UInt8(truncatingIfNeeded: k.w0 & 1)
        } else {
            throw .invalidV(v)
        }
        let tx = try rlp { () throws(RLPError) in
            LegacyTransaction(nonce: try f[0].uint64Value("nonce"), gasPrice: try f[1].uint256Value("gasPrice"),
                              gasLimit: try f[2].uint64Value("gas"), to: try recipient(f[3]),
                              value: try f[4].uint256Value("value"), data: try f[5].bytesValue("data"), chainId: chainId)
        }
        let sig = try signature(f[7], f[8], yParity: parity)
        return SignedTransaction(raw: raw, kind: .legacy(tx), signature: sig, from: try sender(tx.signingHash, sig))
    }

    /// The top-level list, which must have exactly `count` items.
    static func fields(_ bytes: ArraySlice<UInt8>, kind: String, count: Int) throws(DecodeError) -> [RLPItem] {
        let f = try rlp { () throws(RLPError) in try RLP.decode(bytes).listValue(kind) }
        guard f.count == count else { throw .wrongFieldCount(kind, expected: count, actual: f.count) }
        return f
    }

    /// `to`: 20 bytes, or empty for contract creation.
    static func recipient(_ item: RLPItem) throws(RLPError) -> Address? {
        if case .bytes(let b) = item, b.isEmpty { return nil }
        return try item.addressValue("to")
    }

    static func signature(_ r: RLPItem, _ s: RLPItem, yParity: UInt8) throws(DecodeError) -> Signature {
        let rv = try rlp { () throws(RLPError) in try r.uint256Value("r") }
        let sv = try rlp { () throws(RLPError) in try s.uint256Value("s") }
        do { return try Signature(r: rv, s: sv, yParity: yParity) } catch { throw .signature(error) }
    }

    /// Recovery refuses high-s (EIP-2), so a malleated copy of a transaction never decodes.
    static func sender(_ digest: Bytes, _ sig: Signature) throws(DecodeError) -> Address {
        do { return try Secp256k1.recoverAddress(digest: digest, signature: sig) } catch { throw .signature(error) }
    }

    static func rlp<T>(_ body: () throws(RLPError) -> T) throws(DecodeError) -> T {
        do { return try body() } catch { throw .rlp(error) }
    }
}
