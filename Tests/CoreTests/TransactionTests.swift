import Testing
@testable import Core

@Suite struct Secp256k1Tests {
    @Test func knownKeysAndAddresses() throws {
        let one = try PrivateKey(bytes: Bytes(repeating: 0, count: 31) + [1])
        #expect(one.address.checksummed == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        let hardhat = try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        #expect(hardhat.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(try PublicKey(bytes: hardhat.publicKey.compressed) == hardhat.publicKey)
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: Bytes(repeating: 0, count: 32)) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: Bytes(repeating: 0xff, count: 32)) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try PrivateKey(bytes: [1, 2, 3]) }
        #expect("\(hardhat)".contains("ac0974") == false)
    }

    @Test func rejectsHighSAndBadV() throws {
        let key = try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let digest = Keccak.hash256("message")
        let sig = try Secp256k1.sign(digest: digest, key: key)
        #expect(sig.isLowS)
        #expect(try Secp256k1.recoverAddress(digest: digest, rsv: sig.rsv) == key.address)
        #expect(Secp256k1.verify(digest: digest, signature: sig, publicKey: key.publicKey))
        // s' = n − s is the malleable twin; it must be refused everywhere.
        let n = try UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        let highS = (n - (try UInt256(bigEndian: sig.s))).bigEndianBytes
        let twin = sig.r + highS + [27 + (1 - sig.recoveryId)]
        #expect(throws: Secp256k1.Error.highS) { try Secp256k1.recoverAddress(digest: digest, rsv: twin) }
        #expect(throws: Secp256k1.Error.highS) { try Signature(rsv: twin) }
        #expect(throws: Secp256k1.Error.invalidRecoveryValue(1)) { try Signature(rsv: sig.r + sig.s + [1]) }
        #expect(throws: Secp256k1.Error.invalidRecoveryValue(29)) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + sig.s + [29]) }
        #expect(throws: Secp256k1.Error.invalidSignatureLength(64)) { try Secp256k1.recoverAddress(digest: digest, rsv: sig.r + sig.s) }
        #expect(throws: Secp256k1.Error.invalidSignature) {
            try Secp256k1.recoverAddress(digest: digest, rsv: Bytes(repeating: 0, count: 64) + [27])
        }
        #expect(!Secp256k1.verify(digest: Keccak.hash256("other"), signature: sig, publicKey: key.publicKey))
    }
}

@Suite struct TransactionTests {
    /// The example in EIP-155 itself.
    @Test func eip155Example() throws {
        let key = try PrivateKey(bytes: Bytes(repeating: 0x46, count: 32))
        let tx = LegacyTransaction(nonce: 9, gasPrice: UInt256(20_000_000_000), gasLimit: 21_000,
                                   to: try Address("0x3535353535353535353535353535353535353535"),
                                   value: UInt256(1_000_000_000_000_000_000), chainId: 1)
        #expect(tx.signingHash.hex == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = tx.signed(with: key)
        #expect(signed.raw.hex == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(try SignedTransaction.decode(raw: signed.raw) == signed)
        #expect(try signed.sender() == key.address)
    }

    /// Random transactions and signatures against eth-account and eth-keys, byte for byte.
    @Test func agreesWithEthAccount() throws {
        let all = try PythonOracle.run("tx_cases.py", ["--seed", "21", "--count", "240"]) as! [String: Any]
        for c in all["txs"] as! [[String: Any]] {
            let key = try PrivateKey(hex: c["key"] as! String)
            let t = (c["tx"] as! [String: Any]).compactMapValues { $0 as? String }
            func u(_ k: String) -> UInt256 { try! UInt256(decimal: t[k]!) }
            let to = try t["to"].map { try Address($0) }
            let data = try Hex.decode(t["data"]!)
            let signed: SignedTransaction
            switch c["kind"] as! String {
            case "eip1559":
                var access: [EIP1559Transaction.AccessListEntry] = []
                if let list = (c["tx"] as! [String: Any])["accessList"] as? [[String: Any]] {
                    access = try list.map { try .init(address: Address($0["address"] as! String),
                                                      storageKeys: ($0["storageKeys"] as! [String]).map { try Hex.decode($0) }) }
                }
                signed = EIP1559Transaction(chainId: u("chainId"), nonce: u("nonce").uint64!, maxPriorityFeePerGas: u("maxPriorityFeePerGas"),
                                            maxFeePerGas: u("maxFeePerGas"), gasLimit: u("gas").uint64!, to: to, value: u("value"),
                                            data: data, accessList: access).signed(with: key)
            default:
                signed = LegacyTransaction(nonce: u("nonce").uint64!, gasPrice: u("gasPrice"), gasLimit: u("gas").uint64!, to: to,
                                           value: u("value"), data: data, chainId: t["chainId"].map { try! UInt256(decimal: $0) })
                    .signed(with: key)
            }
            #expect(signed.raw.hex == c["raw"] as! String, "\(c["kind"]!)")
            #expect(signed.hash.hex == c["hash"] as! String)
            let decoded = try SignedTransaction.decode(raw: try Hex.decode(c["raw"] as! String))
            #expect(decoded == signed)
            #expect(try decoded.sender().checksummed == c["sender"] as! String)
        }
        for c in all["sigs"] as! [[String: Any]] {
            let key = try PrivateKey(hex: c["key"] as! String)
            let digest = try Hex.decode(c["digest"] as! String)
            let sig = try Secp256k1.sign(digest: digest, key: key)
            #expect(sig.r.hex == c["r"] as! String)
            #expect(sig.s.hex == c["s"] as! String)
            #expect(Int(sig.recoveryId) == c["v"] as! Int)
            #expect(try Secp256k1.recoverAddress(digest: digest, rsv: sig.rsv).checksummed == c["address"] as! String)
        }
    }

    @Test func decodeErrors() throws {
        #expect(throws: SignedTransaction.DecodeError.empty) { try SignedTransaction.decode(raw: []) }
        #expect(throws: SignedTransaction.DecodeError.unsupportedType(0x05)) { try SignedTransaction.decode(raw: [0x05, 0xc0]) }
        #expect(throws: SignedTransaction.DecodeError.rlp(.wrongFieldCount("type-2 transaction", expected: 12, actual: 0))) {
            try SignedTransaction.decode(raw: [0x02, 0xc0])
        }
        #expect(throws: SignedTransaction.DecodeError.rlp(.trailingBytes(offset: 1))) { try SignedTransaction.decode(raw: [0x02, 0xc0, 0x00]) }
        // A valid transaction with its s replaced by n − s.
        let key = try PrivateKey(bytes: Bytes(repeating: 0x46, count: 32))
        let tx = EIP1559Transaction(chainId: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 21_000, to: key.address)
        let s = tx.signed(with: key)
        let n = try UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        let high = n - (try UInt256(bigEndian: s.signature.s))
        let raw = [0x02] + RLP.encode(.list(tx.fields + [.uint(UInt64(1 - s.signature.recoveryId)), .bytes(trimmed(s.signature.r)),
                                                          .uint(high)]))
        #expect(throws: SignedTransaction.DecodeError.signature(.highS)) { try SignedTransaction.decode(raw: raw) }
    }
}
