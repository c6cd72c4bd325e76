import Core
import Foundation
import Testing
@testable import Bridge

/// Our transaction encoding against a real EVM over real HTTP: the project's local L1 (py-evm
/// behind JSON-RPC), one private instance per test.
@Suite(.serialized) struct DevnetIntegrationTests {
    @Test func signedEIP1559TransferIsMinedWithTheExactReceipt() async throws {
        let devnet = try LocalDevnet()
        defer { devnet.stop() }
        let eth = EthClient(url: devnet.url)
        #expect(try await eth.chainId() == 31337)
        _ = try await eth.requireChainId(31337)
        await #expect(throws: BridgeConfigError.wrongChain(expected: 1, actual: 31337, url: devnet.url.absoluteString)) {
            _ = try await eth.requireChainId(1)
        }

        let key = try PrivateKey(hex: LocalDevnet.devKey0)
        let to = try Address(LocalDevnet.devAddress1)
        let before = try await eth.balance(of: to)
        let nonce = try await eth.transactionCount(of: key.address)
        let base = try #require(try await eth.block(.latest)?.baseFeePerGas)
        let tip = UInt256(1_000_000_000)
        let tx = EIP1559Transaction(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: base * 2 + tip,
                                    gasLimit: 21_000, to: to, value: UInt256(1_500_000_000_000_000_000))
        let signed = tx.signed(with: key)
        let hash = try await eth.sendRawTransaction(signed.raw)
        #expect(hash == signed.hash)
        let receipt = try await eth.waitForReceipt(hash, timeout: .seconds(30))
        #expect(receipt.status)
        #expect(receipt.gasUsed == 21_000)
        #expect(receipt.transactionHash == signed.hash)
        #expect(receipt.logs.isEmpty)
        #expect(try await eth.balance(of: to) == before + UInt256(1_500_000_000_000_000_000))
        #expect(try await eth.transactionCount(of: key.address) == nonce + 1)

        // The node's own view of the same transaction decodes to the same sender.
        #expect(try SignedTransaction.decode(raw: signed.raw).sender() == key.address)

        // Replaying it is refused by the node with its own message, surfaced verbatim.
        await #expect(throws: JSONRPCClientError.self) { _ = try await eth.sendRawTransaction(signed.raw) }

        // A transaction signed for another chain never reaches a block.
        var foreign = tx
        foreign.chainId = 1
        foreign.nonce = nonce + 1
        var refusal = ""
        do { _ = try await eth.sendRawTransaction(foreign.signed(with: key).raw) } catch { refusal = error.description }
        #expect(refusal.contains("chain id"), "a transaction for chain 1 must be refused by chain 31337")
    }

    @Test func batchRequestsAndTransportErrors() async throws {
        let devnet = try LocalDevnet()
        let rpc = JSONRPCClient(url: devnet.url)
        let results = try await rpc.batch([("eth_chainId", []), ("no_such_method", []), ("eth_blockNumber", [])])
        #expect(try results[0].get() == .string("0x7a69"))
        if case .failure(.rpc(let code, _, _)) = results[1] { #expect(code == -32601) } else { Issue.record("expected method not found") }
        #expect(try results[2].get().stringValue?.hasPrefix("0x") == true)
        devnet.stop()

        // Nothing listens any more: a transport error after the configured attempts.
        let dead = JSONRPCClient(url: devnet.url, timeout: 2, maxAttempts: 2)
        await #expect(throws: JSONRPCClientError.self) { _ = try await dead.call("eth_chainId") }
        do { _ = try await dead.call("eth_chainId") } catch {
            guard case .transport(let m) = error else { Issue.record("expected a transport error, got \(error)"); return }
            #expect(m.contains("after 2 attempts"))
        }
    }
}
