"""The condition operators IAM accepts, by name, and why any other name is refused.

"IAM JSON policy elements: Condition operators" (IAM User Guide): each base operator, with an optional
`IfExists` suffix (not on `Null`) and an optional `ForAllValues:` or `ForAnyValue:` prefix. The names are
matched as written, as the rules read them (`Bool` for MFA, `StringEquals` for an external id): a
differently spelt operator is refused with the name that was probably meant. `condition_operators`
evaluates every one of them (a test holds the two together).
"""

from __future__ import annotations

import difflib
from functools import lru_cache

BASE_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)
SET_QUALIFIERS = ("", "ForAllValues:", "ForAnyValue:")
CONDITION_OPERATORS = frozenset(
    qualifier + base + suffix
    for qualifier in SET_QUALIFIERS
    for base in BASE_OPERATORS
    for suffix in ("", "IfExists")
    if not (base == "Null" and suffix)
)
_SORTED = sorted(CONDITION_OPERATORS)


@lru_cache(maxsize=1024)
def operator_problem(operator: str) -> str | None:
    """Why IAM refuses `operator` as a condition operator (with the closest name), or None."""
    if operator in CONDITION_OPERATORS:
        return None
    close = [known for known in _SORTED if known.lower() == operator.lower()]
    moved = operator.replace("IfExists", "", 1) + "IfExists"
    if "IfExists" in operator and moved in CONDITION_OPERATORS:
        close = [moved]  # IfExists goes at the end of the name
    if operator.endswith("NullIfExists"):
        close = [operator.removesuffix("IfExists")]  # Null already asks whether the key exists
    close = close or difflib.get_close_matches(operator, _SORTED, n=1, cutoff=0.75)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    shown = operator if len(operator) <= 60 else operator[:57] + "..."
    return (
        f"unknown condition operator '{shown}'{hint} (IAM refuses the document: use an operator such as "
        "StringEquals, with an optional IfExists suffix or ForAllValues:/ForAnyValue: prefix)"
    )
