"""What IAM refuses, as pure checks: each returns why a value would fail `pulumi up`, or None.

Each rule cites the AWS page that documents the limit, so that a stack is refused at parse time
instead of half-way through an update.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from typing import Literal

from components.pack_modules import PACK_DIR, load_pack_module

NameKind = Literal["user", "group", "role", "policy"]

# IAM User Guide "IAM and AWS STS quotas" / CreateUser, CreateGroup, CreateRole, CreatePolicy:
# UserName 64, GroupName 128, RoleName 64, PolicyName 128 characters.
NAME_LIMITS: dict[NameKind, int] = {"user": 64, "group": 128, "role": 64, "policy": 128}
# IAM User Guide "IAM identifiers": names use [\w+=,.@-] where \w is ASCII only.
_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "+=,.@_-")
# CreateUser/CreateGroup/CreateRole Path: (\u002F)|(\u002F[\u0021-\u007E]+\u002F), 1-512 characters.
PATH_LIMIT = 512
# CreateRole Description: at most 1,000 characters of [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF].
DESCRIPTION_LIMIT = 1000
# TagUser/TagRole Tag: key [\p{L}\p{Z}\p{N}_.:/=+\-@]+ of 1-128, value the same set of 0-256.
TAG_KEY_LIMIT = 128
TAG_VALUE_LIMIT = 256
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
# IAM JSON policy reference "Resource": an ARN arn:partition:service:region:account-id:resource, or *.
_RESOURCE_ARN = re.compile(r"^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:.+$")
# IAM JSON policy reference "Condition operators": the pack's list (stdlib only, loaded by path), so
# that the stack config and the pack refuse the same names.
CONDITION_OPERATORS: frozenset[str] = load_pack_module(
    PACK_DIR / "iam_guard" / "operator_names.py"
).CONDITION_OPERATORS


def shown(value: str, width: int = 40) -> str:
    """A value quoted for a message, cut short so that one problem stays one readable line."""
    return repr(value if len(value) <= width else value[:32] + "…")


def _first_not_in(value: str, allowed: frozenset[str]) -> str | None:
    return next((character for character in value if character not in allowed), None)


def name_problem(value: str, kind: NameKind) -> str | None:
    """Why IAM would refuse `value` as the name of a `kind`."""
    limit = NAME_LIMITS[kind]
    prefix = f"{shown(value)} is not a valid IAM {kind} name"
    bad = _first_not_in(value, _NAME_CHARACTERS)
    if bad is not None:
        return (
            f"{prefix}: {bad!r} is not allowed (ASCII letters, digits and +=,.@_- only, 1-{limit} characters)"
        )
    if not value:
        return f"{prefix}: it is empty"
    if len(value) > limit:
        return f"{prefix}: {len(value)} characters, the limit is {limit}"
    return None


def path_problem(value: str) -> str | None:
    """Why IAM would refuse `value` as a user, group, role or policy path."""
    prefix = f"{shown(value)} is not a valid IAM path"
    if len(value) > PATH_LIMIT:
        return f"{prefix}: {len(value)} characters, the limit is {PATH_LIMIT}"
    if not (value.startswith("/") and value.endswith("/")):
        return f"{prefix}: it must start and end with '/' (e.g. / or /soc/)"
    bad = next((c for c in value if not "\x21" <= c <= "\x7e"), None)
    if bad is not None:
        return f"{prefix}: {bad!r} is not allowed (printable ASCII without spaces)"
    if "//" in value:
        return f"{prefix}: '//' is not allowed; give every level a name (e.g. /soc/team/)"
    return None


def role_description_problem(value: str) -> str | None:
    """Why IAM would refuse `value` as a role description."""
    if len(value) > DESCRIPTION_LIMIT:
        return f"{len(value)} characters, IAM allows {DESCRIPTION_LIMIT} in a role description; shorten it"
    bad = next((c for c in value if not _latin1_text(c)), None)
    if bad is not None:
        return f"{bad!r} is not allowed in a role description (IAM accepts printable Latin-1 text only)"
    return None


def _latin1_text(character: str) -> bool:
    return character in "\t\n\r" or " " <= character <= "~" or "\u00a1" <= character <= "\u00ff"


def _tag_character(character: str) -> bool:
    return unicodedata.category(character)[0] in "LNZ" or character in _TAG_PUNCTUATION


def _tag_characters_problem(what: str, value: str) -> str | None:
    bad = next((c for c in value if not _tag_character(c)), None)
    if bad is None:
        return None
    return (
        f"{what} {shown(value)} has {bad!r}, which IAM tags do not allow "
        "(letters, digits, spaces and _ . : / = + - @ only)"
    )


def tag_key_problem(key: str) -> str | None:
    """Why IAM would refuse `key` as a tag key."""
    if not key:
        return "tag key is empty"
    if len(key) > TAG_KEY_LIMIT:
        return f"tag key {shown(key)} has {len(key)} characters, the limit is {TAG_KEY_LIMIT}"
    if key.lower().startswith("aws:"):
        return f"tag key {shown(key)} starts with 'aws:', which AWS reserves for its own tags; rename it"
    return _tag_characters_problem("tag key", key)


def tag_value_problem(value: str) -> str | None:
    """Why IAM would refuse `value` as a tag value."""
    if len(value) > TAG_VALUE_LIMIT:
        return f"tag value of {len(value)} characters, the limit is {TAG_VALUE_LIMIT}"
    return _tag_characters_problem("tag value", value)


def resource_problem(resource: str) -> str | None:
    """Why `resource` cannot be a statement's Resource: it must be `*` or an ARN."""
    if resource == "*" or _RESOURCE_ARN.match(resource):
        return None
    return (
        f"{shown(resource)} is neither an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, "
        "e.g. arn:aws:s3:::my-bucket/*) nor '*'"
    )


def condition_operator_problem(operator: str) -> str | None:
    """Why `operator` is not an IAM condition operator, with the closest one when there is one."""
    if operator in CONDITION_OPERATORS:
        return None
    known = sorted(CONDITION_OPERATORS)
    close = [k for k in known if k.lower() == operator.lower()]
    close = close or difflib.get_close_matches(operator, known, n=1, cutoff=0.75)
    if operator.endswith("NullIfExists"):
        close = [operator.removesuffix("IfExists")]  # Null already asks whether the key exists
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (
        f"unknown condition operator {shown(operator)}{hint}; use an IAM condition operator such as "
        "StringEquals, with an optional IfExists suffix or ForAllValues:/ForAnyValue: prefix"
    )
