"""Amounts (docs/PROTOCOL.md §1): integers in base units of EMT (18 decimals); 1 Gholon is
10^9 base units. `parse_amount` reads what the CLI reads: `1.5emt`, `120gholon` or base units."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

EMT = 10**18
GHOLON = 10**9


def parse_amount(text: str | int) -> int:
    """`"1.5emt"` → 1500000000000000000, `"120gholon"` → 120000000000, `"42"` → 42 (base units).
    Refuses fractions of a base unit and negative amounts, naming the problem."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"amount {text} is negative")
        return text
    s = str(text).strip().lower().replace("_", "")
    for suffix, unit in (("gholon", GHOLON), ("emt", EMT)):
        if s.endswith(suffix):
            number, scale = s[: -len(suffix)].strip(), unit
            break
    else:
        number, scale = s, 1
    try:
        d = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number with an optional emt or gholon suffix") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"amount {text!r} must be a non-negative number")
    units = d * scale
    if units != units.to_integral_value():
        raise ValueError(f"amount {text!r} is not a whole number of base units (EMT has 18 decimals)")
    return int(units)


def format_emt(units: int) -> str:
    """Base units as EMT without trailing zeros: 2500000000000000000 → `2.5 EMT`."""
    s = format(Decimal(units) / Decimal(EMT), "f")
    return (s.rstrip("0").rstrip(".") if "." in s else s) + " EMT"
