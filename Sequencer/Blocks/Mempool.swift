import Core

/// Transactions accepted but not yet in a block, queued per sender by nonce. A transaction
/// whose nonce is ahead of its sender's next nonce ("future") waits for the gap to fill
/// (clients that fire several transactions at once need not serialise them); one behind is
/// refused. Ready transactions leave in arrival order, so no sender can starve another.
///
/// Fairness under pressure: future transactions are the cheap way to fill a pool (they need
/// no funds until they run), so they expire after `futureTtlMs`, and when the pool is full a
/// ready newcomer evicts the oldest future transaction — never a ready one. A sender's
/// bookkeeping is dropped as soon as it has nothing queued, so the pool's memory follows
/// what it holds, not how many senders it has ever seen.
public struct Mempool: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case alreadyKnown(Hash32)
        case nonceTooLow(expected: UInt64, got: UInt64)
        case nonceTooHigh(expected: UInt64, got: UInt64, maxAhead: UInt64)
        case nonceTaken(UInt64)
        case full(limit: Int)
        case senderFull(limit: Int)

        public var description: String {
            switch self {
            case .alreadyKnown(let h): return "transaction \(h) is already known"
            case .nonceTooLow(let e, let g): return "nonce too low: expected \(e), got \(g)"
            case .nonceTooHigh(let e, let g, let m): return "nonce too high: expected \(e), got \(g) (at most \(m) ahead)"
            case .nonceTaken(let n): return "another transaction with nonce \(n) is already queued for this sender"
            case .full(let l): return "mempool full (\(l) transactions); retry later"
            case .senderFull(let l): return "too many queued transactions for this sender (\(l))"
            }
        }
    }

    public let maxSize: Int
    public let maxPerSender: Int
    public let maxNonceAhead: UInt64
    /// Milliseconds a future transaction may wait for its gap to fill.
    public let futureTtlMs: UInt64

    struct Entry: Sendable {
        let tx: L2Transaction
        let bytes: Int
        let seq: UInt64
        let arrivedMs: UInt64
    }

    /// Every pooled transaction by sender and nonce; `ready` indexes the executable ones.
    private var bySender: [Address: [UInt64: Entry]] = [:]
    /// For each sender with something queued, the next nonce the chain (plus transactions
    /// already taken) expects.
    private var nextNonce: [Address: UInt64] = [:]
    private var ready: [UInt64: Entry] = [:]
    private var readyOrder = MinHeap()
    private var readySenders: Set<Address> = []
    /// Future transactions — behind a gap — by arrival (lazily cleaned: an entry that joined
    /// its sender's run or left is skipped when it surfaces), for expiry and eviction oldest
    /// first. A transaction queued right behind its sender's ready one is not future: it
    /// neither expires nor is evicted, or a flood of gapped transactions could push out an
    /// honest sender's queue (older than the flood) and leave the rest of it behind a gap.
    private var futureOrder = MinHeap()
    private var futureBySeq: [UInt64: (Address, UInt64)] = [:]
    private var known: Set<Hash32> = []
    private var seq: UInt64 = 0
    public private(set) var count = 0
    /// For each sender with something queued, one past the last nonce of its run: the nonces
    /// from its next nonce on that are all queued, so a block takes them in turn.
    private var runEnd: [Address: UInt64] = [:]
    /// Bytes of what one block could take now: every sender's run (its ready transaction and
    /// the queued ones that follow it without a gap). What the seal policy weighs for a full
    /// block. Counting only each sender's ready transaction made a pool of a few busy senders
    /// never look full, so blocks waited for the block time even when their byte budget was
    /// long reached, and above budget ÷ block time a backlog grew without bound.
    public private(set) var takeableBytes = 0
    /// How many transactions those runs hold: what the seal policy weighs against `max_txs`.
    /// (The pool's whole count included transactions behind gaps, which no block can take: a
    /// few senders holding `max_txs` of those — they need only a dust balance — made every
    /// block full at once, so each honest arrival was sealed alone.)
    public private(set) var takeableCount = 0
    /// Future transactions dropped so far: expired, or evicted for a ready newcomer.
    public private(set) var expired = 0
    public private(set) var evicted = 0

    public init(maxSize: Int = 100_000, maxPerSender: Int = 1_024, maxNonceAhead: UInt64 = 1_024, futureTtlMs: UInt64 = 600_000) {
        self.maxSize = maxSize; self.maxPerSender = maxPerSender; self.maxNonceAhead = maxNonceAhead; self.futureTtlMs = futureTtlMs
    }

    public var readyCount: Int { ready.count }
    /// Transactions waiting for a gap before them to fill (not those queued right behind
    /// their sender's ready one: a block takes those in turn).
    public var futureCount: Int { futureBySeq.count }
    /// Senders the pool keeps bookkeeping for (those with something queued).
    public var senderCount: Int { bySender.count }
    /// How many of `sender`'s transactions wait here (its next nonce is the chain's plus these).
    public func pendingCount(of sender: Address) -> Int { bySender[sender]?.count ?? 0 }
    public func contains(_ hash: Hash32) -> Bool { known.contains(hash) }
    /// The transaction `sender` has queued at `nonce`, if any.
    public func queued(_ sender: Address, nonce: UInt64) -> L2Transaction? { bySender[sender]?[nonce]?.tx }

    /// Every queued transaction in arrival order (for rebuilding the admission state).
    public var inArrivalOrder: [L2Transaction] {
        bySender.values.flatMap(\.values).sorted { $0.seq < $1.seq }.map(\.tx)
    }

    /// Adds a validated transaction. `chainNonce` is the sender's nonce in the latest state,
    /// consulted only when the pool holds nothing of this sender.
    public mutating func add(_ tx: L2Transaction, bytes: Int, chainNonce: UInt64, nowMs: UInt64 = 0) throws(Refusal) {
        guard !known.contains(tx.hash) else { throw .alreadyKnown(tx.hash) }
        let expected = nextNonce[tx.sender] ?? chainNonce
        guard tx.nonce >= expected else { throw .nonceTooLow(expected: expected, got: tx.nonce) }
        guard tx.nonce - expected <= maxNonceAhead else { throw .nonceTooHigh(expected: expected, got: tx.nonce, maxAhead: maxNonceAhead) }
        guard bySender[tx.sender]?[tx.nonce] == nil else { throw .nonceTaken(tx.nonce) }
        guard (bySender[tx.sender]?.count ?? 0) < maxPerSender else { throw .senderFull(limit: maxPerSender) }
        let becomesReady = tx.nonce == expected && !readySenders.contains(tx.sender)
        if count >= maxSize {
            // Only a ready newcomer may push out the oldest future transaction.
            guard becomesReady, evictOldestFuture() else { throw .full(limit: maxSize) }
        }
        seq += 1
        let entry = Entry(tx: tx, bytes: bytes, seq: seq, arrivedMs: nowMs)
        nextNonce[tx.sender] = expected
        known.insert(tx.hash)
        count += 1
        bySender[tx.sender, default: [:]][tx.nonce] = entry
        if becomesReady {
            makeReady(entry)
        } else {
            futureOrder.push(entry.seq)
            futureBySeq[entry.seq] = (tx.sender, tx.nonce)
        }
        extendRun(tx.sender, at: tx.nonce)
    }

    /// A transaction queued at `nonce` joins its sender's run if the run ends there, and with
    /// it whatever queued nonces follow (it may fill the gap before them).
    private mutating func extendRun(_ sender: Address, at nonce: UInt64) {
        guard let start = nextNonce[sender], nonce == runEnd[sender] ?? start else { return }
        var k = nonce
        while let e = bySender[sender]?[k] {
            takeableBytes += e.bytes
            takeableCount += 1
            futureBySeq[e.seq] = nil
            k += 1
        }
        runEnd[sender] = k
    }

    /// The transaction at `nonce` is about to leave other than by being taken: the run ends
    /// before it, and what followed it is future again, waiting for the gap.
    private mutating func cutRun(_ sender: Address, at nonce: UInt64) {
        guard let end = runEnd[sender], nonce < end else { return }
        for k in nonce..<end {
            guard let e = bySender[sender]?[k] else { continue }
            takeableBytes -= e.bytes
            takeableCount -= 1
            if k > nonce {
                futureBySeq[e.seq] = (sender, k)
                futureOrder.push(e.seq)
            }
        }
        runEnd[sender] = nonce
    }

    private mutating func makeReady(_ e: Entry) {
        futureBySeq[e.seq] = nil
        ready[e.seq] = e
        readyOrder.push(e.seq)
        readySenders.insert(e.tx.sender)
    }

    /// Drops future transactions older than `futureTtlMs`; returns how many.
    @discardableResult
    public mutating func expireFuture(nowMs: UInt64) -> Int {
        var n = 0
        while let s = oldestFuture(), let e = entry(s), nowMs &- e.arrivedMs > futureTtlMs, nowMs >= e.arrivedMs {
            removeFuture(e)
            n += 1
        }
        expired += n
        return n
    }

    /// When `expireFuture` will next drop something (milliseconds of the caller's clock), or
    /// nil without future transactions: the sealing thread wakes for it when nothing else is due.
    public mutating func nextExpiryMs() -> UInt64? {
        guard let s = oldestFuture(), let e = entry(s) else { return nil }
        return e.arrivedMs + futureTtlMs + 1
    }

    private mutating func evictOldestFuture() -> Bool {
        guard let s = oldestFuture(), let e = entry(s) else { return false }
        removeFuture(e)
        evicted += 1
        return true
    }

    /// The oldest still-future entry's sequence number, discarding stale heap entries.
    private mutating func oldestFuture() -> UInt64? {
        while let s = futureOrder.peek() {
            if futureBySeq[s] != nil { return s }
            _ = futureOrder.pop()
        }
        return nil
    }

    private func entry(_ seq: UInt64) -> Entry? {
        guard let (sender, nonce) = futureBySeq[seq] else { return nil }
        return bySender[sender]?[nonce]
    }

    private mutating func removeFuture(_ e: Entry) {
        futureBySeq[e.seq] = nil
        known.remove(e.tx.hash)
        count -= 1
        bySender[e.tx.sender]?[e.tx.nonce] = nil
        prune(e.tx.sender)
    }

    /// Forgets a sender with nothing queued: its next nonce is the chain's again.
    private mutating func prune(_ sender: Address) {
        if bySender[sender]?.isEmpty ?? true {
            bySender[sender] = nil
            nextNonce[sender] = nil
            runEnd[sender] = nil
        }
    }

    /// Removes `tx`, just added (admission found it would fail). Its heap slot is left to be
    /// skipped lazily.
    public mutating func remove(_ tx: L2Transaction) {
        guard let e = bySender[tx.sender]?[tx.nonce], e.tx.hash == tx.hash else { return }
        cutRun(tx.sender, at: tx.nonce)
        if ready[e.seq] != nil {
            ready[e.seq] = nil
            readySenders.remove(tx.sender)
        }
        futureBySeq[e.seq] = nil
        known.remove(tx.hash)
        count -= 1
        bySender[tx.sender]?[tx.nonce] = nil
        prune(tx.sender)
    }

    /// Takes up to `maxTxs` ready transactions and at most `maxBytes` in arrival order,
    /// promoting each sender's next queued nonce as its predecessor is taken.
    public mutating func take(maxTxs: Int, maxBytes: Int) -> [L2Transaction] {
        var out: [L2Transaction] = []
        var bytes = 0
        while out.count < maxTxs, let first = readyOrder.peek() {
            guard let e = ready[first] else {  // removed since it was queued
                _ = readyOrder.pop()
                continue
            }
            if bytes + e.bytes > maxBytes { break }
            _ = readyOrder.pop()
            ready[first] = nil
            takeableBytes -= e.bytes  // the head of its sender's run
            takeableCount -= 1
            readySenders.remove(e.tx.sender)
            out.append(e.tx)
            bytes += e.bytes
            known.remove(e.tx.hash)
            count -= 1
            let next = e.tx.nonce + 1
            nextNonce[e.tx.sender] = next
            bySender[e.tx.sender]?[e.tx.nonce] = nil
            if let succ = bySender[e.tx.sender]?[next] { makeReady(succ) }
            prune(e.tx.sender)
        }
        return out
    }
}

/// A binary min-heap of arrival sequence numbers: the ready queue's order.
struct MinHeap: Sendable {
    private var a: [UInt64] = []

    func peek() -> UInt64? { a.first }

    mutating func push(_ v: UInt64) {
        a.append(v)
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if a[p] <= a[i] { break }
            a.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> UInt64? {
        guard !a.isEmpty else { return nil }
        let top = a[0]
        a[0] = a[a.count - 1]
        a.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < a.count && a[l] < a[m] { m = l }
            if r < a.count && a[r] < a[m] { m = r }
            if m == i { break }
            a.swapAt(i, m)
            i = m
        }
        return top
    }
}
