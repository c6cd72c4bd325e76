/// An EIP-1559 (type 2) transaction: what the bridge signs and sends to L1.
public struct EIP1559Transaction: Hashable, Sendable {
    public var chainId: UInt256
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// nil creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: Bytes
    public var accessList: [AccessListEntry]

    public struct AccessListEntry: Hashable, Sendable {
        public var address: Address
        public var storageKeys: [Bytes]
        public init(address: Address, storageKeys: [Bytes]) { self.address = address; self.storageKeys = storageKeys }
    }

    public init(chainId: UInt256, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256, gasLimit: UInt64,
                to: Address?, value: UInt256 = .zero, data: Bytes = [], accessList: [AccessListEntry] = []) {
        self.chainId = chainId; self.nonce = nonce; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas; self.gasLimit = gasLimit; self.to = to; self.value = value
        self.data = data; self.accessList = accessList
    }

    var fields: [RLPItem] {
        [.uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
         .address(to), .uint(value), .bytes(data),
         .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map { .bytes($0) })]) })]
    }

    /// keccak256(0x02 ‖ rlp([chainId, nonce, …, accessList])).
    public var signingHash: Bytes { Keccak.hash256([0x02] + RLP.encode(.list(fields))) }

    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = try! Secp256k1.sign(digest: signingHash, key: key)
        let raw = [0x02] + RLP.encode(.list(fields + [.uint(UInt64(sig.recoveryId)), .bytes(trimmed(sig.r)), .bytes(trimmed(sig.s))]))
        return SignedTransaction(raw: raw, kind: .eip1559(self), signature: sig)
    }
}

/// A legacy transaction, with EIP-155 replay protection when `chainId` is set.
public struct LegacyTransaction: Hashable, Sendable {
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    public var to: Address?
    public var value: UInt256
    public var data: Bytes
    public var chainId: UInt256?

    public init(nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?, value: UInt256 = .zero,
                data: Bytes = [], chainId: UInt256?) {
        self.nonce = nonce; self.gasPrice = gasPrice; self.gasLimit = gasLimit; self.to = to
        self.value = value; self.data = data; self.chainId = chainId
    }

    var fields: [RLPItem] {
        [.uint(nonce), .uint(gasPrice), .uint(gasLimit), .address(to), .uint(value), .bytes(data)]
    }

    /// EIP-155: keccak256(rlp([…, chainId, 0, 0])); without a chain id, the six fields only.
    public var signingHash: Bytes {
        let extra: [RLPItem] = chainId.map { [.uint($0), .bytes([]), .bytes([])] } ?? []
        return Keccak.hash256(RLP.encode(.list(fields + extra)))
    }

    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = try! Secp256k1.sign(digest: signingHash, key: key)
        let v: UInt256 = chainId.map { $0 * 2 + UInt256(UInt64(35 + sig.recoveryId)) } ?? UInt256(UInt64(27 + sig.recoveryId))
        let raw = RLP.encode(.list(fields + [.uint(v), .bytes(trimmed(sig.r)), .bytes(trimmed(sig.s))]))
        return SignedTransaction(raw: raw, kind: .legacy(self), signature: sig)
    }
}

/// Signature scalars are RLP integers: no leading zeros.
func trimmed(_ b: Bytes) -> Bytes { Array(b.drop { $0 == 0 }) }

/// A signed transaction as it travels: its raw bytes, what they decode to, and the signature.
public struct SignedTransaction: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case eip1559(EIP1559Transaction)
        case legacy(LegacyTransaction)
    }

    public let raw: Bytes
    public let kind: Kind
    public let signature: Signature

    /// The transaction hash: keccak256 of the raw bytes.
    public var hash: Bytes { Keccak.hash256(raw) }

    public var nonce: UInt64 {
        switch kind { case .eip1559(let t): return t.nonce; case .legacy(let t): return t.nonce }
    }

    var signingHash: Bytes {
        switch kind { case .eip1559(let t): return t.signingHash; case .legacy(let t): return t.signingHash }
    }

    /// The sender, recovered from the signature.
    public func sender() throws(Secp256k1.Error) -> Address {
        try Secp256k1.recover(digest: signingHash, signature: signature).address
    }

    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        case empty
        case unsupportedType(UInt8)
        case rlp(RLPError)
        case invalidField(String)
        case signature(Secp256k1.Error)

        public var description: String {
            switch self {
            case .empty: return "transaction: empty input"
            case .unsupportedType(let t): return "transaction: unsupported type 0x\(String(t, radix: 16))"
            case .rlp(let e): return "transaction: \(e)"
            case .invalidField(let f): return "transaction: invalid \(f)"
            case .signature(let e): return "transaction: \(e)"
            }
        }
    }

    /// Decodes raw bytes (type 2 or legacy); the signature must be low-s.
    public static func decode(raw: Bytes) throws(DecodeError) -> SignedTransaction {
        guard let first = raw.first else { throw .empty }
        do {
            if first == 0x02 {
                let f = try RLP.decode(Array(raw.dropFirst())).listValue("transaction")
                guard f.count == 12 else { throw RLPError.wrongFieldCount("type-2 transaction", expected: 12, actual: f.count) }
                var access: [EIP1559Transaction.AccessListEntry] = []
                for e in try f[8].listValue("accessList") {
                    let pair = try e.listValue("access list entry")
                    guard pair.count == 2, let a = try? Address(bytes: try pair[0].bytesValue("access list address")) else {
                        throw DecodeError.invalidField("access list entry")
                    }
                    var keys: [Bytes] = []
                    for k in try pair[1].listValue("storage keys") {
                        let key = try k.bytesValue("storage key")
                        guard key.count == 32 else { throw DecodeError.invalidField("storage key length") }
                        keys.append(key)
                    }
                    access.append(.init(address: a, storageKeys: keys))
                }
                let tx = EIP1559Transaction(chainId: try f[0].uint256Value("chainId"), nonce: try f[1].uint64Value("nonce"),
                                            maxPriorityFeePerGas: try f[2].uint256Value("maxPriorityFeePerGas"),
                                            maxFeePerGas: try f[3].uint256Value("maxFeePerGas"), gasLimit: try f[4].uint64Value("gas"),
                                            to: try toAddress(f[5]), value: try f[6].uint256Value("value"),
                                            data: try f[7].bytesValue("data"), accessList: access)
                let parity = try f[9].uint64Value("yParity")
                guard parity <= 1 else { throw DecodeError.invalidField("yParity \(parity)") }
                let sig = try signature(f[10], f[11], recid: UInt8(parity))
                return SignedTransaction(raw: raw, kind: .eip1559(tx), signature: sig)
            }
            guard first >= 0xc0 else { throw DecodeError.unsupportedType(first) }
            let f = try RLP.decode(raw).listValue("transaction")
            guard f.count == 9 else { throw RLPError.wrongFieldCount("legacy transaction", expected: 9, actual: f.count) }
            let v = try f[6].uint256Value("v")
            let chainId: UInt256?
            let recid: UInt8
            if v == 27 || v == 28 {
                chainId = nil; recid = UInt8(v.uint64! - 27)
            } else if v >= 35 {
                let c = (v - 35) / 2
                chainId = c; recid = UInt8((v - 35 - c * 2).uint64!)
            } else {
                throw DecodeError.invalidField("v \(v)")
            }
            let tx = LegacyTransaction(nonce: try f[0].uint64Value("nonce"), gasPrice: try f[1].uint256Value("gasPrice"),
                                       gasLimit: try f[2].uint64Value("gas"), to: try toAddress(f[3]),
                                       value: try f[4].uint256Value("value"), data: try f[5].bytesValue("data"), chainId: chainId)
            return SignedTransaction(raw: raw, kind: .legacy(tx), signature: try signature(f[7], f[8], recid: recid))
        } catch let e as DecodeError {
            throw e
        } catch let e as RLPError {
            throw .rlp(e)
        } catch let e as Secp256k1.Error {
            throw .signature(e)
        } catch {
            throw .invalidField("\(error)")
        }
    }

    static func toAddress(_ item: RLPItem) throws -> Address? {
        let b = try item.bytesValue("to")
        if b.isEmpty { return nil }
        guard let a = try? Address(bytes: b) else { throw DecodeError.invalidField("to (\(b.count) bytes)") }
        return a
    }

    static func signature(_ r: RLPItem, _ s: RLPItem, recid: UInt8) throws -> Signature {
        let rv = try r.uint256Value("r"), sv = try s.uint256Value("s")
        guard !rv.isZero, !sv.isZero else { throw Secp256k1.Error.invalidSignature }
        let sig = Signature(r: rv.bigEndianBytes, s: sv.bigEndianBytes, recoveryId: recid)
        guard sig.isLowS else { throw Secp256k1.Error.highS }
        return sig
    }
}
