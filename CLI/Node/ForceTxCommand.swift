import ArgumentParser
import Bridge
import Core
import Foundation
import Sequencer

/// `emeth force-tx FILE`: sends a signed L2 transaction through the L1 inbox, for a user the
/// sequencer censors. The contract refuses every commit that leaves the message out for
/// longer than `forceInclusionDelay`, so the sequencer must apply it (or stop committing).
struct ForceTx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force-tx",
        abstract: "Send a signed L2 transaction through L1, so the sequencer must include it.",
        discussion: """
        FILE (or - for standard input) holds the transaction in the JSON wire form that
        emeth_sendTransaction takes: {"type":"Submit","message":{…},"signature":"0x…"}.
        The L1 key pays the L1 gas; it need not be the L2 sender.
        Example: EMETH_PRIVATE_KEY=0x… emeth force-tx submit.json --rpc http://127.0.0.1:8545 --deployment deployment.json
        """)

    @Argument(help: "The signed transaction's JSON wire form: a file, or - for standard input.")
    var file: String

    @OptionGroup var l1: L1Options
    @OptionGroup var l2: L2Options
    @OptionGroup var key: KeyOptions

    func run() async throws {
        let text: Data
        if file == "-" {
            text = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            text = d
        }
        let envelope: L2Envelope
        do { envelope = try L2Envelope.parse(try JSONValue.parse(text)) } catch { throw CLIError("\(file) is not an L2 transaction: \(error)") }
        let (eth, d) = try await l1.connect()
        let bytes = envelope.encoded
        guard bytes.count <= InboxMessage.maxForcedTransactionBytes else {
            throw CLIError("the transaction is \(bytes.count) bytes in binary form, over the \(InboxMessage.maxForcedTransactionBytes)-byte limit of forceTransaction")
        }
        let tx: L2Transaction
        do { tx = try L2Admission(chainId: d.chainId, rollup: d.rollup).authenticate(envelope) } catch {
            throw CLIError("the signature does not verify for this deployment (chain \(d.chainId), rollup \(d.rollup.checksummed)): \(error); the sequencer would record it as FORCED_TX_INVALID")
        }
        if let next = try? await l2.client.account(tx.sender).nonce, next != tx.nonce {
            print("warning: \(tx.sender.checksummed)'s next L2 nonce is \(next), not \(tx.nonce): unless that changes before the sequencer includes it, it fails as FORCED_TX_WRONG_NONCE")
        }
        let k = try key.load()
        let sender = L1Sender(eth: eth, key: k, chainId: d.chainId)
        let receipt = try await sender.send(to: d.rollup, data: try RollupContract.forceTransaction.encodeCall([.bytes(bytes)]),
                                            what: "forceTransaction")
        guard let message = receipt.logs.compactMap({ try? RollupContract.inboxMessage($0) }).first else {
            throw CLIError("forceTransaction was mined in L1 block \(receipt.blockNumber) but logged no inbox message")
        }
        let delay = (try? await RollupContract(address: d.rollup, eth: eth).forceInclusionDelay()) ?? d.forceInclusionDelay
        print("forced \(envelope.call.typeName) from \(tx.sender.checksummed) (nonce \(tx.nonce), \(bytes.count) bytes): inbox message \(message.index), L1 block \(receipt.blockNumber), tx \(receipt.transactionHash.hex)")
        print("L2 transaction hash \(tx.hash); the sequencer must include it within \(delay) s, or L1 refuses its commits")
    }
}
