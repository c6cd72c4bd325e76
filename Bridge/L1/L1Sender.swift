import Core

/// One-shot L1 transactions for the user-facing commands (deploy, deposit, claim): price from
/// the latest block, sign locally, send, wait for the receipt — what a wallet does. The
/// bridge's long-running posting goes through `TxManager` instead, which persists and bumps.
public struct L1Sender: Sendable {
    public let eth: EthClient
    public let key: PrivateKey
    public let chainId: UInt256

    public enum Error: Swift.Error, CustomStringConvertible {
        case reverted(String, hash: Bytes)
        case wouldRevert(String)
        case noBaseFee

        public var description: String {
            switch self {
            case .reverted(let what, let h): return "\(what) reverted on L1 (transaction \(h.hex))"
            case .wouldRevert(let why): return why
            case .noBaseFee: return "the L1 endpoint reports no EIP-1559 base fee"
            }
        }
    }

    public init(eth: EthClient, key: PrivateKey, chainId: UInt256) { self.eth = eth; self.key = key; self.chainId = chainId }

    /// Sends and waits; throws with the revert reason if the call would fail or failed.
    @discardableResult
    public func send(to: Address?, data: Bytes, value: UInt256 = .zero, what: String, timeout: Duration = .seconds(180)) async throws -> EthReceipt {
        let gas: UInt64
        do {
            gas = try await eth.estimateGas(CallRequest(from: key.address, to: to, data: data, value: value))
        } catch {
            guard case .rpc(_, let message, let data) = error else { throw error }
            throw Error.wouldRevert("\(what) would revert: \(RevertDecoding.reason(message: message, data: data))")
        }
        let nonce = try await eth.transactionCount(of: key.address, at: .pending)
        let tip = try await eth.maxPriorityFeePerGas()
        guard let base = try await eth.block(.latest)?.baseFeePerGas else { throw Error.noBaseFee }
        let tx = EIP1559Transaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: base * 2 + tip,
                                    gasLimit: gas + gas / 5, to: to, value: value, data: data)
        let signed = tx.signed(with: key)
        _ = try await eth.sendRawTransaction(signed.raw)
        let receipt = try await eth.waitForReceipt(signed.hash, timeout: timeout)
        guard receipt.status else { throw Error.reverted(what, hash: signed.hash) }
        return receipt
    }
}
