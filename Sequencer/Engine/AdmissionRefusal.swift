import Core

/// Why the sequencer refuses a well-formed, correctly signed transaction at the door rather
/// than let it into a block: L2 transactions cost their sender nothing, so anything that
/// cannot succeed would only cost the operator L1 calldata and every follower state.
public enum AdmissionRefusal: Error, Equatable, CustomStringConvertible {
    /// The sender holds nothing — no balance, no credit, no job, nothing admitted — and has no role.
    case emptyAccount(Address)
    /// Executed against the pending state, the transaction fails with this code.
    case wouldFail(FailureCode)
    /// Its batch encoding is larger than a block may hold.
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyAccount(let a):
            return "account \(a.checksummed) holds nothing (no balance, no credit, no role): deposit on L1 first"
        case .wouldFail(let f):
            return "the transaction would fail with \(f.name) (\(f.rawValue)) against the pending state: \(f.advice)"
        case .tooLarge(let b, let l): return "the transaction takes \(b) bytes in a batch, more than a block holds (\(l))"
        }
    }
}

extension FailureCode {
    /// What a client should do about it, in a sentence.
    public var advice: String {
        switch self {
        case .unknownJob: return "no such job (yet)"
        case .jobExists: return "pick another jobId"
        case .wrongStatus: return "the job is not in a status that allows this"
        case .notOwner: return "only the job's owner may do this"
        case .notAssignedNode: return "only the job's node may do this"
        case .notVerifier: return "only a verifier may do this"
        case .notSplitter: return "only a splitter may do this"
        case .notAggregator: return "only an aggregator may do this"
        case .ownerCannotProcess: return "a job's owner cannot process it"
        case .insufficientBalance: return "the balance is too small; deposit more"
        case .deadlinePassed: return "the deadline has passed"
        case .deadlineNotReached: return "wait until the deadline"
        case .fuelExceedsLimit: return "fuelUsed is above the job's fuel limit"
        case .notSplittable: return "the job's numParallel is 1"
        case .childrenExceedParent: return "the SubJobs' fuel limits add up to more than the parent's"
        case .childExists: return "a SubJob id is taken"
        case .childrenNotVerified: return "every SubJob must be VERIFIED first"
        case .zeroAmount: return "the amount must be above zero"
        case .arithmeticOverflow: return "the amounts overflow 256 bits"
        case .invalidArguments: return "check the arguments"
        case .invalidParent: return "parentJob must be zero"
        case .verifierIsParty: return "a verifier may not judge a job it owns or processed"
        case .forcedTxInvalid, .forcedTxWrongNonce: return "only for transactions forced through L1"
        case .priceBelowMinimum: return "offer at least the chain's minimum fuel price"
        }
    }
}
