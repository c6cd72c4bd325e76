import Bridge
import Core
import Foundation
import Logging
import Sequencer

/// `emeth exit`: a user takes their money out of a rollup whose sequencer went silent, from L1
/// data alone (PROTOCOL §9.1). The batches are replayed from L1 (or an archive of them) up to
/// the newest one, the escape state; escape mode is activated and its root proven if nobody
/// did yet; then the account's balance + credit, its open jobs (as owner or node) and its
/// deposits no batch included are paid out by state proofs.
public struct EscapeExit {
    public let rollup: RollupContract
    public let genesis: Genesis
    /// The L1 block the rollup was deployed at (where L1 logs are read from).
    public let fromBlock: UInt64
    /// Sends the L1 transactions; nil for a dry run.
    public let sender: L1Sender?
    /// Where exit's messages go (progress, what is paid).
    public var logger: Logger

    public init(rollup: RollupContract, genesis: Genesis, fromBlock: UInt64, sender: L1Sender?, logger: Logger = .discarding) {
        self.rollup = rollup; self.genesis = genesis; self.fromBlock = fromBlock; self.sender = sender; self.logger = logger
    }

    /// One payout to the account.
    public struct Item: Sendable, Equatable {
        public enum Kind: String, Sendable { case account, job, deposit }
        public let kind: Kind
        /// What is paid, in words (`balance … + credit …`, `job 0x… escrow …`, `deposit #3`).
        public let label: String
        /// The account's entitlement from this item, before netting against `claimed`.
        public let amount: UInt256
        /// The L1 calldata that pays it.
        public let call: Bytes
    }

    /// What the account gets: its items, and the total after netting against what claims
    /// already paid it (`claimed`, PROTOCOL §9.1).
    public struct Plan: Sendable, Equatable {
        public let account: Address
        public var items: [Item] = []
        /// Low bits of `claimed(account)`: paid earlier by claims, absorbed by these payouts.
        public var held: UInt256 = .zero
        /// Entitlements already paid out by an earlier exit.
        public var alreadyTaken: [String] = []
        public var gross: UInt256 { items.reduce(.zero) { $0 + $1.amount } }
        public var net: UInt256 { gross > held ? gross - held : .zero }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notActivatable(at: UInt64, now: UInt64)
        case nothingToTake(Address)
        case alreadyTaken(Address, [String])
        case replay(String)
        case refused(String)
        public var description: String {
            switch self {
            case .notActivatable(let at, let now):
                return "not in escape mode yet: the sequencer has not been silent for escapeDelay; escape mode can be activated from L1 time \(at) (in \(at - now) s)"
            case .nothingToTake(let a):
                return "nothing to take for \(a.checksummed): no balance, credit, open job or unincluded deposit in the escape state"
            case .alreadyTaken(let a, let what):
                return "already taken: everything \(a.checksummed) had was paid out before (\(what.joined(separator: "; ")))"
            case .replay(let m), .refused(let m): return m
            }
        }
    }

    /// What one run did: the plan, and whether escape mode was activated / the root proven by it.
    public struct Outcome: Sendable {
        public var plan: Plan
        public var activated = false
        public var provedRoot = false
        public var paid: UInt256 = .zero
    }

    /// Runs the exit for `account`. `archive`: replay from this export instead of L1 calldata.
    public func run(account: Address, archive: BatchArchive? = nil, workDirectory: String? = nil,
                    progress: @escaping (Audit.Progress) -> Void = { _ in }) async throws -> Outcome {
        let eth = rollup.eth
        var out = Outcome(plan: Plan(account: account))
        // 1. Escape mode.
        if !(try await rollup.escapeMode()) {
            let at = try await rollup.escapeActivatableAt()
            let now = try await eth.block(.latest)?.timestamp ?? 0
            guard now >= at else { throw Failure.notActivatable(at: at, now: now) }
            if let sender {
                try await send(sender, RollupContract.activateEscape.encodeCall([]), what: "activateEscape")
                logger.info("escape mode activated")
                out.activated = true
            } else {
                logger.info("would activate escape mode (activatable since L1 time \(at))")
            }
        } else {
            logger.info("escape mode is active")
        }
        // 2. The escape state: replay every live batch up to the newest.
        let count = try await rollup.batchCount()
        let history = L1History(rollup: rollup, fromBlock: fromBlock)
        var replayer: Replayer?
        defer { replayer?.close() }
        var cursor: UInt64 = 0
        if count > 0 {
            let escapeBatch = count - 1
            let source: any BatchSource
            if let archive {
                source = ArchiveSource(archive)
            } else {
                source = try await L1Source.open(history)
            }
            let r = try await Audit.replayKeeping(source, genesis: genesis, toBatch: escapeBatch, workDirectory: workDirectory, progress: progress)
            replayer = r
            if let d = r.report.divergence { throw Failure.replay("the replay diverged, so no proof from it would hold: \(d)") }
            guard r.report.lastBatch == escapeBatch else {
                throw Failure.replay("the replay ends at batch \(r.report.lastBatch.map(String.init) ?? "none"), but L1's newest batch is \(escapeBatch)"
                                     + (archive != nil ? ": export the archive again (`emeth audit export`)" : ""))
            }
            let last = try await source.batch(escapeBatch)
            let c = last.commitment
            logger.info("replayed \(r.report.batches) batches, \(r.report.blocks) blocks; escape state: batch \(escapeBatch), state root \(c.stateRoot)")
            cursor = try await rollup.batch(escapeBatch).inboxCursor
            // 3. The escape root.
            if try await rollup.escapeRoot().bytes.allSatisfy({ $0 == 0 }) {
                if let sender {
                    try await send(sender, RollupContract.proveEscapeRoot.encodeCall([.fixedBytes(c.stateRoot.bytes), .fixedBytes(c.lastBlockHash.bytes), .fixedBytes(last.dataHash.bytes)]), what: "proveEscapeRoot")
                    logger.info("escape root proven: batch \(escapeBatch)")
                    out.provedRoot = true
                } else {
                    logger.info("would prove the escape root of batch \(escapeBatch)")
                }
            }
        }
        // 4. What the account gets.
        out.plan = try await plan(account: account, state: replayer?.state, stateRoot: replayer?.report.stateRoot,
                                  inbox: try await history.inbox(), cursor: cursor)
        let plan = out.plan
        guard !plan.items.isEmpty else {
            if !plan.alreadyTaken.isEmpty { throw Failure.alreadyTaken(account, plan.alreadyTaken) }
            throw Failure.nothingToTake(account)
        }
        for item in plan.items { logger.info("  \(item.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(item.label): \(Amount.format(item.amount))") }
        if plan.held > .zero { logger.info("  less \(Amount.format(plan.held)) already paid on L1 by claims") }
        guard let sender else {
            logger.info("would pay \(Amount.format(plan.net)) (\(plan.net) base units) to \(account.checksummed) in \(plan.items.count) L1 transactions")
            return out
        }
        for item in plan.items {
            let receipt = try await send(sender, item.call, what: "\(item.kind.rawValue) escape (\(item.label))")
            logger.info("sent \(item.label): L1 tx \(receipt.transactionHash.hex)")
        }
        out.paid = plan.net
        logger.info("paid \(Amount.format(plan.net)) (\(plan.net) base units) to \(account.checksummed)")
        return out
    }

    /// The account's escape items in the replayed `state` (nil: no batch, empty state) and
    /// the inbox (deposits at or after the escape batch's `cursor`), less what L1 already paid.
    public func plan(account: Address, state: ChainStore?, stateRoot: Hash32?, inbox: [InboxMessage], cursor: UInt64) async throws -> Plan {
        var plan = Plan(account: account)
        let raw = try await rollup.claimed(account)
        let escaped = raw >= RollupContract.escapedBit
        plan.held = escaped ? raw - RollupContract.escapedBit : raw
        if let state, let stateRoot {
            let tree = SparseMerkleTree(store: state.nodes, root: try SMTHash(stateRoot.bytes))
            func siblings(_ key: SMTHash) throws -> [Bytes] {
                let p = try tree.proof(key)
                guard p.leaf?.key == key else { throw Failure.replay("the replayed state tree has no leaf for \(key)") }
                return p.siblings.map(\.bytes)
            }
            if let a = try state.account(account) {
                let amount = a.balance + a.credit
                // Sent whenever it holds something, even below `held`: whatever it absorbs of
                // `held` the other payouts no longer give up (skipping it would lose that much).
                if escaped {
                    plan.alreadyTaken.append("account escaped")
                } else if amount > .zero {
                    plan.items.append(Item(kind: .account, label: "balance \(Amount.format(a.balance)) + credit \(Amount.format(a.credit))", amount: amount,
                                           call: try RollupContract.escapeAccount.encodeCall([.address(account), .uint(a.balance), .uint(UInt256(a.nonce)), .uint(a.credit),
                                                                                               .array(try siblings(StateEncoding.accountKey(account)).map { .fixedBytes($0) })])))
                }
            }
            var jobs: [Job] = []
            try state.db.forEach("state") { _, value in
                if value.count == StateEncoding.jobRecordSize, let j = try? StateEncoding.decodeJob(value),
                   j.status.rawValue < JobStatus.verified.rawValue, j.owner == account || j.node == account {
                    jobs.append(j)
                }
                return true
            }
            for j in jobs.sorted(by: { $0.id < $1.id }) {
                var amount = UInt256.zero
                var parts: [String] = []
                if j.owner == account && j.escrow > .zero { amount = amount + j.escrow; parts.append("escrow \(Amount.format(j.escrow))") }
                if j.node == account && j.nodeDeposit > .zero { amount = amount + j.nodeDeposit; parts.append("node deposit \(Amount.format(j.nodeDeposit))") }
                guard amount > .zero else { continue }
                if try await rollup.jobEscaped(j.id) { plan.alreadyTaken.append("job \(j.id) escaped"); continue }
                plan.items.append(Item(kind: .job, label: "job \(j.id) (\(j.status)) " + parts.joined(separator: " + "), amount: amount,
                                       call: try RollupContract.escapeJobCall(j, siblings: try siblings(StateEncoding.jobKey(j.id)))))
            }
        }
        for m in inbox where m.kind == .deposit && m.account == account && m.index >= cursor {
            let left = try await rollup.depositAmount(m.index)
            guard left > .zero else { plan.alreadyTaken.append("deposit #\(m.index) refunded"); continue }
            plan.items.append(Item(kind: .deposit, label: "deposit #\(m.index) (not included by any batch)", amount: left,
                                   call: try RollupContract.refundDeposit.encodeCall([.uint(UInt256(m.index))])))
        }
        return plan
    }

    /// Sends, turning the contract's escape reverts into sentences.
    @discardableResult
    func send(_ sender: L1Sender, _ call: Bytes, what: String) async throws -> EthReceipt {
        do {
            return try await sender.send(to: rollup.address, data: call, what: what)
        } catch let e as L1Sender.Error {
            throw Failure.refused(Self.sentence(e.description))
        }
    }

    static let sentences: [(String, String)] = [
        ("sequencer not silent", "not in escape mode yet: the sequencer committed within escapeDelay (see escapeActivatableAt)"),
        ("not in escape mode", "not in escape mode yet"),
        ("escape root already proven", "the escape root was already proven"),
        ("escape root not proven", "the escape root is not proven yet"),
        ("fields do not match the batch", "L1 refused the escape batch's fields: they do not match its commitment"),
        ("invalid state proof", "L1 refused the state proof: the replayed state is not the escape state"),
        ("account already escaped", "already taken: the account already escaped"),
        ("job already escaped", "already taken: the job already escaped"),
        ("job is terminal", "the job is terminal in the escape state: it holds nothing"),
        ("deposit already refunded", "already taken: the deposit was already refunded"),
        ("deposit was included", "the deposit was included by a batch: it is in the account's balance"),
    ]

    static func sentence(_ message: String) -> String {
        for (needle, sentence) in sentences where message.contains("EmethRollup: " + needle) { return "\(sentence) (\(message))" }
        return message
    }
}
