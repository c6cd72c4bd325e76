"""The eleven L2 transaction types of docs/PROTOCOL.md §2 (docs/PROTOCOL.md §2), shared by the oracles."""

L2_TYPES = {
    "RegisterJob": [("jobId", "bytes16"), ("parentJob", "bytes16"), ("programId", "uint256"), ("numParallel", "uint256"),
                    ("numEpoch", "uint256"), ("dataset", "bytes32"), ("param", "bytes32"), ("fuelLimit", "uint256"),
                    ("fuelPrice", "uint256"), ("deadline", "uint256"), ("nonce", "uint256")],
    "CancelJob": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Process": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Decline": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Submit": [("jobId", "bytes16"), ("result", "bytes32"), ("fuelUsed", "uint256"), ("nonce", "uint256")],
    "Verify": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Reject": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Timeout": [("jobId", "bytes16"), ("nonce", "uint256")],
    "Split": [("parentJob", "bytes16"), ("jobIds", "bytes16[]"), ("datasets", "bytes32[]"), ("fuelLimits", "uint256[]"),
              ("nonce", "uint256")],
    "Aggregate": [("parentJob", "bytes16"), ("result", "bytes32"), ("nonce", "uint256")],
    "Withdraw": [("amount", "uint256"), ("nonce", "uint256")],
}
