import Core

/// Why a proof could not be built or read. Each case names the problem so the CLI and the
/// API can show it to a user verbatim.
public enum ProofError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The proof JSON is not in the pinned form (docs/PROOFS.md): a field is missing, extra or
    /// malformed. The message names the field.
    case format(String)
    /// The chain store has no such block (yet).
    case blockNotFound(UInt64, head: UInt64)
    /// A block range that is empty or reversed.
    case invalidRange(String)
    /// The store's data contradicts itself (a block or tree node is missing or undecodable).
    case store(String)

    public var description: String {
        switch self {
        case .format(let m): return "malformed proof: \(m)"
        case .blockNotFound(let n, let head): return "block \(n) does not exist (the chain's head is block \(head))"
        case .invalidRange(let m): return "invalid block range: \(m)"
        case .store(let m): return "cannot build the proof from the chain store: \(m)"
        }
    }
}
