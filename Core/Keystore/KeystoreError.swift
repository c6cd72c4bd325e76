/// Why a Web3 Secret Storage (v3) keystore could not be read, decrypted or written. Field
/// names are JSON paths (`crypto.kdfparams.salt`) so a user can fix the file.
public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidJSON(String)
    case missingField(String)
    case invalidField(String, String)
    case unsupportedVersion(String)
    case unsupportedKDF(String)
    case unsupportedCipher(String)
    case unsupportedPRF(String)
    case kdfParametersOutOfBounds(String)
    /// The MAC did not match: the password is wrong (or the file was altered).
    case wrongPassword
    case addressMismatch(file: Address, key: Address)
    case invalidPrivateKey
    case crypto(String)

    public var description: String {
        switch self {
        case .invalidJSON(let m): return "keystore: invalid JSON (\(m))"
        case .missingField(let f): return "keystore: missing field \(f)"
        case .invalidField(let f, let why): return "keystore: invalid \(f): \(why)"
        case .unsupportedVersion(let v): return "keystore: unsupported version \(v) (only version 3 is supported)"
        case .unsupportedKDF(let k): return "keystore: unsupported kdf \"\(k)\" (expected scrypt or pbkdf2)"
        case .unsupportedCipher(let c): return "keystore: unsupported cipher \"\(c)\" (expected aes-128-ctr)"
        case .unsupportedPRF(let p): return "keystore: unsupported pbkdf2 prf \"\(p)\" (expected hmac-sha256)"
        case .kdfParametersOutOfBounds(let why): return "keystore: kdf parameters out of bounds: \(why)"
        case .wrongPassword: return "keystore: wrong password (MAC mismatch)"
        case .addressMismatch(let f, let k): return "keystore: file says address \(f) but the key belongs to \(k)"
        case .invalidPrivateKey: return "keystore: not a valid secp256k1 private key"
        case .crypto(let m): return "keystore: OpenSSL failure: \(m)"
        }
    }
}
