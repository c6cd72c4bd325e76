"""The numbers the protocol names (docs/PROTOCOL.md §3): job statuses and failure codes."""

STATUS = {1: "REQUESTED", 2: "PROCESSING", 3: "SUBMITTED", 4: "VERIFIED", 5: "CANCELED", 6: "TIMEOUT",
          7: "FAILED", 8: "DECLINED", 9: "SPLIT", 10: "COMPLETED"}
STATUS_CODES = {name: code for code, name in STATUS.items()}

FAILURES = {1: "UNKNOWN_JOB", 2: "JOB_EXISTS", 3: "WRONG_STATUS", 4: "NOT_OWNER", 5: "NOT_ASSIGNED_NODE",
            6: "NOT_VERIFIER", 7: "NOT_SPLITTER", 8: "NOT_AGGREGATOR", 9: "OWNER_CANNOT_PROCESS",
            10: "INSUFFICIENT_BALANCE", 11: "DEADLINE_PASSED", 12: "DEADLINE_NOT_REACHED", 13: "FUEL_EXCEEDS_LIMIT",
            14: "NOT_SPLITTABLE", 15: "CHILDREN_EXCEED_PARENT", 16: "CHILD_EXISTS", 17: "CHILDREN_NOT_VERIFIED",
            18: "ZERO_AMOUNT", 19: "ARITHMETIC_OVERFLOW", 20: "INVALID_ARGUMENTS", 21: "INVALID_PARENT",
            22: "VERIFIER_IS_PARTY", 23: "FORCED_TX_INVALID", 24: "FORCED_TX_WRONG_NONCE",
            25: "PRICE_BELOW_MINIMUM"}
FAILURE_CODES = {name: code for code, name in FAILURES.items()}

# A job in one of these statuses holds no funds and changes no more.
TERMINAL = frozenset(range(4, 11))


def status_code(status) -> int:
    """A status given as its number or its name (`"REQUESTED"`)."""
    if isinstance(status, str) and not status.isdigit():
        try:
            return STATUS_CODES[status.upper()]
        except KeyError:
            raise ValueError(f"unknown job status {status!r}: one of {', '.join(STATUS_CODES)}") from None
    code = int(status)
    if code not in STATUS:
        raise ValueError(f"unknown job status {status!r}: 1–10")
    return code
