/// Why a well-formed, correctly signed transaction failed. A failing transaction is still
/// recorded in its block with this code and costs its sender nothing but the nonce (docs/PROTOCOL.md §3).
/// The numbers are pinned (receipts, batches and auditors carry them).
public enum FailureCode: UInt16, Sendable, CaseIterable, Error, CustomStringConvertible {
    case unknownJob = 1
    case jobExists = 2
    case wrongStatus = 3
    case notOwner = 4
    case notAssignedNode = 5
    case notVerifier = 6
    case notSplitter = 7
    case notAggregator = 8
    case ownerCannotProcess = 9
    case insufficientBalance = 10
    case deadlinePassed = 11
    case deadlineNotReached = 12
    case fuelExceedsLimit = 13
    case notSplittable = 14
    case childrenExceedParent = 15
    case childExists = 16
    case childrenNotVerified = 17
    case zeroAmount = 18
    case arithmeticOverflow = 19
    case invalidArguments = 20
    case invalidParent = 21
    /// Verify or Reject sent by the job's own node or owner: the verifier must be a third party.
    case verifierIsParty = 22
    /// A transaction forced through the L1 inbox whose bytes do not decode or whose signature does not verify.
    case forcedTxInvalid = 23
    /// A transaction forced through the L1 inbox whose nonce is not its sender's next nonce.
    case forcedTxWrongNonce = 24
    /// RegisterJob offering a fuel price below the genesis `minFuelPrice`.
    case priceBelowMinimum = 25

    public var name: String {
        switch self {
        case .unknownJob: return "UNKNOWN_JOB"
        case .jobExists: return "JOB_EXISTS"
        case .wrongStatus: return "WRONG_STATUS"
        case .notOwner: return "NOT_OWNER"
        case .notAssignedNode: return "NOT_ASSIGNED_NODE"
        case .notVerifier: return "NOT_VERIFIER"
        case .notSplitter: return "NOT_SPLITTER"
        case .notAggregator: return "NOT_AGGREGATOR"
        case .ownerCannotProcess: return "OWNER_CANNOT_PROCESS"
        case .insufficientBalance: return "INSUFFICIENT_BALANCE"
        case .deadlinePassed: return "DEADLINE_PASSED"
        case .deadlineNotReached: return "DEADLINE_NOT_REACHED"
        case .fuelExceedsLimit: return "FUEL_EXCEEDS_LIMIT"
        case .notSplittable: return "NOT_SPLITTABLE"
        case .childrenExceedParent: return "CHILDREN_EXCEED_PARENT"
        case .childExists: return "CHILD_EXISTS"
        case .childrenNotVerified: return "CHILDREN_NOT_VERIFIED"
        case .zeroAmount: return "ZERO_AMOUNT"
        case .arithmeticOverflow: return "ARITHMETIC_OVERFLOW"
        case .invalidArguments: return "INVALID_ARGUMENTS"
        case .invalidParent: return "INVALID_PARENT"
        case .verifierIsParty: return "VERIFIER_IS_PARTY"
        case .forcedTxInvalid: return "FORCED_TX_INVALID"
        case .forcedTxWrongNonce: return "FORCED_TX_WRONG_NONCE"
        case .priceBelowMinimum: return "PRICE_BELOW_MINIMUM"
        }
    }

    public var description: String { "\(name) (\(rawValue))" }
}
