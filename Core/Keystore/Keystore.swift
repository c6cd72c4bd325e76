import Foundation

/// A Web3 Secret Storage (version 3) keystore: the encrypted key file geth, eth-account,
/// MetaMask and every Ethereum wallet read and write. Operators' keys (sequencer, signer,
/// bridge) live in these files, never in flags (docs/API.md). No I/O here: the CLI reads the
/// file and passes its bytes.
///
/// decrypt: derivedKey = KDF(password, salt, dklen); check
/// keccak256(derivedKey[16..<32] ‖ ciphertext) == mac; key = AES-128-CTR(derivedKey[0..<16], iv, ciphertext).
public struct Keystore: Equatable, Sendable {
    public enum KDF: Equatable, Sendable {
        case scrypt(n: Int, r: Int, p: Int)
        /// PBKDF2 with HMAC-SHA256 (the only prf the format defines).
        case pbkdf2(c: Int)
    }

    /// The work parameters of a new keystore.
    public struct Parameters: Equatable, Sendable {
        public var kdf: KDF
        public var dklen: Int

        public init(kdf: KDF, dklen: Int = 32) {
            self.kdf = kdf
            self.dklen = dklen
        }

        /// geth's StandardScryptN/P: n=2^18, r=8, p=1 (≈256 MiB, about a second).
        public static let standard = Parameters(kdf: .scrypt(n: 1 << 18, r: 8, p: 1))
        /// geth's LightScryptN/P: n=2^12, r=8, p=6 — for tests and devnets only.
        public static let light = Parameters(kdf: .scrypt(n: 1 << 12, r: 8, p: 6))
        public static func pbkdf2(iterations: Int = 262_144) -> Parameters { Parameters(kdf: .pbkdf2(c: iterations)) }
    }

    public var kdf: KDF
    public var dklen: Int
    public var salt: Bytes
    public var iv: Bytes
    public var ciphertext: Bytes
    public var mac: Bytes
    /// The file's `id` (a UUID); optional when reading, always written.
    public var id: String?
    /// The file's `address`, when it has one; checked against the decrypted key.
    public var address: Address?

    public init(kdf: KDF, dklen: Int, salt: Bytes, iv: Bytes, ciphertext: Bytes, mac: Bytes, id: String?, address: Address?) {
        self.kdf = kdf
        self.dklen = dklen
        self.salt = salt
        self.iv = iv
        self.ciphertext = ciphertext
        self.mac = mac
        self.id = id
        self.address = address
    }

    // MARK: Decryption

    /// The decrypted secret. A wrong password is `.wrongPassword`; a file whose `address` is
    /// not the decrypted key's is `.addressMismatch`.
    public func decrypt(password: String) throws(KeystoreError) -> Bytes {
        try decrypt(derivedKey: try Self.deriveKey(kdf: kdf, password: Array(password.utf8), salt: salt, dklen: dklen))
    }

    /// The steps after the KDF: MAC check, AES-128-CTR, address check.
    func decrypt(derivedKey dk: Bytes) throws(KeystoreError) -> Bytes {
        guard dk.count >= 32 else { throw .kdfParametersOutOfBounds("derived key of \(dk.count) bytes is shorter than 32") }
        let expected = Keccak.hash256(Array(dk[16..<32]), ciphertext)
        guard KeystoreCrypto.constantTimeEqual(expected, mac) else { throw .wrongPassword }
        let secret = try KeystoreCrypto.aes128ctr(key: Array(dk[0..<16]), iv: iv, ciphertext)
        if let address {
            guard let key = try? PrivateKey(bytes: secret) else { throw .invalidPrivateKey }
            guard key.address == address else { throw .addressMismatch(file: address, key: key.address) }
        }
        return secret
    }

    /// The decrypted secret as a secp256k1 key.
    public func decryptPrivateKey(password: String) throws(KeystoreError) -> PrivateKey {
        let secret = try decrypt(password: password)
        guard let key = try? PrivateKey(bytes: secret) else { throw .invalidPrivateKey }
        return key
    }

    /// Parses and decrypts keystore JSON in one step.
    public static func decrypt(json: Data, password: String) throws(KeystoreError) -> Bytes {
        try Keystore(json: json).decrypt(password: password)
    }

    // MARK: Encryption

    /// Encrypts a private key. Salt (32 bytes), IV and id are fresh random values unless given
    /// (given ones make test output reproducible).
    public static func encrypt(privateKey: PrivateKey, password: String, parameters: Parameters = .standard,
                               salt: Bytes? = nil, iv: Bytes? = nil, id: String? = nil) throws(KeystoreError) -> Keystore {
        guard parameters.dklen >= 32, parameters.dklen <= 128 else {
            throw .kdfParametersOutOfBounds("dklen=\(parameters.dklen) must be 32…128")
        }
        let salt = try Self.given(salt) { () throws(KeystoreError) in try KeystoreCrypto.randomBytes(32) }
        let iv = try Self.given(iv) { () throws(KeystoreError) in try KeystoreCrypto.randomBytes(16) }
        let id = try Self.given(id) { () throws(KeystoreError) in try KeystoreCrypto.uuidV4() }
        guard iv.count == 16 else { throw .invalidField("crypto.cipherparams.iv", "expected 16 bytes, got \(iv.count)") }
        let dk = try deriveKey(kdf: parameters.kdf, password: Array(password.utf8), salt: salt, dklen: parameters.dklen)
        let ciphertext = try KeystoreCrypto.aes128ctr(key: Array(dk[0..<16]), iv: iv, privateKey.bytes)
        let mac = Keccak.hash256(Array(dk[16..<32]), ciphertext)
        return Keystore(kdf: parameters.kdf, dklen: parameters.dklen, salt: salt, iv: iv, ciphertext: ciphertext, mac: mac,
                        id: id, address: privateKey.address)
    }

    /// Encrypts private key bytes and returns the keystore JSON.
    public static func encrypt(privateKey: Bytes, password: String, parameters: Parameters = .standard) throws(KeystoreError) -> Data {
        guard let key = try? PrivateKey(bytes: privateKey) else { throw .invalidPrivateKey }
        return try encrypt(privateKey: key, password: password, parameters: parameters).json
    }

    static func given<T>(_ value: T?, else make: () throws(KeystoreError) -> T) throws(KeystoreError) -> T {
        if let value { return value }
        return try make()
    }

    static func deriveKey(kdf: KDF, password: Bytes, salt: Bytes, dklen: Int) throws(KeystoreError) -> Bytes {
        guard dklen >= 32, dklen <= 128 else { throw .kdfParametersOutOfBounds("dklen=\(dklen) must be 32…128") }
        switch kdf {
        case .scrypt(let n, let r, let p):
            return try KeystoreCrypto.scrypt(password: password, salt: salt, n: n, r: r, p: p, length: dklen)
        case .pbkdf2(let c):
            return try KeystoreCrypto.pbkdf2SHA256(password: password, salt: salt, iterations: c, length: dklen)
        }
    }
}
