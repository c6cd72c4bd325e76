import Foundation

/// The JSON form of a v3 keystore, as geth writes it:
/// `{"address":"…","crypto":{"cipher":"aes-128-ctr","ciphertext":"…","cipherparams":{"iv":"…"},
///   "kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"p":1,"r":8,"salt":"…"},"mac":"…"},
///   "id":"…","version":3}` — hex without `0x`, address in lower case.
/// Reading also accepts `Crypto` (older MyEtherWallet files) and `0x`-prefixed hex.
extension Keystore {
    /// Byte strings of a sane keystore are small; anything larger is refused before work.
    static let maxFieldBytes = 1024

    public init(json data: Data) throws(KeystoreError) {
        let doc: JSONValue
        do { doc = try JSONValue.parse(data) } catch { throw .invalidJSON(error.description) }
        guard case .object(let top) = doc else { throw .invalidJSON("top level is not an object") }

        guard let version = top["version"] else { throw .missingField("version") }
        guard case .number("3") = version else { throw .unsupportedVersion(version.serialized) }

        guard let cryptoValue = top["crypto"] ?? top["Crypto"] else { throw .missingField("crypto") }
        guard case .object(let crypto) = cryptoValue else { throw .invalidField("crypto", "not an object") }

        let cipher = try Self.string(crypto, "cipher", "crypto.cipher")
        guard cipher == "aes-128-ctr" else { throw .unsupportedCipher(cipher) }
        guard case .object(let cipherParams)? = crypto["cipherparams"] else {
            throw crypto["cipherparams"] == nil ? .missingField("crypto.cipherparams") : .invalidField("crypto.cipherparams", "not an object")
        }
        let iv = try Self.hex(cipherParams, "iv", "crypto.cipherparams.iv")
        guard iv.count == 16 else { throw .invalidField("crypto.cipherparams.iv", "expected 16 bytes, got \(iv.count)") }
        let ciphertext = try Self.hex(crypto, "ciphertext", "crypto.ciphertext")
        guard !ciphertext.isEmpty else { throw .invalidField("crypto.ciphertext", "empty") }
        let mac = try Self.hex(crypto, "mac", "crypto.mac")
        guard mac.count == 32 else { throw .invalidField("crypto.mac", "expected 32 bytes, got \(mac.count)") }

        let kdfName = try Self.string(crypto, "kdf", "crypto.kdf")
        guard case .object(let params)? = crypto["kdfparams"] else {
            throw crypto["kdfparams"] == nil ? .missingField("crypto.kdfparams") : .invalidField("crypto.kdfparams", "not an object")
        }
        let kdf: KDF
        switch kdfName {
        case "scrypt":
            kdf = .scrypt(n: try Self.int(params, "n", "crypto.kdfparams.n"), r: try Self.int(params, "r", "crypto.kdfparams.r"),
                          p: try Self.int(params, "p", "crypto.kdfparams.p"))
        case "pbkdf2":
            let prf = try Self.string(params, "prf", "crypto.kdfparams.prf")
            guard prf == "hmac-sha256" else { throw .unsupportedPRF(prf) }
            kdf = .pbkdf2(c: try Self.int(params, "c", "crypto.kdfparams.c"))
        default:
            throw .unsupportedKDF(kdfName)
        }
        let dklen = try Self.int(params, "dklen", "crypto.kdfparams.dklen")
        guard dklen >= 32, dklen <= 128 else { throw .kdfParametersOutOfBounds("dklen=\(dklen) must be 32…128") }
        let salt = try Self.hex(params, "salt", "crypto.kdfparams.salt")

        var id: String? = nil
        if let v = top["id"] {
            guard case .string(let s) = v else { throw .invalidField("id", "not a string") }
            id = s
        }
        var address: Address? = nil
        if let v = top["address"], !v.isNull {
            guard case .string(let s) = v else { throw .invalidField("address", "not a string") }
            do { address = try Address(bytes: try Hex.decode(s)) } catch { throw .invalidField("address", "\(error)") }
        }
        self.init(kdf: kdf, dklen: dklen, salt: salt, iv: iv, ciphertext: ciphertext, mac: mac, id: id, address: address)
    }

    /// The geth-style JSON (keys sorted, hex without 0x, lower-case address).
    public var json: Data {
        var kdfparams: [String: JSONValue] = ["dklen": .int(dklen), "salt": .string(Hex.encode(salt, prefix: false))]
        let kdfName: String
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            kdfparams["n"] = .int(n); kdfparams["r"] = .int(r); kdfparams["p"] = .int(p)
        case .pbkdf2(let c):
            kdfName = "pbkdf2"
            kdfparams["c"] = .int(c); kdfparams["prf"] = .string("hmac-sha256")
        }
        var top: [String: JSONValue] = [
            "crypto": .object([
                "cipher": .string("aes-128-ctr"),
                "ciphertext": .string(Hex.encode(ciphertext, prefix: false)),
                "cipherparams": .object(["iv": .string(Hex.encode(iv, prefix: false))]),
                "kdf": .string(kdfName),
                "kdfparams": .object(kdfparams),
                "mac": .string(Hex.encode(mac, prefix: false)),
            ]),
            "version": .int(3),
        ]
        if let id { top["id"] = .string(id) }
        if let address { top["address"] = .string(Hex.encode(address.bytes, prefix: false)) }
        return Data(JSONValue.object(top).serialized.utf8)
    }

    static func string(_ o: [String: JSONValue], _ key: String, _ path: String) throws(KeystoreError) -> String {
        guard let v = o[key] else { throw .missingField(path) }
        guard case .string(let s) = v else { throw .invalidField(path, "not a string") }
        return s
    }

    static func hex(_ o: [String: JSONValue], _ key: String, _ path: String) throws(KeystoreError) -> Bytes {
        let s = try string(o, key, path)
        guard s.utf8.count <= 2 * maxFieldBytes + 2 else { throw .invalidField(path, "longer than \(maxFieldBytes) bytes") }
        do { return try Hex.decode(s) } catch { throw .invalidField(path, error.description) }
    }

    /// A non-negative JSON integer that fits comfortably in Int.
    static func int(_ o: [String: JSONValue], _ key: String, _ path: String) throws(KeystoreError) -> Int {
        guard let v = o[key] else { throw .missingField(path) }
        guard case .number(let text) = v, text.count <= 12, let n = Int(text), n >= 0 else {
            throw .invalidField(path, "not a non-negative integer: \(v.serialized)")
        }
        return n
    }
}
