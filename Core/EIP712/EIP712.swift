/// The fast path for fixed schemas. The sequencer hashes every L2 transaction and every
/// Ticket (docs/PROTOCOL.md §2, §7) with types known at compile time, so those go straight from Swift
/// values to words with `StructHasher` and a `Domain` whose separator is computed once,
/// never through the JSON model of `TypedData`.
public enum EIP712 {
    /// keccak256(encodeType) of a struct type string such as `Ticket(address account,…)`.
    public static func typeHash(_ typeString: String) -> Bytes { Keccak.hash256(typeString) }

    /// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash), hashed from a stack buffer.
    /// Both inputs are 32-byte hashes; other lengths are hashed as given.
    public static func digest(domainSeparator: Bytes, structHash: Bytes) -> Bytes {
        let n = 2 + domainSeparator.count + structHash.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buf in
            buf[0] = 0x19
            buf[1] = 0x01
            _ = UnsafeMutableBufferPointer(rebasing: buf[2...]).initialize(fromContentsOf: domainSeparator)
            _ = UnsafeMutableBufferPointer(rebasing: buf[(2 + domainSeparator.count)...]).initialize(fromContentsOf: structHash)
            return Keccak.hash256(UnsafeRawBufferPointer(buf))
        }
    }

    /// `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`,
    /// the domain shape of docs/PROTOCOL.md §2, with its separator computed once at construction.
    public struct Domain: Hashable, Sendable {
        public static let typeString = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
        public static let typeHash = Keccak.hash256(typeString)

        public let name: String
        public let version: String
        public let chainId: UInt256
        public let verifyingContract: Address
        /// hashStruct(domain), cached.
        public let separator: Bytes

        public init(name: String, version: String, chainId: UInt256, verifyingContract: Address) {
            self.name = name
            self.version = version
            self.chainId = chainId
            self.verifyingContract = verifyingContract
            var h = StructHasher(typeHash: Self.typeHash, fields: 4)
            h.append(string: name)
            h.append(string: version)
            h.append(uint: chainId)
            h.append(address: verifyingContract)
            separator = h.finalize()
        }

        /// The rollup's domain (docs/PROTOCOL.md §2): name "EMETH L2", version "1", the L1 chain id and
        /// the L1 EmethRollup contract.
        public static func emethL2(chainId: UInt256, verifyingContract: Address) -> Domain {
            Domain(name: "EMETH L2", version: "1", chainId: chainId, verifyingContract: verifyingContract)
        }

        /// The signing digest of a message under this domain.
        public func digest(structHash: Bytes) -> Bytes {
            EIP712.digest(domainSeparator: separator, structHash: structHash)
        }

        /// The same domain as a JSON object for `TypedData` / eth_signTypedData_v4.
        public var json: EIP712Value {
            .object(["name": .string(name), "version": .string(version), "chainId": .number(chainId.description),
                     "verifyingContract": .string(verifyingContract.checksummed)])
        }
    }

    /// The Signer's ticket `Ticket(address account,uint256 credit,uint256 blockNumber)`
    /// (docs/PROTOCOL.md §5–6), signed under the rollup domain and redeemed by `claimWithTicket` on L1.
    public enum Ticket {
        public static let typeString = "Ticket(address account,uint256 credit,uint256 blockNumber)"
        public static let typeHash = Keccak.hash256(typeString)

        public static func structHash(account: Address, credit: UInt256, blockNumber: UInt64) -> Bytes {
            var h = StructHasher(typeHash: typeHash, fields: 3)
            h.append(address: account)
            h.append(uint: credit)
            h.append(uint: blockNumber)
            return h.finalize()
        }

        public static func digest(domain: Domain, account: Address, credit: UInt256, blockNumber: UInt64) -> Bytes {
            domain.digest(structHash: structHash(account: account, credit: credit, blockNumber: blockNumber))
        }
    }
}
