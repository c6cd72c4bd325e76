extension Secp256k1 {
    /// Why a key or signature was refused; each message names the rule that was broken.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        case invalidPrivateKey
        case invalidPublicKey
        case invalidDigestLength(Int)
        case invalidSignatureLength(Int)
        /// `v` of a 65-byte `r‖s‖v` signature other than 27 or 28.
        case invalidV(UInt8)
        /// A recovery id / y-parity other than 0 or 1.
        case invalidYParity(UInt8)
        /// r is zero or not below the curve order n.
        case invalidR
        /// s is zero or not below the curve order n.
        case invalidS
        /// s > n/2: the malleable twin of a valid signature (EIP-2); only low-s is accepted.
        case highS
        case recoveryFailed

        public var description: String {
            switch self {
            case .invalidPrivateKey: return "secp256k1: invalid private key (must be 32 bytes, non-zero, below the curve order)"
            case .invalidPublicKey: return "secp256k1: invalid public key"
            case .invalidDigestLength(let n): return "secp256k1: message digest must be 32 bytes, got \(n)"
            case .invalidSignatureLength(let n): return "secp256k1: signature must be 65 bytes r‖s‖v, got \(n)"
            case .invalidV(let v): return "secp256k1: invalid signature v \(v) (expected 27 or 28)"
            case .invalidYParity(let p): return "secp256k1: invalid signature y-parity \(p) (expected 0 or 1)"
            case .invalidR: return "secp256k1: signature r is zero or not below the curve order"
            case .invalidS: return "secp256k1: signature s is zero or not below the curve order"
            case .highS: return "secp256k1: signature s is in the upper half of the curve order (malleable); only low-s is accepted"
            case .recoveryFailed: return "secp256k1: no public key recovers from this signature"
            }
        }
    }
}
