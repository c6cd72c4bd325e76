import Core

/// Transactions accepted but not yet in a block, queued per sender by nonce. A transaction
/// whose nonce is ahead of its sender's next nonce waits for the gap to fill (clients that
/// fire several transactions at once need not serialise them); one behind is refused.
/// Ready transactions leave in arrival order, so no sender can starve another.
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

    struct Entry: Sendable {
        let tx: L2Transaction
        let bytes: Int
        let seq: UInt64
    }

    /// Every pooled transaction by sender and nonce; `ready` indexes the executable ones.
    private var bySender: [Address: [UInt64: Entry]] = [:]
    /// For each sender, the next nonce the chain (plus transactions already taken) expects.
    private var nextNonce: [Address: UInt64] = [:]
    private var ready: [UInt64: Entry] = [:]
    private var readyOrder = MinHeap()
    private var readySenders: Set<Address> = []
    private var known: Set<Hash32> = []
    private var seq: UInt64 = 0
    public private(set) var count = 0

    public init(maxSize: Int = 100_000, maxPerSender: Int = 1_024, maxNonceAhead: UInt64 = 1_024) {
        self.maxSize = maxSize; self.maxPerSender = maxPerSender; self.maxNonceAhead = maxNonceAhead
    }

    public var readyCount: Int { ready.count }
    /// How many of `sender`'s transactions wait here (its next nonce is the chain's plus these).
    public func pendingCount(of sender: Address) -> Int { bySender[sender]?.count ?? 0 }
    public func contains(_ hash: Hash32) -> Bool { known.contains(hash) }

    /// Adds a validated transaction. `chainNonce` is the sender's nonce in the latest state,
    /// consulted only the first time the pool sees this sender.
    public mutating func add(_ tx: L2Transaction, bytes: Int, chainNonce: UInt64) throws(Refusal) {
        guard !known.contains(tx.hash) else { throw .alreadyKnown(tx.hash) }
        let expected = nextNonce[tx.sender] ?? chainNonce
        guard tx.nonce >= expected else { throw .nonceTooLow(expected: expected, got: tx.nonce) }
        guard tx.nonce - expected <= maxNonceAhead else { throw .nonceTooHigh(expected: expected, got: tx.nonce, maxAhead: maxNonceAhead) }
        var queue = bySender[tx.sender] ?? [:]
        guard queue[tx.nonce] == nil else { throw .nonceTaken(tx.nonce) }
        guard count < maxSize else { throw .full(limit: maxSize) }
        guard queue.count < maxPerSender else { throw .senderFull(limit: maxPerSender) }
        seq += 1
        let entry = Entry(tx: tx, bytes: bytes, seq: seq)
        nextNonce[tx.sender] = expected
        known.insert(tx.hash)
        count += 1
        queue[tx.nonce] = entry
        bySender[tx.sender] = queue
        if tx.nonce == expected && !readySenders.contains(tx.sender) { makeReady(entry) }
    }

    private mutating func makeReady(_ e: Entry) {
        ready[e.seq] = e
        readyOrder.push(e.seq)
        readySenders.insert(e.tx.sender)
    }

    /// Takes up to `maxTxs` ready transactions (and at most `maxBytes`) in arrival order,
    /// promoting each sender's next queued nonce as its predecessor is taken.
    public mutating func take(maxTxs: Int, maxBytes: Int) -> [L2Transaction] {
        var out: [L2Transaction] = []
        var bytes = 0
        while out.count < maxTxs, let first = readyOrder.peek() {
            let e = ready[first]!
            if bytes + e.bytes > maxBytes && !out.isEmpty { break }
            _ = readyOrder.pop()
            ready[first] = nil
            readySenders.remove(e.tx.sender)
            out.append(e.tx)
            bytes += e.bytes
            known.remove(e.tx.hash)
            count -= 1
            let next = e.tx.nonce + 1
            nextNonce[e.tx.sender] = next
            if var q = bySender[e.tx.sender] {
                q[e.tx.nonce] = nil
                if let succ = q[next] { makeReady(succ) }
                bySender[e.tx.sender] = q.isEmpty ? nil : q
            }
        }
        return out
    }

    /// Bytes of the ready transactions (what the seal policy weighs).
    public var readyBytes: Int { ready.values.reduce(0) { $0 + $1.bytes } }
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
