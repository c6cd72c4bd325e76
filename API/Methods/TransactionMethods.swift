import Core
import Sequencer

/// `emeth_sendTransaction` and `emeth_getTransactionReceipt`.
extension L2API {
    /// Parses the wire form, authenticates it (outside the node's lock: recovery is the
    /// expensive part and is pure), then queues it. Returns the hash once it is in the mempool.
    ///
    /// The optional `expect` object `{from, chainId, verifyingContract}` lets a client state
    /// what it meant to sign: a signature over another domain still recovers *some* address,
    /// so without it a transaction signed for the wrong chain reads as one from a stranger
    /// (refused only by its nonce). With it, such a transaction is refused with -32002.
    func sendTransaction(_ p: RPCParams) async throws -> JSONValue {
        let metrics = chain.metrics
        metrics.txReceived()
        do {
            if let replica {
                // A follower sequences nothing: the leader admits, and its answer is the answer.
                let hash = try await replica.forward("emeth_sendTransaction", params: p.positional)
                metrics.txAccepted()
                return hash
            }
            let hash = try await admit(p)
            metrics.txAccepted()
            return .data(hash)
        } catch let e as RPCError {
            metrics.txRejected(Self.rejectionLabel(e.code))
            throw e
        } catch let e as RPCErrorConvertible {
            metrics.txRejected(Self.rejectionLabel(e.rpcError.code))
            throw e.rpcError
        }
    }

    private func admit(_ p: RPCParams) async throws -> Hash32 {
        guard let wire = p["tx"], wire.objectValue != nil else {
            throw RPCError.invalidParams("tx: expected the wire-form object {type, message, signature}")
        }
        let expect = try Expectation(p["expect"])
        let envelope: L2Envelope
        do { envelope = try L2Envelope.parse(wire) } catch {
            throw Self.rpcError(error)
        }
        let domain = chain.admission.domain
        if let chainId = expect.chainId, chainId != domain.chainId {
            throw RPCError(code: RPCError.wrongDomainCode,
                           message: "wrong chain: this L2 has chainId \(domain.chainId), expect.chainId is \(chainId)")
        }
        if let contract = expect.verifyingContract, contract != domain.verifyingContract {
            throw RPCError(code: RPCError.wrongDomainCode, message: "wrong domain: this L2's verifyingContract is "
                           + "\(domain.verifyingContract.checksummed), expect.verifyingContract is \(contract.checksummed)")
        }
        let tx: L2Transaction
        do { tx = try chain.admission.authenticate(envelope) } catch { throw Self.rpcError(error) }
        if let from = expect.from, from != tx.sender {
            throw RPCError(code: RPCError.wrongDomainCode, message: "the signature recovers to \(tx.sender.checksummed), not "
                           + "expect.from \(from.checksummed): signed for another domain (this chain: name \"\(domain.name)\", "
                           + "version \"\(domain.version)\", chainId \(domain.chainId), verifyingContract "
                           + "\(domain.verifyingContract.checksummed)) or with another key")
        }
        if let why = backpressure { throw RPCError.limit(why) }
        do { try chain.submit(tx, bytes: tx.encoded.count) } catch let r as Mempool.Refusal {
            switch r {
            case .full, .senderFull: throw RPCError.limit(r.description)
            default: throw RPCError(code: RPCError.nonceCode, message: r.description)
            }
        } catch let r as AdmissionRefusal {
            switch r {
            case .tooLarge: throw RPCError.limit(r.description)
            case .emptyAccount, .wouldFail: throw RPCError(code: RPCError.wouldFailCode, message: r.description)
            }
        }
        return tx.hash
    }

    static func rpcError(_ e: L2TxError) -> RPCError {
        switch e {
        case .badSignature(let why): return RPCError(code: RPCError.invalidSignatureCode, message: "invalid signature: \(why)")
        case .tooLarge: return .limit("tx: \(e)")
        default: return .invalidParams("tx: \(e)")
        }
    }

    /// The `reason` label of `emeth_txs_rejected_total`.
    static func rejectionLabel(_ code: Int) -> String {
        switch code {
        case RPCError.invalidSignatureCode: return "bad_signature"
        case RPCError.nonceCode: return "nonce"
        case RPCError.wrongDomainCode: return "wrong_domain"
        case RPCError.limitCode: return "limit"
        case RPCError.notReadyCode: return "not_ready"
        case RPCError.wouldFailCode: return "would_fail"
        case RPCError.invalidParamsCode: return "invalid"
        default: return "other"
        }
    }

    /// What the client says it signed (all optional).
    struct Expectation {
        var from: Address?
        var chainId: UInt256?
        var verifyingContract: Address?

        init(_ json: JSONValue?) throws(RPCError) {
            guard let json, !json.isNull else { return }
            let p = try RPCParams(json, names: ["from", "chainId", "verifyingContract"], required: 0)
            do throws(RPCError) {
                from = try p.address("from")
                chainId = try p.uint256("chainId")
                verifyingContract = try p.address("verifyingContract")
            } catch { throw .invalidParams("expect.\(error.message.dropFirst("invalid params: ".count))") }
        }
    }

    /// pending (in the mempool) → sequenced (in a durable block) → committed (its batch is
    /// mined on L1) → final (the batch's challenge period is over); null if unknown. A follower
    /// answers for the transactions of the blocks it applied and asks its leader for any other
    /// (pending in the leader's mempool, or in a block it has not applied yet).
    func receipt(_ p: RPCParams) async throws -> JSONValue {
        let hash = try p.need(try p.hash("hash"), "hash")
        if let replica, try chain.store.location(of: hash) == nil {
            return try await replica.forward("emeth_getTransactionReceipt", params: p.positional)
        }
        // Pending first, under the lock: a transaction leaves the mempool into the block being
        // made durable, which counts as pending until the head moves (under the lock) after
        // its fsync; so once the lock is ours a transaction is pending or indexed in the store.
        let pending = try chain.isPending(hash)
        var o: [String: JSONValue] = ["hash": .data(hash), "status": .string("pending"), "blockNumber": .null, "index": .null,
                                      "success": .null, "failure": .null, "sender": .null, "batchIndex": .null, "l1TxHash": .null]
        // A transaction an operator's rollback took out of the chain (docs/API.md): pending again
        // until it is sequenced anew, or dropped with the reason it was refused.
        let rolledBack = try ChainRollback.status(of: hash, in: chain.store.db)
        guard !pending else {
            if rolledBack != nil { o["rolledBack"] = .bool(true) }
            return .object(o)
        }
        guard let loc = try chain.store.location(of: hash) else {
            switch rolledBack {
            case nil: return .null
            case .waiting?:
                o["rolledBack"] = .bool(true)
            case .refused(let reason)?:
                o["status"] = .string("dropped")
                o["droppedBy"] = .string("rollback")
                o["reason"] = .string(reason)
                o["rolledBack"] = .bool(true)
            }
            return .object(o)
        }
        guard let found = try chain.store.receipt(block: loc.block, index: loc.index) else {
            throw RPCError.internalError("transaction \(hash) is indexed at block \(loc.block) index \(loc.index), which the store does not hold")
        }
        // The same JSON a `receipts` subscription is sent when the block is sealed.
        return ResultJSON.receipt(hash: hash, block: loc.block, receipt: found.receipt, sender: found.sender,
                                  batch: batches?.batch(containing: loc.block))
    }
}
