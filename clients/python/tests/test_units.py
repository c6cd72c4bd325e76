"""Amounts as the CLI writes them (PROTOCOL §1)."""
import pytest

from emeth_sdk import EMT, GHOLON, format_emt, parse_amount


@pytest.mark.parametrize("text,units", [("1.5emt", 3 * EMT // 2), ("120gholon", 120 * GHOLON), ("42", 42),
                                        ("0.000000001 EMT", GHOLON), ("1_000emt", 1000 * EMT), (7, 7),
                                        ("0.5gholon", 500_000_000)])
def test_parse(text, units):
    assert parse_amount(text) == units


@pytest.mark.parametrize("text,message", [
    ("1.5", r"^amount '1.5' is not a whole number of base units \(EMT has 18 decimals\)$"),
    ("0.0000000001gholon", r"is not a whole number of base units"),
    ("-1emt", r"^amount '-1emt' must be a non-negative number$"),
    ("ten emt", r"^amount 'ten emt' is not a number with an optional emt or gholon suffix$"),
    (-3, r"^amount -3 is negative$"),
])
def test_parse_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


def test_format():
    assert format_emt(2_500_000_000_000_000_000) == "2.5 EMT"
    assert format_emt(10 * EMT) == "10 EMT"
    assert format_emt(GHOLON) == "0.000000001 EMT"
