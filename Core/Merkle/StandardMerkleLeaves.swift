import CKeccak

/// Leaves of the standard tree: keccak256(keccak256(abi.encode(values))). The double hash
/// keeps a 64-byte leaf preimage from ever equalling an inner node (second-preimage attack).
extension StandardMerkleTree {
    /// The leaf of values already ABI-encoded (`abi.encode(...)` bytes).
    public static func leafHash(abiEncoded: Bytes) -> Bytes {
        Keccak.hash256(Keccak.hash256(abiEncoded))
    }

    /// The settlement leaf of docs/PROTOCOL.md §5–6:
    /// `keccak256(bytes.concat(keccak256(abi.encode(address account, uint256 credit))))`.
    public static func settlementLeaf(account: Address, credit: UInt256) -> Bytes {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
            let p = buf.baseAddress!
            p.initialize(repeating: 0, count: 12)
            account.bytes.withUnsafeBufferPointer { (p + 12).initialize(from: $0.baseAddress!, count: 20) }
            var limbs = (credit.w3.bigEndian, credit.w2.bigEndian, credit.w1.bigEndian, credit.w0.bigEndian)
            withUnsafeBytes(of: &limbs) { (p + 32).initialize(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 32) }
            var inner = Bytes(repeating: 0, count: 32)
            inner.withUnsafeMutableBufferPointer { emeth_keccak256(p, 64, $0.baseAddress!) }
            return Keccak.hash256(inner)
        }
    }

    /// A tree over ABI-encoded values (one `abi.encode(...)` per value).
    public init(abiEncodedValues: [Bytes], sortLeaves: Bool = true) {
        self.init(validLeaves: abiEncodedValues.map(Self.leafHash), sortLeaves: sortLeaves)
    }

    /// The settlement tree over `(address account, uint256 credit)` values, as
    /// `StandardMerkleTree.of(values, ["address", "uint256"])` builds it.
    public init(settlements: [(account: Address, credit: UInt256)], sortLeaves: Bool = true) {
        self.init(validLeaves: settlements.map { Self.settlementLeaf(account: $0.account, credit: $0.credit) }, sortLeaves: sortLeaves)
    }

    /// The proof of one settlement value (the last such value if it occurs twice).
    public func proof(account: Address, credit: UInt256) -> [Bytes]? {
        proof(forLeaf: Self.settlementLeaf(account: account, credit: credit))
    }
}
