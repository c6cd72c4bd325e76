import COpenSSL

/// The primitives of Web3 Secret Storage, from OpenSSL's libcrypto: scrypt, PBKDF2-HMAC-SHA256,
/// AES-128-CTR and the system CSPRNG.
enum KeystoreCrypto {
    /// OpenSSL's scrypt refuses to allocate more than `maxmem`; geth's "standard" n=2^18, r=8
    /// needs 128·r·(n+2) ≈ 256 MiB + 2 KiB, so the default 32 MiB would refuse it.
    static let scryptMaxMemory: UInt64 = 512 * 1024 * 1024

    /// The largest CPU cost n·r·p we run: 8× geth's standard (2^18·8·1), so a hostile file
    /// cannot pin the CPU for minutes.
    static let scryptMaxCost: UInt64 = 1 << 24

    static let pbkdf2MaxIterations = 10_000_000

    static func scryptBoundsCheck(n: Int, r: Int, p: Int) throws(KeystoreError) {
        guard n > 1, n.nonzeroBitCount == 1 else { throw .kdfParametersOutOfBounds("scrypt n=\(n) must be a power of two above 1") }
        guard r >= 1, p >= 1, r <= 1024, p <= 1024 else { throw .kdfParametersOutOfBounds("scrypt r=\(r), p=\(p) must be 1…1024") }
        // RFC 7914 requires n < 2^(128·r/8); OpenSSL enforces it (go-ethereum and pycryptodome do
        // not), so files with r=1 and n ≥ 65536 — like the Web3 Secret Storage definition's own
        // scrypt vector — cannot be opened here. Say so instead of "memory limit exceeded".
        if r < 4, n >= 1 << (16 * r) {
            throw .kdfParametersOutOfBounds("scrypt n=\(n) with r=\(r) breaks RFC 7914's n < 2^(16·r), which OpenSSL enforces; re-encrypt the key with r=8")
        }
        let (nr, o1) = UInt64(n).multipliedReportingOverflow(by: UInt64(r))
        let (cost, o2) = nr.multipliedReportingOverflow(by: UInt64(p))
        guard !o1, !o2, cost <= scryptMaxCost else {
            throw .kdfParametersOutOfBounds("scrypt cost n·r·p = \(n)·\(r)·\(p) exceeds \(scryptMaxCost)")
        }
        let memory = 128 * UInt64(r) * (UInt64(n) + 2) + 128 * UInt64(r) * UInt64(p)
        guard memory <= scryptMaxMemory else {
            throw .kdfParametersOutOfBounds("scrypt n=\(n), r=\(r), p=\(p) needs \(memory >> 20) MiB, limit \(scryptMaxMemory >> 20) MiB")
        }
    }

    static func scrypt(password: Bytes, salt: Bytes, n: Int, r: Int, p: Int, length: Int) throws(KeystoreError) -> Bytes {
        try scryptBoundsCheck(n: n, r: r, p: p)
        var out = Bytes(repeating: 0, count: length)
        // A trailing byte keeps the pointers non-nil for an empty password or salt.
        let pw = password + [0], s = salt + [0]
        let ok = pw.withUnsafeBufferPointer { pwp in
            s.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    pwp.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pw.count) { pwc in
                        EVP_PBE_scrypt(pwc, password.count, sp.baseAddress, salt.count, UInt64(n), UInt64(r), UInt64(p),
                                       scryptMaxMemory, op.baseAddress, length)
                    }
                }
            }
        }
        guard ok == 1 else { throw .crypto("EVP_PBE_scrypt: \(lastError())") }
        return out
    }

    static func pbkdf2SHA256(password: Bytes, salt: Bytes, iterations: Int, length: Int) throws(KeystoreError) -> Bytes {
        guard iterations >= 1, iterations <= pbkdf2MaxIterations else {
            throw .kdfParametersOutOfBounds("pbkdf2 c=\(iterations) must be 1…\(pbkdf2MaxIterations)")
        }
        // OpenSSL takes int lengths.
        guard password.count < Int(Int32.max), salt.count < Int(Int32.max), length < Int(Int32.max) else {
            throw .kdfParametersOutOfBounds("pbkdf2 password, salt or key length too long")
        }
        var out = Bytes(repeating: 0, count: length)
        let pw = password + [0], s = salt + [0]
        let ok = pw.withUnsafeBufferPointer { pwp in
            s.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    pwp.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pw.count) { pwc in
                        PKCS5_PBKDF2_HMAC(pwc, Int32(password.count), sp.baseAddress, Int32(salt.count), Int32(iterations),
                                          EVP_sha256(), Int32(length), op.baseAddress)
                    }
                }
            }
        }
        guard ok == 1 else { throw .crypto("PKCS5_PBKDF2_HMAC: \(lastError())") }
        return out
    }

    /// AES-128-CTR; the same call encrypts and decrypts.
    static func aes128ctr(key: Bytes, iv: Bytes, _ input: Bytes) throws(KeystoreError) -> Bytes {
        guard key.count == 16 else { throw .crypto("AES-128 key must be 16 bytes, got \(key.count)") }
        guard iv.count == 16 else { throw .invalidField("crypto.cipherparams.iv", "expected 16 bytes, got \(iv.count)") }
        guard input.count <= Int(Int32.max) - 16 else { throw .invalidField("crypto.ciphertext", "too long") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .crypto("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = Bytes(repeating: 0, count: input.count + 16)
        var n1: Int32 = 0, n2: Int32 = 0
        let data = input + [0]
        let ok = out.withUnsafeMutableBufferPointer { op -> Bool in
            guard EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nil, key, iv) == 1 else { return false }
            guard data.withUnsafeBufferPointer({ EVP_EncryptUpdate(ctx, op.baseAddress, &n1, $0.baseAddress, Int32(input.count)) }) == 1 else {
                return false
            }
            return EVP_EncryptFinal_ex(ctx, op.baseAddress! + Int(n1), &n2) == 1
        }
        guard ok else { throw .crypto("AES-128-CTR: \(lastError())") }
        return Array(out.prefix(Int(n1 + n2)))
    }

    static func randomBytes(_ count: Int) throws(KeystoreError) -> Bytes {
        var out = Bytes(repeating: 0, count: count)
        guard out.withUnsafeMutableBufferPointer({ RAND_bytes($0.baseAddress, Int32(count)) }) == 1 else {
            throw .crypto("RAND_bytes: \(lastError())")
        }
        return out
    }

    /// A random (version 4) UUID in lower case, as geth writes the `id` field.
    static func uuidV4() throws(KeystoreError) -> String {
        var b = try randomBytes(16)
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let h = Hex.encode(b, prefix: false)
        let c = Array(h)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(c[$0]) }.joined(separator: "-")
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Constant-time equality (the MAC check must not leak how many bytes matched).
    static func constantTimeEqual(_ a: Bytes, _ b: Bytes) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
