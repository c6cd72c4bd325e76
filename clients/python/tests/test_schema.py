"""The SDK's EIP-712 schema against docs/PROTOCOL.md (the pinned type strings and batch type
numbers, read from the document itself) and against eth-account's own encoder."""
import re
from pathlib import Path

import pytest
from eth_account.messages import encode_typed_data
from eth_account._utils.encode_typed_data.encoding_and_hashing import encode_type

from emeth_sdk import L2_TYPES, Domain, type_string
from emeth_sdk.eip712 import DOMAIN_FIELDS, TX_TYPE_IDS, eip712_types

PROTOCOL = (Path(__file__).resolve().parents[3] / "docs" / "PROTOCOL.md").read_text()
ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def documented_types() -> dict[str, str]:
    """The `| primary type | type string |` table of PROTOCOL §2."""
    section = PROTOCOL[PROTOCOL.index("## 2. L2 transactions"):PROTOCOL.index("## 3. State machine")]
    return dict(re.findall(r"^\| (\w+) \| `(\w+\([^`]*\))` \|$", section, re.M))


def test_the_eleven_types_are_the_documented_ones():
    documented = documented_types()
    assert len(documented) == 11 and set(documented) == set(L2_TYPES)
    for primary, pinned in documented.items():
        assert type_string(primary) == pinned
        # eth-account's encodeType of the same schema gives the same string.
        assert encode_type(primary, eip712_types(primary)) == pinned


def test_ticket_type_is_the_documented_one():
    assert "`Ticket(address account,uint256 credit,uint256 blockNumber)`" in PROTOCOL
    assert type_string("Ticket") == "Ticket(address account,uint256 credit,uint256 blockNumber)"


def test_batch_type_numbers_are_the_documented_ones():
    line = re.search(r"^type    = (.+)\n\s+(.+)$", PROTOCOL, re.M)
    pairs = re.findall(r"(\w+) (\d+)", line.group(1) + " " + line.group(2))
    assert {name: int(n) for name, n in pairs} == TX_TYPE_IDS
    assert sorted(TX_TYPE_IDS.values()) == list(range(1, 12))


def test_domain_fields_are_the_documented_ones():
    assert ("Domain: `EIP712Domain(" + ",".join(f"{t} {n}" for n, t in DOMAIN_FIELDS) + ")`") in PROTOCOL
    assert Domain(31337, ROLLUP).as_dict() == {"name": "EMETH L2", "version": "1", "chainId": 31337,
                                                "verifyingContract": ROLLUP}


@pytest.mark.parametrize("chain_id,contract", [(31337, ROLLUP), (1, "0x" + "ab" * 20), (2**64 + 5, "0x" + "00" * 20)])
def test_domain_separator_matches_eth_account(chain_id, contract):
    d = Domain(chain_id, contract)
    typed = {"types": {"EIP712Domain": [{"name": n, "type": t} for n, t in DOMAIN_FIELDS], **eip712_types("Withdraw")},
             "primaryType": "Withdraw", "domain": d.as_dict(), "message": {"amount": 1, "nonce": 0}}
    assert d.separator() == bytes(encode_typed_data(full_message=typed).header)


def test_domain_refuses_what_is_not_a_domain():
    with pytest.raises(ValueError, match=r"domain.verifyingContract: not an address: '0x1234'"):
        Domain(1, "0x1234")
    with pytest.raises(ValueError, match=r"domain.chainId: not a number: 'mainnet'"):
        Domain("mainnet", ROLLUP)
    assert Domain.from_json({"name": "EMETH L2", "version": "1", "chainId": "0x7a69",
                             "verifyingContract": ROLLUP.lower()}) == Domain(31337, ROLLUP)
