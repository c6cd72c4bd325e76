import Foundation
import Testing
@testable import Core

@Suite struct Secp256k1Tests {
    static let n = try! UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    static let hardhatKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    @Test func knownKeysAndAddresses() throws {
        let one = try PrivateKey(bytes: Bytes(repeating: 0, count: 31) + [1])
        #expect(one.address.checksummed == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        // Key 1's public key is the generator G.
        #expect(one.publicKey.compressed.hex == "0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(one.publicKey.xy.hex == "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
        let hardhat = try PrivateKey(hex: Self.hardhatKey)
        #expect(hardhat.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(hardhat.publicKey.xy.hex == "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75"
                + "3547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5")
        // Every serialised form parses back to the same key.
        let pub = hardhat.publicKey
        #expect(try PublicKey(bytes: pub.compressed) == pub)
        #expect(try PublicKey(bytes: pub.uncompressed) == pub)
        #expect(try PublicKey(bytes: pub.xy) == pub)
        #expect(pub.address == hardhat.address)
    }

    @Test func invalidKeysAreRefused() throws {
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: Bytes(repeating: 0, count: 32)) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: Self.n.bigEndianBytes) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: Bytes(repeating: 0xff, count: 32)) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: [1, 2, 3]) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(hex: "0xzz") }
        #expect(try PrivateKey(bytes: (Self.n - 1).bigEndianBytes).bytes == (Self.n - 1).bigEndianBytes)
        // x = 5 is not on the curve (5³ + 7 = 132 is not a square mod p).
        #expect(throws: Secp256k1.Error.invalidPublicKey) { try PublicKey(bytes: [0x02] + Bytes(repeating: 0, count: 31) + [5]) }
        #expect(throws: Secp256k1.Error.invalidPublicKey) { try PublicKey(bytes: Bytes(repeating: 1, count: 40)) }
    }

    @Test func privateKeyNeverPrints() throws {
        let key = try PrivateKey(hex: Self.hardhatKey)
        for text in ["\(key)", String(reflecting: key), { var s = ""; dump(key, to: &s); return s }()] {
            #expect(!text.contains("ac0974"), "\(text)")
            #expect(!text.contains("172"), "\(text)")  // 0xac as a decimal array element
        }
        #expect("\(key)" == "PrivateKey(0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266)")
    }

    @Test func randomKeysAreValidAndDistinct() throws {
        let keys = (0..<64).map { _ in PrivateKey.random() }
        #expect(Set(keys).count == 64)
        for k in keys { #expect(try PrivateKey(bytes: k.bytes) == k) }
    }

    /// The RFC 6979 vector used across Bitcoin and Ethereum libraries: key 1 signing
    /// sha256("Satoshi Nakamoto").
    @Test func rfc6979KnownVector() throws {
        let one = try PrivateKey(bytes: Bytes(repeating: 0, count: 31) + [1])
        let digest = try Hex.decode("0xa0dc65ffca799873cbea0ac274015b9526505daaaed385155425f7337704883e")
        let sig = try Secp256k1.sign(digest: digest, key: one)
        #expect(sig.r.hex == "0x934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8")
        #expect(sig.s.hex == "0x2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5")
        #expect(sig.recoveryId == 1)
        #expect(try Secp256k1.recover(digest: digest, signature: sig) == one.publicKey)
        #expect(Secp256k1.verify(digest: digest, signature: sig, publicKey: one.publicKey))
    }

    @Test func rejectsHighSBadVAndOutOfRangeScalars() throws {
        let key = try PrivateKey(hex: Self.hardhatKey)
        let digest = Keccak.hash256("message")
        let sig = try Secp256k1.sign(digest: digest, key: key)
        #expect(sig.isLowS)
        #expect(try Secp256k1.recoverAddress(digest: digest, rsv: sig.rsv) == key.address)
        #expect(try Secp256k1.recoverAddress(digest: digest, signature: sig) == key.address)
        #expect(try Signature(rsv: sig.rsv) == sig)

        // s' = n − s with the flipped parity is the malleable twin: the same signer under
        // plain ECDSA, refused everywhere here.
        let highS = (Self.n - (try UInt256(bigEndian: sig.s))).bigEndianBytes
        let twinRSV = sig.r + highS + [27 + (1 - sig.recoveryId)]
        let twin = try Signature(rsv: twinRSV)
        #expect(!twin.isLowS)
        #expect(throws: Secp256k1.Error.highS) { try Secp256k1.recoverAddress(digest: digest, rsv: twinRSV) }
        #expect(throws: Secp256k1.Error.highS) { try Secp256k1.recover(digest: digest, signature: twin) }
        #expect(!Secp256k1.verify(digest: digest, signature: twin, publicKey: key.publicKey))

        // v must be 27 or 28 in the 65-byte form, y-parity 0 or 1 elsewhere.
        for v: UInt8 in [0, 1, 26, 29, 35, 37] {
            #expect(throws: Secp256k1.Error.invalidV(v)) { try Signature(rsv: sig.r + sig.s + [v]) }
            #expect(throws: Secp256k1.Error.invalidV(v)) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + sig.s + [v]) }
        }
        #expect(throws: Secp256k1.Error.invalidYParity(2)) { try Signature(r: sig.r, s: sig.s, yParity: 2) }
        #expect(throws: Secp256k1.Error.invalidYParity(2)) {
            try Secp256k1.recover(digest: digest, signature: Signature(unchecked: sig.r, sig.s, recoveryId: 2))
        }

        // r, s must lie in 1…n−1.
        let zero = Bytes(repeating: 0, count: 32)
        let nBytes = Self.n.bigEndianBytes
        #expect(throws: Secp256k1.Error.invalidR) { try Secp256k1.recoverAddress(digest: digest, rsv: zero + sig.s + [27]) }
        #expect(throws: Secp256k1.Error.invalidR) { try Secp256k1.recoverAddress(digest: digest, rsv: nBytes + sig.s + [27]) }
        #expect(throws: Secp256k1.Error.invalidS) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + zero + [27]) }
        #expect(throws: Secp256k1.Error.invalidS) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + nBytes + [27]) }
        #expect(throws: Secp256k1.Error.invalidR) { try Signature(r: nBytes, s: sig.s, yParity: 0) }
        #expect(throws: Secp256k1.Error.invalidS) { try Signature(r: sig.r, s: zero, yParity: 0) }
        #expect(throws: Secp256k1.Error.invalidR) { try Signature(r: [1], s: sig.s, yParity: 0) }

        // s = n/2 is the largest low-s value; n/2 + 1 is high.
        let half = Self.n >> 1
        #expect(try Signature(r: sig.r, s: half.bigEndianBytes, yParity: 0).isLowS)
        #expect(try !Signature(r: sig.r, s: (half + 1).bigEndianBytes, yParity: 0).isLowS)
        #expect(throws: Secp256k1.Error.highS) {
            try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + (half + 1).bigEndianBytes + [27])
        }

        #expect(throws: Secp256k1.Error.invalidSignatureLength(64)) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + sig.s) }
        #expect(throws: Secp256k1.Error.invalidDigestLength(31)) { try Secp256k1.recoverAddress(digest: Array(digest.prefix(31)), rsv: sig.rsv) }
        #expect(throws: Secp256k1.Error.invalidDigestLength(0)) { try Secp256k1.sign(digest: [], key: key) }
        #expect(!Secp256k1.verify(digest: Keccak.hash256("other"), signature: sig, publicKey: key.publicKey))
        // A valid signature over another digest recovers someone else.
        #expect(try Secp256k1.recoverAddress(digest: Keccak.hash256("other"), signature: sig) != key.address)
    }

    /// Random keys, digests and signatures against eth-keys and eth-account.
    @Test func agreesWithEthKeysAndEthAccount() throws {
        let cases = try PythonOracle.cases("sign_cases.py", ["--seed", "11", "--count", "240"])
        #expect(cases.count == 240)
        for c in cases {
            func s(_ k: String) throws -> String { try #require(c[k] as? String) }
            let key = try PrivateKey(hex: try s("key"))
            #expect(key.address.checksummed == (try s("address")))
            #expect(key.publicKey.xy.hex == (try s("publicKey")))
            #expect(key.publicKey.compressed.hex == (try s("compressed")))
            let digest = try Hex.decode(try s("digest"))
            let sig = try Secp256k1.sign(digest: digest, key: key)
            #expect(sig.r.hex == (try s("r")))
            #expect(sig.s.hex == (try s("s")))
            #expect(Int(sig.recoveryId) == c["v"] as? Int)
            #expect(sig.rsv.hex == (try s("rsv")))
            #expect(try Secp256k1.recoverAddress(digest: digest, rsv: try Hex.decode(try s("rsv"))) == key.address)
            #expect(try Secp256k1.recover(digest: digest, signature: sig) == key.publicKey)
            #expect(Secp256k1.verify(digest: digest, signature: sig, publicKey: key.publicKey))
        }
    }

    /// The shared context serves all threads at once (signing and recovery) with no lock.
    @Test func recoveryIsThreadSafe() throws {
        var (rng, seed) = TestSeed.generator(0x5ec_0148)
        let keys = try (0..<16).map { _ in try PrivateKey(bytes: rng.bytes(32)) }
        let work: [(Bytes, Bytes, Address)] = try keys.enumerated().map { i, k in
            let d = Keccak.hash256("msg \(i)")
            return (d, try Secp256k1.sign(digest: d, key: k).rsv, k.address)
        }
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for round in 0..<40 {
                let (d, rsv, addr) = work[(t + round) % work.count]
                let again = try? Secp256k1.sign(digest: d, key: keys[(t + round) % keys.count])
                if (try? Secp256k1.recoverAddress(digest: d, rsv: rsv)) != addr || again?.rsv != rsv { failures.add() }
            }
        }
        #expect(failures.value == 0, "seed \(seed)")
    }
}

/// A tiny lock-protected counter for the concurrency test.
private final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
