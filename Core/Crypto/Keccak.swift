import CKeccak

/// Keccak-256 as used by Ethereum (original Keccak padding, not NIST SHA3-256).
public enum Keccak {
    /// One-shot hash of a contiguous byte buffer.
    @inline(__always)
    public static func hash256(_ bytes: UnsafeRawBufferPointer) -> Bytes {
        Bytes(unsafeUninitializedCapacity: 32) { out, n in
            emeth_keccak256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress)
            n = 32
        }
    }

    public static func hash256(_ bytes: Bytes) -> Bytes {
        bytes.withUnsafeBytes { hash256($0) }
    }

    public static func hash256(_ text: String) -> Bytes {
        var copy = text
        return copy.withUTF8 { hash256(UnsafeRawBufferPointer($0)) }
    }

    /// keccak256(a ‖ b) without building the concatenation on the heap: the hot path of
    /// every Merkle tree here.
    @inline(__always)
    public static func hash256(_ a: Bytes, _ b: Bytes) -> Bytes {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: a.count + b.count) { buf in
            _ = buf.initialize(fromContentsOf: a)
            _ = UnsafeMutableBufferPointer(rebasing: buf[a.count...]).initialize(fromContentsOf: b)
            return hash256(UnsafeRawBufferPointer(buf))
        }
    }

    /// Streaming hasher for inputs that arrive in pieces.
    public struct Hasher {
        private var ctx = emeth_keccak256_ctx()

        public init() { emeth_keccak256_init(&ctx) }

        public mutating func update(_ bytes: Bytes) {
            bytes.withUnsafeBufferPointer { emeth_keccak256_update(&ctx, $0.baseAddress, $0.count) }
        }

        public mutating func finalize() -> Bytes {
            Bytes(unsafeUninitializedCapacity: 32) { out, n in
                emeth_keccak256_final(&ctx, out.baseAddress)
                n = 32
            }
        }
    }
}
