extension EIP712 {
    /// Builds `hashStruct(s) = keccak256(typeHash ‖ enc(field₁) ‖ …)` for a schema fixed in
    /// code: append each member's encoding in declaration order, then `finalize()`. One buffer
    /// sized up front, no per-field allocations for words, integers and addresses.
    public struct StructHasher {
        private var buffer: Bytes

        /// `fields` is a capacity hint (the number of members).
        public init(typeHash: Bytes, fields: Int = 8) {
            precondition(typeHash.count == 32, "typeHash must be 32 bytes")
            buffer = Bytes()
            buffer.reserveCapacity(32 * (fields + 1))
            buffer.append(contentsOf: typeHash)
        }

        /// The encoded struct so far (typeHash ‖ words): encodeData.
        public var encoded: Bytes { buffer }

        /// A 32-byte word as is: bytes32, a nested struct's hashStruct, a precomputed hash.
        public mutating func append(word: Bytes) {
            precondition(word.count == 32, "an EIP-712 word is 32 bytes")
            buffer.append(contentsOf: word)
        }

        /// uint<N> (any N: the value is already range-checked by its Swift type).
        public mutating func append(uint v: UInt256) { Self.appendWord(v, to: &buffer) }

        public mutating func append(uint v: UInt64) {
            buffer.append(contentsOf: Self.zeros24)
            withUnsafeBytes(of: v.bigEndian) { buffer.append(contentsOf: $0) }
        }

        public mutating func append(address a: Address) {
            buffer.append(contentsOf: Self.zeros24.prefix(12))
            buffer.append(contentsOf: a.bytes)
        }

        public mutating func append(bool b: Bool) {
            buffer.append(contentsOf: Self.zeros24)
            buffer.append(contentsOf: Self.zeros24.prefix(7))
            buffer.append(b ? 1 : 0)
        }

        /// bytes1…bytes32 (e.g. a bytes16 jobId): left-aligned, zero-padded on the right.
        public mutating func append(fixedBytes b: Bytes) {
            precondition(b.count <= 32, "bytesN holds at most 32 bytes")
            buffer.append(contentsOf: b)
            for _ in b.count..<32 { buffer.append(0) }
        }

        /// Dynamic `bytes`: keccak256 of the content.
        public mutating func append(dynamic b: Bytes) { buffer.append(contentsOf: Keccak.hash256(b)) }

        /// `string`: keccak256 of its UTF-8.
        public mutating func append(string s: String) { buffer.append(contentsOf: Keccak.hash256(s)) }

        /// An array of 32-byte words (bytes32[], hashes of structs): keccak256 of the concatenation.
        public mutating func append(words: [Bytes]) {
            var h = Keccak.Hasher()
            for w in words {
                precondition(w.count == 32, "an EIP-712 word is 32 bytes")
                h.update(w)
            }
            buffer.append(contentsOf: h.finalize())
        }

        /// uint256[]: keccak256 of the concatenated words.
        public mutating func append(uints: [UInt256]) {
            var inner = Bytes()
            inner.reserveCapacity(32 * uints.count)
            for v in uints { Self.appendWord(v, to: &inner) }
            buffer.append(contentsOf: Keccak.hash256(inner))
        }

        /// bytesN[] (e.g. bytes16[] jobIds): keccak256 of the right-padded words.
        public mutating func append(fixedBytesArray items: [Bytes]) {
            var inner = Bytes()
            inner.reserveCapacity(32 * items.count)
            for b in items {
                precondition(b.count <= 32, "bytesN holds at most 32 bytes")
                inner.append(contentsOf: b)
                for _ in b.count..<32 { inner.append(0) }
            }
            buffer.append(contentsOf: Keccak.hash256(inner))
        }

        /// address[]: keccak256 of the left-padded words.
        public mutating func append(addresses: [Address]) {
            var inner = Bytes()
            inner.reserveCapacity(32 * addresses.count)
            for a in addresses {
                inner.append(contentsOf: Self.zeros24.prefix(12))
                inner.append(contentsOf: a.bytes)
            }
            buffer.append(contentsOf: Keccak.hash256(inner))
        }

        /// hashStruct = keccak256(typeHash ‖ words).
        public func finalize() -> Bytes { Keccak.hash256(buffer) }

        static let zeros24 = Bytes(repeating: 0, count: 24)

        @inline(__always)
        static func appendWord(_ v: UInt256, to out: inout Bytes) {
            withUnsafeBytes(of: v.w3.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: v.w2.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: v.w1.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: v.w0.bigEndian) { out.append(contentsOf: $0) }
        }
    }
}
