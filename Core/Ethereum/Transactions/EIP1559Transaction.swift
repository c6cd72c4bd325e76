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

    /// EIP-2930 access list entry. Storage keys are 32 bytes each (the decoder enforces it).
    public struct AccessListEntry: Hashable, Sendable {
        public var address: Address
        public var storageKeys: [Bytes]
        public init(address: Address, storageKeys: [Bytes]) { self.address = address; self.storageKeys = storageKeys }
    }

    /// The EIP-2718 type byte.
    public static let type: UInt8 = 0x02

    public init(chainId: UInt256, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256, gasLimit: UInt64,
                to: Address?, value: UInt256 = .zero, data: Bytes = [], accessList: [AccessListEntry] = []) {
        self.chainId = chainId; self.nonce = nonce; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas; self.gasLimit = gasLimit; self.to = to; self.value = value
        self.data = data; self.accessList = accessList
    }

    /// The nine signed fields, in EIP-1559 order.
    var fields: [RLPItem] {
        [.uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
         .address(to), .uint(value), .bytes(data),
         .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map { .bytes($0) })]) })]
    }

    /// keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit,
    /// to, value, data, accessList])): the digest the sender signs.
    public var signingHash: Bytes { Keccak.hash256(Self.envelope(fields)) }

    /// 0x02 ‖ rlp(list), written into one buffer.
    static func envelope(_ items: [RLPItem]) -> Bytes {
        let list = RLPItem.list(items)
        var out = Bytes()
        out.reserveCapacity(1 + RLP.encodedLength(list))
        out.append(type)
        RLP.append(list, to: &out)
        return out
    }

    /// Signs with RFC 6979 (deterministic): the same transaction and key always give the
    /// same raw bytes, as with eth-account.
    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = Transactions.sign(signingHash, key)
        let raw = Self.envelope(fields + [.uint(UInt64(sig.recoveryId)), Transactions.scalar(sig.r), Transactions.scalar(sig.s)])
        return SignedTransaction(raw: raw, kind: .eip1559(self), signature: sig, from: key.address)
    }
}

/// Helpers shared by the transaction kinds.
enum Transactions {
    /// Signing a 32-byte digest with a validated key fails only when libsecp256k1 returns
    /// recovery id 2 or 3 (probability ~2⁻¹²⁷), which no Ethereum encoding can carry.
    static func sign(_ digest: Bytes, _ key: PrivateKey) -> Signature {
        do { return try Secp256k1.sign(digest: digest, key: key) } catch {
            fatalError("secp256k1 signing failed: \(error)")
        }
    }

    /// A signature scalar as an RLP integer (no leading zeros).
    static func scalar(_ b: Bytes) -> RLPItem { .bytes(Array(b.drop { $0 == 0 })) }
}
