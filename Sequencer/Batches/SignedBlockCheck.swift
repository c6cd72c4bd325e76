import Core

/// What a block of batch data says about itself, checked without any state: its header hash is
/// signed by the Signer, and every transaction carries a valid low-s signature in the chain's
/// domain. The poster runs it on the batch it is about to post (`BatchAssembler.verify`) and
/// the auditor on every posted block (`Replayer`), so the two accept exactly the same blocks;
/// what only a replay can tell (the roots) is the auditor's alone.
public enum SignedBlockCheck {
    /// The first thing wrong, named as the auditor reports it.
    public struct Failure: Swift.Error, Equatable, CustomStringConvertible {
        /// `signature` (the block's) or `tx.signature`.
        public let field: String
        /// The transaction's index in the block, for `tx.signature`.
        public let tx: Int?
        public let expected: String
        public let found: String
        public let detail: String

        public var description: String {
            (tx.map { "transaction \($0): " } ?? "") + "\(field): expected \(expected), found \(found) (\(detail))"
        }
    }

    /// Checks `block` against `signer`. `authenticated` is `L2Admission.authenticate` of the
    /// block's transactions, in order (callers recover a whole batch on all cores at once).
    /// Returns the authenticated transactions.
    public static func check(_ block: BatchCodec.Block, signer: Address,
                             authenticated: [Result<L2Transaction, L2TxError>]) -> Result<[L2Transaction], Failure> {
        precondition(authenticated.count == block.transactions.count, "one authentication result per transaction")
        let recovered = try? Secp256k1.recoverAddress(digest: block.header.hash.bytes, rsv: block.signature)
        guard recovered == signer else {
            return .failure(Failure(field: "signature", tx: nil, expected: signer.checksummed,
                                    found: recovered?.checksummed ?? "no valid signature",
                                    detail: "the block hash is not signed by the genesis Signer"))
        }
        var txs: [L2Transaction] = []
        txs.reserveCapacity(authenticated.count)
        for (k, r) in authenticated.enumerated() {
            switch r {
            case .success(let t): txs.append(t)
            case .failure(let e):
                return .failure(Failure(field: "tx.signature", tx: k, expected: "a valid low-s signature",
                                        found: block.transactions[k].signature.hex, detail: "\(e)"))
            }
        }
        return .success(txs)
    }
}
