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
        let (envelope, expect) = try checked(p)
        let tx: L2Transaction
        do { tx = try chain.admission.authenticate(envelope) } catch { throw Self.rpcError(error) }
        try check(tx, against: expect)
        if let why = backpressure { throw RPCError.limit(why) }
        do { try chain.submit(tx, bytes: tx.encoded.count) } catch { throw Self.admissionError(error) }
        return tx.hash
    }

    /// `emeth_sendTransaction` for all of a JSON-RPC batch's calls of it, one outcome per call
    /// in their order — the same outcomes, errors and metrics as each call alone, but cheaper:
    /// the signatures are recovered on all cores at once, and the transactions are admitted in
    /// batch order under one acquisition of the engine's lock (`ServedChain.submit(_:)`),
    /// instead of one lock and one task each. A follower forwards each call as it would alone.
    func sendTransactions(_ ps: [RPCParams]) async -> [Result<JSONValue, RPCError>] {
        guard replica == nil, ps.count > 1 else {
            return await withTaskGroup(of: (Int, Result<JSONValue, RPCError>).self) { group in
                for (i, p) in ps.enumerated() {
                    group.addTask { (i, await RPCDispatcher.execute(RPCMethod { try await self.sendTransaction($0) }, p)) }
                }
                var out = [Result<JSONValue, RPCError>](repeating: .failure(.internalError("no outcome")), count: ps.count)
                for await (i, r) in group { out[i] = r }
                return out
            }
        }
        let metrics = chain.metrics
        var outcomes = [Result<JSONValue, RPCError>?](repeating: nil, count: ps.count)
        var parsed: [(index: Int, envelope: L2Envelope, expect: Expectation)] = []
        for (i, p) in ps.enumerated() {
            metrics.txReceived()
            do {
                let (envelope, expect) = try checked(p)
                parsed.append((i, envelope, expect))
            } catch { outcomes[i] = .failure(Self.admissionError(error)) }
        }
        var admitted: [(index: Int, tx: L2Transaction)] = []
        let why = backpressure
        for (k, r) in chain.admission.authenticate(parsed.map(\.envelope)).enumerated() {
            let i = parsed[k].index
            do {
                let tx = try r.get()
                try check(tx, against: parsed[k].expect)
                if let why { throw RPCError.limit(why) }
                admitted.append((i, tx))
            } catch let e as L2TxError {
                outcomes[i] = .failure(Self.rpcError(e))
            } catch {
                outcomes[i] = .failure(Self.admissionError(error))
            }
        }
        do {
            for (k, refusal) in try chain.submit(admitted.map(\.tx)).enumerated() {
                let (i, tx) = admitted[k]
                outcomes[i] = refusal.map { .failure(Self.admissionError($0)) } ?? .success(.data(tx.hash))
            }
        } catch {
            // The engine refused the whole batch (stopped): every transaction gets that answer.
            for (i, _) in admitted { outcomes[i] = .failure(Self.admissionError(error)) }
        }
        return outcomes.map { outcome in
            let o = outcome ?? .failure(.internalError("no outcome"))
            switch o {
            case .success: metrics.txAccepted()
            case .failure(let e): metrics.txRejected(Self.rejectionLabel(e.code))
            }
            return o
        }
    }

    /// The envelope and the expectation of `p`, checked against this chain's domain (before
    /// the signature: a mismatch there is the client's error, named).
    private func checked(_ p: RPCParams) throws(RPCError) -> (L2Envelope, Expectation) {
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
        return (envelope, expect)
    }

    /// Refuses `tx` if its signature recovers to another sender than the client expected.
    private func check(_ tx: L2Transaction, against expect: Expectation) throws(RPCError) {
        let domain = chain.admission.domain
        if let from = expect.from, from != tx.sender {
            throw RPCError(code: RPCError.wrongDomainCode, message: "the signature recovers to \(tx.sender.checksummed), not "
                           + "expect.from \(from.checksummed): signed for another domain (this chain: name \"\(domain.name)\", "
                           + "version \"\(domain.version)\", chainId \(domain.chainId), verifyingContract "
                           + "\(domain.verifyingContract.checksummed)) or with another key")
        }
    }

    /// The JSON-RPC error for a refusal of the mempool or of admission (or any other error
    /// on the way, as the dispatcher would report it).
    static func admissionError(_ error: any Error) -> RPCError {
        switch error {
        case let e as RPCError: return e
        case let r as Mempool.Refusal:
            switch r {
            case .full, .senderFull: return .limit(r.description)
            default: return RPCError(code: RPCError.nonceCode, message: r.description)
            }
        case let r as AdmissionRefusal:
            switch r {
            case .tooLarge: return .limit(r.description)
            case .emptyAccount, .wouldFail: return RPCError(code: RPCError.wouldFailCode, message: r.description)
            }
        case let e as RPCErrorConvertible: return e.rpcError
        default: return .internalError("\(error)")
        }
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
