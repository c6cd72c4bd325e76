import Foundation
import Testing
@testable import Core

@Suite struct KeystoreTests {
    static let secret = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

    /// The Web3 Secret Storage definition's test vectors (password "testpassword").
    static let specPBKDF2 = #"""
    {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
     "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
     "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
     "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
     "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
    """#
    static let specScrypt = #"""
    {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
     "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
     "kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
     "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
     "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
    """#

    static func hex(_ s: String) -> Bytes { try! Hex.decode(s) }

    @Test func specificationVectors() throws {
        let pbkdf2 = try Keystore(json: Data(Self.specPBKDF2.utf8))
        #expect(pbkdf2.kdf == .pbkdf2(c: 262_144))
        #expect(try Keystore.deriveKey(kdf: pbkdf2.kdf, password: Array("testpassword".utf8), salt: pbkdf2.salt, dklen: 32).hex
                == "0xf06d69cdc7da0faffb1008270bca38f5e31891a3a773950e6d0fea48a7188551")
        #expect(try pbkdf2.decrypt(password: "testpassword").hex == Self.secret)
        #expect(try pbkdf2.decryptPrivateKey(password: "testpassword").address.checksummed.lowercased()
                == "0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b")

        #expect(throws: KeystoreError.wrongPassword) { try pbkdf2.decrypt(password: "testpassword ") }

        // The scrypt vector uses r=1 with n=2^18, which RFC 7914 (and so OpenSSL) forbids: a
        // clear typed error. Everything after the KDF is still checked with the published
        // derived key: MAC, AES-128-CTR and the secret.
        let scrypt = try Keystore(json: Data(Self.specScrypt.utf8))
        #expect(scrypt.kdf == .scrypt(n: 262_144, r: 1, p: 8))
        #expect(throws: KeystoreError.kdfParametersOutOfBounds(
            "scrypt n=262144 with r=1 breaks RFC 7914's n < 2^(16·r), which OpenSSL enforces; re-encrypt the key with r=8")) {
            try scrypt.decrypt(password: "testpassword")
        }
        let published = Self.hex("fac192ceb5fd772906bea3e118a69e8bbb5cc24229e20d8766fd298291bba6bd")
        #expect(try scrypt.decrypt(derivedKey: published).hex == Self.secret)
        var wrong = published
        wrong[20] ^= 1
        #expect(throws: KeystoreError.wrongPassword) { try scrypt.decrypt(derivedKey: wrong) }
    }

    /// scrypt itself against RFC 7914's test vectors (§12), through the same OpenSSL call.
    @Test func scryptMatchesRFC7914() throws {
        #expect(try KeystoreCrypto.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64).hex
                == "0xfdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
        #expect(try KeystoreCrypto.scrypt(password: Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8),
                                          n: 16384, r: 8, p: 1, length: 64).hex
                == "0x7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887")
    }

    /// With the vector's salt and IV, encryption reproduces the published file byte for byte.
    @Test func encryptionReproducesTheSpecificationVector() throws {
        let key = try PrivateKey(hex: Self.secret)
        let ks = try Keystore.encrypt(privateKey: key, password: "testpassword", parameters: .pbkdf2(iterations: 262_144),
                                      salt: Self.hex("ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"),
                                      iv: Self.hex("6087dab2f9fdbbfaddc31a909735c1e6"), id: "3198bc9c-6672-5ab3-d995-4942343ae5b6")
        #expect(ks.ciphertext.hex == "0x5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46")
        #expect(ks.mac.hex == "0x517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2")
        #expect(String(decoding: ks.json, as: UTF8.self) == #"{"address":"008aeeda4d805471df9b2a5b0f38a0c3bcba786b","crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}"#)
        #expect(try Keystore(json: ks.json) == ks)
    }

    /// Keystores written by eth-account (both kdfs, unicode and empty passwords) decrypt here.
    @Test func decryptsEthAccountKeystores() throws {
        let cases = try PythonOracle.cases("keystore_cases.py", ["--seed", "5", "--count", "12"])
        #expect(cases.count == 12)
        var kdfs = Set<String>()
        for c in cases {
            let ks = try Keystore(json: Data((c["keystore"] as! String).utf8))
            kdfs.insert(c["kdf"] as! String)
            let key = try ks.decryptPrivateKey(password: c["password"] as! String)
            #expect(key.bytes.hex == c["privateKey"] as! String)
            #expect(ks.address?.checksummed == c["address"] as! String)
            #expect(throws: KeystoreError.wrongPassword) { try ks.decrypt(password: (c["password"] as! String) + "x") }
        }
        #expect(kdfs == ["scrypt", "pbkdf2"])
    }

    /// Keystores written here decrypt in eth-account; a wrong password is refused there too.
    @Test func ethAccountDecryptsOurKeystores() throws {
        let runs: [(Keystore.Parameters, String)] = [
            (.light, "pässwörd ñ 日本 🔑"),
            (.pbkdf2(iterations: 4096), "testpassword"),
            (Keystore.Parameters(kdf: .scrypt(n: 1024, r: 4, p: 2)), ""),
        ]
        var (rng, seed) = TestSeed.generator(0x4e7_0098)
        for (params, password) in runs {
            let key = try PrivateKey(bytes: rng.bytes(32))
            let data = try Keystore.encrypt(privateKey: key.bytes, password: password, parameters: params)
            let out = try #require(try PythonOracle.run("keystore_cases.py", ["decrypt", password], stdin: data) as? [String: String])
            #expect(out["privateKey"] == key.bytes.hex, "seed \(seed): \(out)")
            let wrong = try #require(try PythonOracle.run("keystore_cases.py", ["decrypt", password + "!"], stdin: data) as? [String: String])
            #expect(wrong["error"]?.contains("MAC mismatch") == true)
        }
    }

    /// geth's "standard" scrypt (n=2^18, r=8: 256 MiB) needs OpenSSL's maxmem raised.
    @Test func standardScryptRoundTrips() throws {
        var (rng, seed) = TestSeed.generator(0x4e7_0109)
        let key = try PrivateKey(bytes: rng.bytes(32))
        let ks = try Keystore.encrypt(privateKey: key, password: "pw")
        #expect(ks.kdf == .scrypt(n: 262_144, r: 8, p: 1))
        #expect(try Keystore(json: ks.json).decryptPrivateKey(password: "pw") == key, "seed \(seed)")
    }

    @Test func writesTheGethLayout() throws {
        var (rng, seed) = TestSeed.generator(0x4e7_0116)
        let key = try PrivateKey(bytes: rng.bytes(32))
        let data = try Keystore.encrypt(privateKey: key.bytes, password: "pw", parameters: .light)
        guard case .object(let top) = try JSONValue.parse(data), case .object(let crypto)? = top["crypto"],
              case .object(let params)? = crypto["kdfparams"] else { Issue.record("not a keystore object"); return }
        #expect(top["version"] == .number("3"))
        #expect(top["address"] == .string(Hex.encode(key.address.bytes, prefix: false)), "seed \(seed)")
        let id = try #require(top["id"]?.stringValue)
        #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(id)")
        #expect(crypto["cipher"] == .string("aes-128-ctr"))
        #expect(crypto["kdf"] == .string("scrypt"))
        #expect(params["n"] == .number("4096") && params["r"] == .number("8") && params["p"] == .number("6") && params["dklen"] == .number("32"))
        #expect(params["salt"]?.stringValue?.count == 64)
        // Fresh salt, IV and id each time.
        let again = try Keystore(json: try Keystore.encrypt(privateKey: key.bytes, password: "pw", parameters: .light))
        let first = try Keystore(json: data)
        #expect(again.salt != first.salt && again.iv != first.iv && again.id != first.id)
    }

    // MARK: Errors

    /// The pbkdf2 vector (or `base`) with one piece of text replaced.
    static func variant(in base: String = specPBKDF2, _ from: String, _ to: String) -> Data {
        precondition(base.contains(from), "fixture does not contain \(from)")
        return Data(base.replacingOccurrences(of: from, with: to).utf8)
    }

    static func failure(_ data: Data, password: String = "testpassword") -> KeystoreError? {
        do { _ = try Keystore.decrypt(json: data, password: password); return nil } catch { return error }
    }

    @Test func malformedFilesNameTheProblem() {
        #expect(Self.failure(Self.variant(#""kdf":"pbkdf2""#, #""kdf":"argon2""#)) == .unsupportedKDF("argon2"))
        #expect(Self.failure(Self.variant(#""cipher":"aes-128-ctr""#, #""cipher":"aes-128-cbc""#)) == .unsupportedCipher("aes-128-cbc"))
        #expect(Self.failure(Self.variant(#""prf":"hmac-sha256""#, #""prf":"hmac-sha512""#)) == .unsupportedPRF("hmac-sha512"))
        #expect(Self.failure(Self.variant(#""version":3"#, #""version":2"#)) == .unsupportedVersion("2"))
        #expect(Self.failure(Self.variant(#""version":3"#, #""version":"3""#)) == .unsupportedVersion(#""3""#))
        #expect(Self.failure(Self.variant(#""iv":"6087dab2f9fdbbfaddc31a909735c1e6""#, #""iv":"6087""#))
                == .invalidField("crypto.cipherparams.iv", "expected 16 bytes, got 2"))
        #expect(Self.failure(Self.variant(#""mac":"517e"#, #""mac":"zz7e"#))
                == .invalidField("crypto.mac", "invalid hex character 'z' at offset 0"))
        #expect(Self.failure(Self.variant(#""c":262144,"#, "")) == .missingField("crypto.kdfparams.c"))
        #expect(Self.failure(Self.variant(#""c":262144"#, #""c":-1"#)) == .invalidField("crypto.kdfparams.c", "not a non-negative integer: -1"))
        #expect(Self.failure(Self.variant(#""c":262144"#, #""c":0"#)) == .kdfParametersOutOfBounds("pbkdf2 c=0 must be 1…10000000"))
        #expect(Self.failure(Self.variant(#""dklen":32"#, #""dklen":16"#)) == .kdfParametersOutOfBounds("dklen=16 must be 32…128"))
        #expect(Self.failure(Self.variant(#""crypto":"#, #""cryptography":"#)) == .missingField("crypto"))
        #expect(Self.failure(Data("[1]".utf8)) == .invalidJSON("top level is not an object"))
        #expect(Self.failure(Data("{".utf8)) == .invalidJSON("invalid JSON at byte 1: expected a string key"))
        #expect(Self.failure(Self.variant(#""id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","#,
                                          #""id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","address":"0000000000000000000000000000000000000001","#))
                == .addressMismatch(file: try! Address("0x0000000000000000000000000000000000000001"),
                                    key: try! Address("0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b")))
        // The older capitalised "Crypto" key is accepted.
        #expect(Self.failure(Self.variant(#""crypto":"#, #""Crypto":"#)) == nil)
    }

    @Test func scryptParametersAreBounded() {
        func scrypt(_ n: Int, _ r: Int, _ p: Int) -> KeystoreError? {
            Self.failure(Self.variant(in: Self.specScrypt, #""n":262144,"r":1,"p":8"#, #""n":\#(n),"r":\#(r),"p":\#(p)"#))
        }
        #expect(scrypt(1000, 8, 1) == .kdfParametersOutOfBounds("scrypt n=1000 must be a power of two above 1"))
        #expect(scrypt(1, 8, 1) == .kdfParametersOutOfBounds("scrypt n=1 must be a power of two above 1"))
        #expect(scrypt(1024, 0, 1) == .kdfParametersOutOfBounds("scrypt r=0, p=1 must be 1…1024"))
        #expect(scrypt(1 << 20, 8, 1) == .kdfParametersOutOfBounds("scrypt n=1048576, r=8, p=1 needs 1024 MiB, limit 512 MiB"))
        #expect(scrypt(1 << 18, 8, 16) == .kdfParametersOutOfBounds("scrypt cost n·r·p = 262144·8·16 exceeds 16777216"))
        #expect(scrypt(1 << 30, 8, 1) == .kdfParametersOutOfBounds("scrypt cost n·r·p = 1073741824·8·1 exceeds 16777216"))
        #expect(scrypt(1 << 40, 8, 1) == .invalidField("crypto.kdfparams.n", "not a non-negative integer: 1099511627776"))
        #expect(scrypt(1 << 16, 1, 8) == .kdfParametersOutOfBounds(
            "scrypt n=65536 with r=1 breaks RFC 7914's n < 2^(16·r), which OpenSSL enforces; re-encrypt the key with r=8"))
        // In bounds but wrong parameters for this file: just a MAC mismatch.
        #expect(scrypt(1024, 1, 8) == .wrongPassword)
    }

    @Test func encryptionRefusesInvalidKeys() {
        #expect(throws: KeystoreError.invalidPrivateKey) { try Keystore.encrypt(privateKey: Bytes(repeating: 0, count: 32), password: "x") }
        #expect(throws: KeystoreError.invalidPrivateKey) { try Keystore.encrypt(privateKey: [1, 2, 3], password: "x") }
    }

    /// Every truncation of a keystore file fails to parse with a typed error, never a crash.
    @Test func truncatedFilesFailCleanly() {
        let bytes = Array(Self.specScrypt.utf8)
        for cut in 0..<bytes.count {
            #expect(throws: KeystoreError.self) { try Keystore(json: Data(bytes[..<cut])) }
        }
    }
}
