import Bridge
import Core
import Foundation
import Sequencer

/// A signed transaction before it is sent: its wire form, its sender and the hash the
/// sequencer will report, `keccak256(digest ‖ sender)` (docs/PROTOCOL.md §2).
public struct SignedTransaction: Sendable, Equatable {
    public let envelope: L2Envelope
    public let sender: Address
    public let hash: Hash32

    public var call: L2Call { envelope.call }
    public var nonce: UInt64 { envelope.nonce }

    public static func sign(_ call: L2Call, nonce: UInt64, key: PrivateKey, domain: EIP712.Domain) throws -> SignedTransaction {
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        let sig = try Secp256k1.sign(digest: digest, key: key)
        return SignedTransaction(envelope: L2Envelope(call: call, nonce: nonce, signature: sig.rsv), sender: key.address,
                                 hash: L2Transaction.hash(digest: digest, sender: key.address))
    }
}

/// Sends job transactions to the sequencer and follows them: the nonce from the pending state
/// (so several transactions may be sent without waiting), signing in the chain's domain,
/// refusals and failures explained in words (`FailureExplainer`), receipts polled until the
/// transaction is in a durable block.
public struct TransactionClient: Sendable {
    public let l2: L2Client
    public let chain: ChainContext

    public init(l2: L2Client, chain: ChainContext) {
        self.l2 = l2; self.chain = chain
    }

    /// Connects to the API at `url` and reads the chain's domain and rules.
    public static func connect(_ url: URL) async throws(ClientError) -> TransactionClient {
        let l2 = L2Client(url: url)
        return TransactionClient(l2: l2, chain: try ChainContext.parse(try await l2.call("emeth_chainInfo", [])))
    }

    /// Signs `call` with `key` at `nonce` (default: the sender's pending nonce) and sends it.
    /// Returns once the sequencer has queued it; a refusal throws with the reason in words.
    public func send(_ call: L2Call, key: PrivateKey, nonce: UInt64? = nil) async throws(ClientError) -> SignedTransaction {
        let n: UInt64
        if let nonce { n = nonce } else { n = try await l2.transactionCount(key.address) }
        let tx: SignedTransaction
        do { tx = try SignedTransaction.sign(call, nonce: n, key: key, domain: chain.domain) } catch {
            throw ClientError(.invalidInput, "cannot sign with this key: \(error)")
        }
        // `expect` makes a transaction signed for another chain a clear -32002, not a stranger's.
        let expect = JSONValue.object(["from": .string(tx.sender.checksummed), "chainId": .string(chain.domain.chainId.description),
                                       "verifyingContract": .string(chain.domain.verifyingContract.checksummed)])
        let answer: JSONValue
        do { answer = try await l2.rpc.call("emeth_sendTransaction", [tx.envelope.json, expect]) } catch {
            throw await refusal(error, tx)
        }
        guard answer.stringValue?.lowercased() == tx.hash.bytes.hex else {
            throw ClientError(.unavailable, "the sequencer answered hash \(answer.serialized) for a transaction whose hash is \(tx.hash.bytes.hex)")
        }
        return tx
    }

    /// Polls the receipt until the transaction is in a durable block; throws on `dropped` and
    /// after `timeout` seconds.
    public func waitForReceipt(_ tx: SignedTransaction, timeout: Double = 60, poll: UInt64 = 200_000_000) async throws(ClientError) -> Receipt {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let r = try await l2.call("emeth_getTransactionReceipt", [.string(tx.hash.bytes.hex)])
            if !r.isNull {
                let receipt = try Receipt.parse(r)
                if receipt.status == .dropped {
                    throw ClientError(.failed, "\(tx.call.typeName) \(tx.hash.bytes.hex) was dropped by an operator's rollback (\(receipt.reason ?? "no reason given")); send it again")
                }
                if receipt.isSequenced { return receipt }
            }
            guard Date() < deadline else {
                throw ClientError(.timeout, "\(tx.call.typeName) \(tx.hash.bytes.hex) is not in a block after \(Int(timeout)) s; its receipt may still come (emeth_getTransactionReceipt)")
            }
            try? await Task.sleep(nanoseconds: poll)
        }
    }

    /// Why `tx` failed in its block, in words, from the job and balance as they are now (a
    /// failed transaction changed nothing but the sender's nonce).
    public func explain(_ code: FailureCode, _ tx: SignedTransaction) async -> String {
        FailureExplainer.sentence(code, await context(tx))
    }

    func context(_ tx: SignedTransaction) async -> FailureContext {
        var job: Job?
        if let id = JobCalls.jobId(of: tx.call) { job = try? await l2.job(id)?.job }
        let balance = try? await l2.accountInfo(tx.sender).balance
        return FailureContext(call: tx.call, sender: tx.sender, job: job, balance: balance, chain: chain)
    }

    /// An `emeth_sendTransaction` error in words. Admission's refusals (-32006) name the failure
    /// code in their message (docs/API.md): "would fail with NAME (N)".
    func refusal(_ e: JSONRPCClientError, _ tx: SignedTransaction) async -> ClientError {
        guard case .rpc(let code, let message, _) = e else { return .api(e, l2.rpc.url) }
        switch code {
        case -32006:
            if let failure = Self.failureCode(in: message) {
                return ClientError(.refused, await explain(failure, tx), failure: failure)
            }
            if message.contains("holds nothing") {
                return ClientError(.refused, "account \(tx.sender.checksummed) holds nothing on L2 (no balance, no credit, no role): deposit EMT first with `emeth deposit`")
            }
        case -32001:
            if message.hasPrefix("nonce too low") || message.contains("already queued") || message.contains("already known") {
                return ClientError(.refused, "nonce \(tx.nonce) of \(tx.sender.checksummed) is taken (\(message)); leave out --nonce to use the next free one")
            }
            return ClientError(.refused, "nonce \(tx.nonce) is refused: \(message)")
        case -32003:
            return ClientError(.refused, "the sequencer is busy: \(message)")
        default:
            break
        }
        return ClientError(.refused, "the sequencer refused the \(tx.call.typeName): \(message)")
    }

    /// The code in "… would fail with NAME (N) …", if the message has one.
    static func failureCode(in message: String) -> FailureCode? {
        guard let r = message.range(of: #"would fail with [A-Z_]+ \((\d+)\)"#, options: .regularExpression) else { return nil }
        let digits = message[r].split(separator: "(").last?.dropLast() ?? ""
        return UInt16(digits).flatMap(FailureCode.init(rawValue:))
    }
}
