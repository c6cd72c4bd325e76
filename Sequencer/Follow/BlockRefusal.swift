/// Why a follower refused a block it was served: the first field that does not verify, with
/// what it should be and what the block says. Nothing of a refused block is stored.
public struct BlockRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number the block had to have (the follower's head + 1).
    public let block: UInt64
    /// The field: `encoding`, `number`, `parentHash`, `timestamp`, `signature` (the Signer's),
    /// `tx.signature`, `tx.sender`, `tx.hash`, `tx.failure`, `inbox[k].failure`, a header field
    /// re-execution recomputes (`txCount`, `txRoot`, `inboxCursor`, `stateRoot`,
    /// `settlementRoot`, `hash`), `nonce`, `conservation`, `tickets`, `ticket.account`,
    /// `ticket.credit`, `ticket.blockNumber` or `ticket.signature`.
    public let field: String
    /// The transaction's (for `tx.*` and `nonce`) or ticket's (for `ticket.*`) index in the block.
    public let index: Int?
    /// What the follower computed or requires.
    public let expected: String
    /// What the block says.
    public let found: String
    /// The sentence after "block N: ", naming the field and both values.
    public let message: String

    init(block: UInt64, field: String, index: Int? = nil, expected: String, found: String, message: String? = nil, detail: String = "") {
        self.block = block; self.field = field; self.index = index; self.expected = expected; self.found = found
        let what = message ?? "\(field) is \(found), expected \(expected)"
        self.message = what + (detail.isEmpty ? "" : " (\(detail))")
    }

    /// A header field re-execution recomputed differently.
    static func reexecution(block: UInt64, field: String, index: Int?, recomputed: String, found: String, detail: String) -> BlockRefusal {
        BlockRefusal(block: block, field: field, index: index, expected: recomputed, found: found,
                     message: "\(field) \(found) does not match re-execution \(recomputed)", detail: detail)
    }

    public var description: String {
        let at = index.map { field.hasPrefix("ticket") ? ", ticket \($0)" : ", tx \($0)" } ?? ""
        return "block \(block)\(at): \(message)"
    }
}
