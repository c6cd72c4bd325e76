import Core
import Foundation
import Logging
import Sequencer

/// Settings of the transaction manager. Defaults suit a public L1 with 12 s blocks.
public struct TxManagerConfig: Sendable {
    /// Blocks on top of the receipt's block before a transaction counts as confirmed.
    public var confirmations: UInt64 = 3
    /// Bump the fees when a transaction has waited this long without a receipt.
    public var bumpAfterMs: UInt64 = 36_000
    /// Each bump raises both fee caps by this many thousandths (125 = 12.5%; nodes want ≥ 10%).
    public var bumpPerMille: UInt64 = 125
    /// Never offer more than this per gas (the operator's budget).
    public var maxFeePerGasCap: UInt256 = UInt256(500) * UInt256(1_000_000_000)
    /// The smallest priority fee offered.
    public var minPriorityFee: UInt256 = UInt256(1_000_000_000)
    /// Gas estimate × (1000 + margin) / 1000.
    public var gasMarginPerMille: UInt64 = 200

    public init() {}
}

/// Why the manager refused or could not act.
public enum TxManagerError: Error, CustomStringConvertible {
    case wouldRevert(intent: String, reason: String)
    case feeCapBelowBaseFee(cap: UInt256, baseFee: UInt256)
    case chainIdMismatch(expected: UInt256, got: UInt256)

    public var description: String {
        switch self {
        case .wouldRevert(let i, let r): return "\(i) would revert on L1: \(r)"
        case .feeCapBelowBaseFee(let c, let b): return "the fee cap \(c) wei/gas is below the L1 base fee \(b); raise the cap or wait"
        case .chainIdMismatch(let e, let g): return "L1 endpoint serves chain \(g), expected \(e)"
        }
    }
}

/// Owns one key's nonce stream on L1 (docs/ARCHITECTURE.md; the anchors are OP's txmgr and Nitro's
/// DataPoster). Every transaction is signed and persisted before it is sent; `poll` drives
/// each one to confirmation: receipts are looked for under every signed version, forgotten
/// transactions are resent byte for byte, stuck ones are bumped by 12.5% up to a cap, and a
/// receipt that vanishes from the canonical chain (a reorg) sends the transaction again.
/// Nonces are handed out strictly in sequence and never abandoned, so there are no gaps.
public actor TxManager {
    public let key: PrivateKey
    public let chainId: UInt256
    public let eth: EthClient
    public let config: TxManagerConfig
    private let store: BridgeStore
    private let lock: LockFile
    private let now: @Sendable () -> UInt64
    /// One line per notable event (sent, bumped, reorged, …).
    private let logger: Logger
    private let faults: Faults

    public init(store: BridgeStore, lockDirectory: String, key: PrivateKey, chainId: UInt256, eth: EthClient,
                config: TxManagerConfig = TxManagerConfig(), faults: Faults = Faults(), logger: Logger = .discarding,
                now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) throws {
        lock = try LockFile(path: (lockDirectory as NSString).appendingPathComponent("txmgr-\(key.address.checksummed).lock"))
        self.store = store; self.key = key; self.chainId = chainId; self.eth = eth; self.config = config
        self.logger = logger; self.now = now; self.faults = faults
    }

    public var address: Address { key.address }

    // MARK: Records

    public func record(id: String) throws -> TxRecord? {
        guard let n = try store.db.get("intents", Array(id.utf8)) else { return nil }
        return try record(nonce: BridgeStore.uint64(n))
    }

    public func record(nonce: UInt64) throws -> TxRecord? {
        try store.db.get("txs", BridgeStore.be(nonce)).map { try TxRecord(encoded: $0) }
    }

    /// Every record not yet confirmed, in nonce order.
    public func open() throws -> [TxRecord] {
        var out: [TxRecord] = []
        try store.db.forEach("txs") { _, v in
            let r = try TxRecord(encoded: v)
            if r.state == .pending || r.state == .mined { out.append(r) }
            return true
        }
        return out
    }

    private func save(_ r: TxRecord, newIntent: Bool = false, nextNonce: UInt64? = nil) throws {
        var batch = WriteBatch()
        batch.put("txs", BridgeStore.be(r.nonce), r.encoded)
        if newIntent { batch.put("intents", Array(r.intent.id.utf8), BridgeStore.be(r.nonce)) }
        if let n = nextNonce { batch.put("meta", Array("nextNonce".utf8), BridgeStore.be(n)) }
        try store.db.write(batch, sync: true)
    }

    // MARK: Submitting

    /// Takes an intent: returns its record if it was ever taken (whatever its state), or
    /// estimates, prices, signs, persists and sends a new transaction with the next nonce.
    /// Refuses (without using a nonce) an intent whose call would revert now.
    @discardableResult
    public func submit(_ intent: TxIntent) async throws -> TxRecord {
        if let r = try record(id: intent.id) { return r }
        let gas: UInt64
        do {
            gas = try await eth.estimateGas(CallRequest(from: address, to: intent.to, data: intent.data, value: intent.value))
        } catch {
            guard case .rpc(_, let message, let data) = error else { throw error }
            throw TxManagerError.wouldRevert(intent: intent.id, reason: RevertDecoding.reason(message: message, data: data))
        }
        let gasLimit = gas + gas * config.gasMarginPerMille / 1000
        let nonce = try await nextNonce()
        let fees = try await marketFees()
        var r = TxRecord(intent: intent, nonce: nonce, gasLimit: gasLimit,
                         first: sign(intent: intent, nonce: nonce, gasLimit: gasLimit, maxFee: fees.maxFee, tip: fees.tip))
        faults.hit("txm.beforePersist")
        try save(r, newIntent: true, nextNonce: nonce + 1)
        faults.hit("txm.afterPersist")
        logger.info("tx \(intent.id): nonce \(nonce), \(r.latest.hash.hex), max fee \(fees.maxFee), tip \(fees.tip)")
        try await send(&r)
        return r
    }

    /// The next nonce: ours as persisted, unless the chain is ahead (the key was used
    /// elsewhere, or this is a fresh store for a used key).
    private func nextNonce() async throws -> UInt64 {
        let persisted = try store.metaUInt64("nextNonce") ?? 0
        let chain = try await eth.transactionCount(of: address, at: .latest)
        if chain > persisted, try open().isEmpty == false {
            logger.warning("L1 nonce \(chain) is ahead of ours (\(persisted)): is this key used by another program?")
        }
        return max(persisted, chain)
    }

    private func marketFees() async throws -> (maxFee: UInt256, tip: UInt256) {
        let suggested = (try? await eth.maxPriorityFeePerGas()) ?? config.minPriorityFee
        let tip = max(suggested, config.minPriorityFee)
        guard let base = try await eth.block(.latest)?.baseFeePerGas else { return (min(tip * 2, config.maxFeePerGasCap), tip) }
        // Twice the base fee survives six full blocks of base-fee growth before inclusion.
        let want = base * 2 + tip
        guard config.maxFeePerGasCap > base else { throw TxManagerError.feeCapBelowBaseFee(cap: config.maxFeePerGasCap, baseFee: base) }
        return (min(want, config.maxFeePerGasCap), min(tip, config.maxFeePerGasCap))
    }

    private func sign(intent: TxIntent, nonce: UInt64, gasLimit: UInt64, maxFee: UInt256, tip: UInt256) -> TxAttempt {
        let tx = EIP1559Transaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                                    gasLimit: gasLimit, to: intent.to, value: intent.value, data: intent.data)
        let signed = tx.signed(with: key)
        return TxAttempt(hash: signed.hash, raw: signed.raw, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, signedAtMs: now())
    }

    // MARK: Driving

    /// One round over every open transaction; call it on a timer. Returns the records that
    /// changed state in this round.
    @discardableResult
    public func poll() async throws -> [TxRecord] {
        var changed: [TxRecord] = []
        let head = try await eth.blockNumber()
        for var r in try open() {
            let before = r.state
            try await step(&r, head: head)
            if r.state != before { changed.append(r) }
        }
        return changed
    }

    private func step(_ r: inout TxRecord, head: UInt64) async throws {
        switch r.state {
        case .pending:
            if try await findReceipt(&r) { return try await step(&r, head: head) }
            if now() &- r.lastSentMs >= config.bumpAfterMs && now() &- r.latest.signedAtMs >= config.bumpAfterMs {
                try await bump(&r, reason: "no receipt after \(config.bumpAfterMs / 1000) s")
            } else if !(try await eth.transactionKnown(r.latest.hash)) {
                logger.info("tx \(r.intent.id): the node does not know \(r.latest.hash.hex); sending it again")
                try await send(&r)
            }
        case .mined:
            // Still where we saw it? A reorg may have dropped or moved it.
            let receipt = try await eth.receipt(r.minedHash)
            let canonical = try await eth.block(.number(r.minedBlock))?.hash
            guard let receipt, receipt.blockHash == r.minedBlockHash, canonical == r.minedBlockHash else {
                logger.info("tx \(r.intent.id): L1 reorg removed it from block \(r.minedBlock); sending it again")
                r.state = .pending
                r.minedBlock = 0; r.minedBlockHash = []; r.minedHash = []
                try save(r)
                if try await findReceipt(&r) { return }
                try await send(&r)
                return
            }
            if head + 1 >= r.minedBlock + config.confirmations {
                faults.hit("txm.beforeConfirmed")
                r.state = .confirmed
                try save(r)
                logger.info("tx \(r.intent.id): confirmed in block \(r.minedBlock) (\(r.success ? "success" : "reverted"), gas \(r.gasUsed))")
            }
        case .confirmed, .nonceStolen:
            return
        }
    }

    /// Looks for a receipt under every signed version; records it when found.
    private func findReceipt(_ r: inout TxRecord) async throws -> Bool {
        for a in r.attempts.reversed() {
            if let receipt = try await eth.receipt(a.hash) {
                faults.hit("txm.beforeMined")
                r.state = .mined
                r.minedBlock = receipt.blockNumber; r.minedBlockHash = receipt.blockHash; r.minedHash = a.hash
                r.success = receipt.status; r.gasUsed = receipt.gasUsed; r.effectiveGasPrice = receipt.effectiveGasPrice
                try save(r)
                logger.info("tx \(r.intent.id): mined in block \(receipt.blockNumber) as \(a.hash.hex)")
                return true
            }
        }
        return false
    }

    private func bump(_ r: inout TxRecord, reason: String) async throws {
        let market = try await marketFees()
        let old = r.latest
        let scale = { (v: UInt256) -> UInt256 in (v * UInt256(1000 + self.config.bumpPerMille) + UInt256(999)) / UInt256(1000) }
        let maxFee = min(max(scale(old.maxFeePerGas), market.maxFee), config.maxFeePerGasCap)
        let tip = min(max(scale(old.maxPriorityFeePerGas), market.tip), maxFee)
        // A replacement must raise both caps by at least 10%, or nodes refuse it.
        guard maxFee * UInt256(10) >= old.maxFeePerGas * UInt256(11), tip * UInt256(10) >= old.maxPriorityFeePerGas * UInt256(11) else {
            logger.info("tx \(r.intent.id): at the fee cap \(config.maxFeePerGasCap); resending without a bump")
            r.lastSentMs = now()
            try save(r)
            try await send(&r)
            return
        }
        r.attempts.append(sign(intent: r.intent, nonce: r.nonce, gasLimit: r.gasLimit, maxFee: maxFee, tip: tip))
        try save(r)
        logger.info("tx \(r.intent.id): bumped (\(reason)) to max fee \(maxFee), tip \(tip): \(r.latest.hash.hex)")
        try await send(&r)
    }

    /// Sends the latest version; interprets the node's refusals.
    private func send(_ r: inout TxRecord) async throws {
        do {
            _ = try await eth.sendRawTransaction(r.latest.raw)
            faults.hit("txm.afterSend")
            r.lastSentMs = now()
            r.lastError = ""
            try save(r)
        } catch let e as JSONRPCClientError {
            guard case .rpc(_, let message, _) = e else { throw e }
            let m = message.lowercased()
            r.lastError = message
            if m.contains("already known") || m.contains("known transaction") || m.contains("already imported") {
                r.lastSentMs = now()
                try save(r)
            } else if m.contains("nonce too low") || m.contains("nonce is too low") {
                // Mined already (perhaps an earlier version), or the nonce went to someone else.
                if try await findReceipt(&r) { return }
                r.state = .nonceStolen
                try save(r)
                logger.info("tx \(r.intent.id): nonce \(r.nonce) was used by a transaction that is not ours")
            } else if m.contains("underpriced") || m.contains("less than block base fee") || m.contains("fee cap") {
                try save(r)
                try await bump(&r, reason: message)
            } else {
                try save(r)
                logger.info("tx \(r.intent.id): the node refused \(r.latest.hash.hex): \(message)")
            }
        }
    }
}

/// Revert reasons from a node's error: the data field's `Error(string)` when present.
enum RevertDecoding {
    static func reason(message: String, data: String?) -> String {
        guard let data, let bytes = try? Hex.decode(data) else { return message }
        if case .message(let m) = RevertReason.decode(bytes) { return m }
        return message
    }
}
