import ArgumentParser
import Bridge
import Core
import Foundation

/// `emeth util transfer`: send ETH on L1 with an EIP-1559 transaction signed locally, and
/// print its receipt. The smallest end-to-end proof that our encoding satisfies a real node.
struct Transfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send ETH on L1 (EIP-1559, signed locally) and print the receipt.",
        discussion: "Example: EMETH_PRIVATE_KEY=0x… emeth util transfer --rpc http://127.0.0.1:8545 --to 0x7099… --value 1000000000000000000")

    @Option(help: "L1 JSON-RPC endpoint.")
    var rpc: String

    @Option(help: "Recipient address (EIP-55 checksummed or all one case).")
    var to: String

    @Option(help: "Amount in wei (decimal or 0x-hex).")
    var value: String

    @Option(help: "Refuse to sign unless the endpoint serves this chain id.")
    var chainId: String?

    @OptionGroup var key: KeyOptions

    func run() async throws {
        guard let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else { throw CLIError("invalid --rpc URL: \(rpc)") }
        let recipient = try reporting("invalid --to") { try Address(to) }
        let amount = try reporting("invalid --value") { try UInt256(parsing: value) }
        let signer = try key.load()
        let eth = EthClient(url: url)
        let chain: UInt256
        if let expected = chainId {
            chain = try await eth.requireChainId(try reporting("invalid --chain-id") { try UInt256(parsing: expected) })
        } else {
            chain = try await eth.chainId()
        }
        let nonce = try await eth.transactionCount(of: signer.address, at: .pending)
        let tip = try await eth.maxPriorityFeePerGas()
        guard let base = try await eth.block(.latest)?.baseFeePerGas else { throw CLIError("the endpoint has no EIP-1559 base fee") }
        let gas = try await eth.estimateGas(CallRequest(from: signer.address, to: recipient, data: [], value: amount))
        // Twice the base fee leaves room for six full blocks of base-fee growth before inclusion.
        let tx = EIP1559Transaction(chainId: chain, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: base * 2 + tip,
                                    gasLimit: gas, to: recipient, value: amount)
        let signed = tx.signed(with: signer)
        let hash = try await eth.sendRawTransaction(signed.raw)
        print("transaction \(hash.hex)")
        print("  from      \(signer.address.checksummed) (nonce \(nonce))")
        print("  to        \(recipient.checksummed)")
        print("  value     \(amount) wei")
        let receipt = try await eth.waitForReceipt(hash, timeout: .seconds(120))
        print("receipt")
        print("  status    \(receipt.status ? "success" : "reverted")")
        print("  block     \(receipt.blockNumber) \(receipt.blockHash.hex)")
        print("  gas used  \(receipt.gasUsed) at \(receipt.effectiveGasPrice) wei/gas")
        if !receipt.status { throw ExitCode(1) }
    }
}
