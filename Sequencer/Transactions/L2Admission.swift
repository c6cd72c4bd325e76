import Core
import Dispatch
import Foundation

/// Authenticates incoming L2 transactions: computes each EIP-712 digest in the configured
/// domain and recovers the signer (low-s only). Recovery is the expensive step, so a batch is
/// spread over all cores; application stays sequential in the block producer.
public struct L2Admission: Sendable {
    public let domain: EIP712.Domain

    public init(chainId: UInt256, rollup: Address) {
        domain = L2TypedData.domain(chainId: chainId, rollup: rollup)
    }

    public init(domain: EIP712.Domain) { self.domain = domain }

    public func authenticate(_ env: L2Envelope) throws(L2TxError) -> L2Transaction {
        let digest = domain.digest(structHash: L2TypedData.structHash(env.call, nonce: env.nonce))
        let sender: Address
        do { sender = try Secp256k1.recoverAddress(digest: digest, rsv: env.signature) } catch {
            throw .badSignature(error.description)
        }
        return L2Transaction(envelope: env, sender: sender, hash: L2Transaction.hash(digest: digest, sender: sender))
    }

    /// Authenticates many at once on all cores; results keep the input order.
    public func authenticate(_ envs: [L2Envelope]) -> [Result<L2Transaction, L2TxError>] {
        parallelMap(envs) { e throws(L2TxError) in try authenticate(e) }
    }

    /// `body` over `items` on all cores; results keep the input order.
    public func parallelMap<T: Sendable>(_ items: [T], _ body: @Sendable (T) throws(L2TxError) -> L2Transaction) -> [Result<L2Transaction, L2TxError>] {
        let n = items.count
        guard n > 1 else { return items.map { e in Result { () throws(L2TxError) in try body(e) } } }
        let chunks = min(n, max(1, System.cores * 4))
        let results = UnsafeMutableBufferPointer<Result<L2Transaction, L2TxError>?>.allocate(capacity: n)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var i = c * n / chunks
            let end = (c + 1) * n / chunks
            while i < end {
                out[i] = Result { () throws(L2TxError) in try body(items[i]) }
                i += 1
            }
        }
        return results.map { $0! }
    }
}

enum System {
    /// Logical cores available to this process.
    static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

#if canImport(Glibc)
import Glibc
#endif
