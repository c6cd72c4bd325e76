import Core
import Foundation
import Sequencer

/// The actors and chain of the API tests: fixed keys (so addresses are stable across runs),
/// a genesis with one verifier, and signing of L2 transactions exactly as a wallet would.
enum TestChain {
    static func key(_ byte: UInt8) -> PrivateKey { try! PrivateKey(bytes: Bytes(repeating: byte, count: 32)) }

    static let signerKey = key(0x51)
    static let requester = key(0x11), node = key(0x22), verifier = key(0x33), stranger = key(0x66)
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let chainId: UInt256 = 31337
    static let gholon = UInt256(1_000_000_000)
    static let emt = UInt256(1_000_000_000_000_000_000)

    static var genesis: Genesis {
        Genesis(chainId: chainId, rollup: rollup, signer: signerKey.address, timestamp: 1_700_000_000,
                roles: Roles(verifiers: [verifier.address]))
    }

    static var domain: EIP712.Domain { L2TypedData.domain(chainId: chainId, rollup: rollup) }

    /// The wire form of `call` signed by `key` in `domain` (default: this chain's).
    static func wire(_ call: L2Call, nonce: UInt64, by key: PrivateKey, domain: EIP712.Domain = domain) -> JSONValue {
        L2Envelope(call: call, nonce: nonce, signature: sign(call, nonce: nonce, by: key, domain: domain)).json
    }

    static func sign(_ call: L2Call, nonce: UInt64, by key: PrivateKey, domain: EIP712.Domain = domain) -> Bytes {
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        return try! Secp256k1.sign(digest: digest, key: key).rsv
    }

    /// The transaction hash a client computes: keccak256(digest ‖ sender) (PROTOCOL §2).
    static func hash(_ call: L2Call, nonce: UInt64, by key: PrivateKey) -> String {
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        return L2Transaction.hash(digest: digest, sender: key.address).bytes.hex
    }

    static func jobId(_ n: UInt8) -> JobID { try! JobID(bytes: Bytes(repeating: n, count: 16)) }
    static func h(_ n: UInt8) -> Hash32 { try! Hash32(bytes: Bytes(repeating: n, count: 32)) }

    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("emeth-api-\(UUID().uuidString)").path
    }
}

extension UInt256 {
    /// As the API writes quantities.
    var q: JSONValue { .string(hexQuantity) }
}
