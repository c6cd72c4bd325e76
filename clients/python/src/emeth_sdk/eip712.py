"""The pinned EIP-712 schema (docs/PROTOCOL.md §2 and §6): the domain, the eleven L2
transaction types, the Signer's Ticket, and the type numbers of the batch form (§7).
Changing any of this changes every signature: it is a contract with the chain."""
from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from .encoding import to_address, to_int

DOMAIN_NAME = "EMETH L2"
DOMAIN_VERSION = "1"
DOMAIN_FIELDS = [("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")]

# Field order is the EIP-712 order; `nonce` is always last.
L2_TYPES: dict[str, list[tuple[str, str]]] = {
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

TICKET_TYPE = [("account", "address"), ("credit", "uint256"), ("blockNumber", "uint256")]

# The type numbers of the batch form of a transaction (PROTOCOL §7), used by forced transactions.
TX_TYPE_IDS = {"RegisterJob": 1, "CancelJob": 2, "Process": 3, "Decline": 4, "Submit": 5, "Verify": 6, "Reject": 7,
               "Timeout": 8, "Split": 9, "Aggregate": 10, "Withdraw": 11}


def type_string(primary: str) -> str:
    """`Withdraw(uint256 amount,uint256 nonce)`: the encodeType of a pinned type."""
    fields = TICKET_TYPE if primary == "Ticket" else L2_TYPES[primary]
    return f"{primary}({','.join(f'{t} {n}' for n, t in fields)})"


def eip712_types(primary: str) -> dict[str, list[dict]]:
    """The `types` member of typed data for one pinned type (without EIP712Domain)."""
    fields = TICKET_TYPE if primary == "Ticket" else L2_TYPES[primary]
    return {primary: [{"name": n, "type": t} for n, t in fields]}


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain: the L1 chain id and the L1 EmethRollup address. A signature made in
    another domain recovers some other address, so it is worth taking this from the chain
    (`Client.domain()`, from `emeth_chainInfo`) rather than from configuration."""
    chain_id: int
    verifying_contract: str
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    def __post_init__(self):
        object.__setattr__(self, "chain_id", to_int(self.chain_id, "domain.chainId"))
        object.__setattr__(self, "verifying_contract", to_address(self.verifying_contract, "domain.verifyingContract"))

    def as_dict(self) -> dict:
        """The `domain` member of typed data, as eth-account takes it."""
        return {"name": self.name, "version": self.version, "chainId": self.chain_id,
                "verifyingContract": self.verifying_contract}

    @classmethod
    def from_json(cls, d: dict) -> "Domain":
        """From `emeth_chainInfo`'s `domain` member (chainId as 0x-hex)."""
        return cls(chain_id=to_int(d["chainId"], "domain.chainId"), verifying_contract=d["verifyingContract"],
                   name=d.get("name", DOMAIN_NAME), version=d.get("version", DOMAIN_VERSION))

    def separator(self) -> bytes:
        """hashStruct(EIP712Domain): what L1's `domainSeparator()` returns."""
        type_hash = keccak(f"EIP712Domain({','.join(f'{t} {n}' for n, t in DOMAIN_FIELDS)})".encode())
        return keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                             [type_hash, keccak(self.name.encode()), keccak(self.version.encode()), self.chain_id,
                              self.verifying_contract]))
