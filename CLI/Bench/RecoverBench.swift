import CSecp256k1
import Core
import Dispatch
import Foundation

/// Our `recoverAddress` wrapper against the same work done with direct libsecp256k1 calls
/// (parse, recover, serialise, keccak of the key): the wrapper's overhead, nothing else.
enum RecoverBench {
    static func run(rounds: Int) -> BenchRow {
        let n = 4_000
        let keys = (0..<16).map { _ in PrivateKey.random() }
        let digests = (0..<n).map { Keccak.hash256(Array("msg \($0)".utf8)) }
        let sigs = digests.enumerated().map { i, d in (try! Secp256k1.sign(digest: d, key: keys[i % 16])).rsv }
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
        defer { secp256k1_context_destroy(ctx) }
        var sink: UInt8 = 0
        let (ours, raw) = interleaved(rounds: rounds, ops: n, {
            for i in 0..<n { sink ^= (try! Secp256k1.recoverAddress(digest: digests[i], rsv: sigs[i])).bytes[0] }
        }, {
            var sig = secp256k1_ecdsa_recoverable_signature()
            var pub = secp256k1_pubkey()
            var out = [UInt8](repeating: 0, count: 65)
            for i in 0..<n {
                var len = 65
                sigs[i].withUnsafeBufferPointer { p in
                    _ = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, p.baseAddress!, Int32(p[64] - 27))
                }
                _ = secp256k1_ecdsa_recover(ctx, &pub, &sig, digests[i])
                _ = secp256k1_ec_pubkey_serialize(ctx, &out, &len, &pub, UInt32(SECP256K1_EC_UNCOMPRESSED))
                sink ^= out.withUnsafeBytes { Keccak.hash256(UnsafeRawBufferPointer(rebasing: $0[1..<65])) }[12]
            }
        })
        if sink == 0x5a { print("") }
        return BenchRow(name: "recover → address (1 core)", ours: ours, raw: raw, unit: "op/s", rawName: "direct libsecp256k1")
    }
}

/// The raw limit of transaction intake: libsecp256k1 recovery alone (parse the signature,
/// recover the key), on every core, over the given signatures. Returns recoveries a second.
func rawRecoveryRate(signatures: [Bytes], digests: [Bytes]) -> Double {
    nonisolated(unsafe) let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
    defer { secp256k1_context_destroy(ctx) }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let t0 = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: cores) { c in
        var sig = secp256k1_ecdsa_recoverable_signature()
        var pub = secp256k1_pubkey()
        var i = c
        while i < signatures.count {
            signatures[i].withUnsafeBufferPointer { p in
                _ = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, p.baseAddress!, Int32(p[64] - 27))
            }
            _ = secp256k1_ecdsa_recover(ctx, &pub, &sig, digests[i])
            i += cores
        }
    }
    return Double(signatures.count) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
}
