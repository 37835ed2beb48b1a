"""Parse and normalise IAM policy documents the way AWS reads them, failing closed.

Single values become tuples, a lone statement object becomes a one-element list, condition
values become strings. Anything AWS would reject (or that cannot be analysed) raises
`PolicyDocumentError` naming the statement and what is wrong; nothing malformed passes.

`parse_policy(..., lenient=True)` is for the rules that judge what a document grants: it reads
the widest grant a malformed document could make (unknown actions and unreadable statements
left out, duplicate keys merged towards the wider grant), so that an exemption from the validity
rule never hides an escalation. A condition under an operator IAM does not have narrows nothing:
an Allow is read without it, and a Deny that carries one denies nothing. A document over IAM's size
limit is not read at all (so a hostile one costs no more than a legal one): AWS refuses it, and the
rules read it as the widest grant there is, `*` on `*` (anyone, in a trust policy). Only a document
with nothing readable in it still raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from iam_guard.catalog import is_known, unknown_reason
from iam_guard.operator_names import operator_problem
from iam_guard.types import UNKNOWN_SENTINELS, is_unknown

POLICY_VERSION = "2012-10-17"
# The largest document IAM accepts anywhere (a role's inline policies, in characters without
# whitespace: "IAM and AWS STS quotas", IAM User Guide). Anything longer is refused before parsing,
# so a hostile document costs no more than a legal one.
MAX_DOCUMENT_CHARACTERS = 10_240
# Raw text allowed before whitespace is counted: generous for pretty-printing, bounded for memory.
MAX_DOCUMENT_TEXT = 16 * MAX_DOCUMENT_CHARACTERS
# A valid document nests 6 levels (Statement, list, statement, Condition, operator, values).
MAX_DOCUMENT_DEPTH = 16
_WHITESPACE = re.compile(r"\s")
# A Resource left unknown at preview but produced inside the stack: a specific ARN, never a wildcard.
IN_STACK_ARN = "arn:aws:iam::000000000000:in-stack-resource/known-after-update"
DocumentKind = Literal["identity", "trust"]


class PolicyDocumentError(ValueError):
    """A document AWS would reject or the pack cannot analyse."""


class OversizeDocumentError(PolicyDocumentError):
    """The document is over IAM's size limit; `size` is its length as counted (at least the limit)."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class UnknownDocumentError(ValueError):
    """The document (or one of its actions or effects) is not known yet (preview)."""


@dataclass(frozen=True)
class Condition:
    operator: str
    key: str
    values: tuple[str, ...]
    # Read from `operator` and `key` once: every rule asks for them, statement after statement.
    set_qualifier: str | None = field(init=False, compare=False, repr=False)  # ForAllValues, ForAnyValue
    base_operator: str = field(init=False, compare=False, repr=False)  # without qualifier and IfExists
    if_exists: bool = field(init=False, compare=False, repr=False)
    key_lower: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        qualifier, colon, base = self.operator.partition(":")
        if not colon:
            base = self.operator
        object.__setattr__(self, "set_qualifier", qualifier if colon else None)
        object.__setattr__(self, "base_operator", base.removesuffix("IfExists"))
        object.__setattr__(self, "if_exists", self.operator.endswith("IfExists"))
        object.__setattr__(self, "key_lower", self.key.lower())


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: dict[str, tuple[str, ...]] | None  # principal kind ("AWS", "Service", "*") -> values
    not_principals: dict[str, tuple[str, ...]] | None
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return f"Statement[{self.index}]" + (f" ({self.sid})" if self.sid else "")

    def conditions_on(self, key: str) -> list[Condition]:
        return [c for c in self.conditions if c.key_lower == key.lower()]


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    # Characters without whitespace, as IAM counts them against its quotas; None for AWS's own
    # documents, which count against no customer quota.
    size: int | None
    problems: tuple[str, ...] = ()  # lenient parsing only: what makes the document invalid


class _KeyedObject(dict[str, Any]):
    """A JSON object that remembers the keys given more than once."""

    duplicates: tuple[str, ...] = ()


def _keyed_object(pairs: list[tuple[str, Any]]) -> _KeyedObject:
    """Keep the widest reading of a repeated key: IAM documents must not repeat one at all."""
    result = _KeyedObject()
    repeated: list[str] = []
    for key, value in pairs:
        if key not in result:
            result[key] = value
            continue
        repeated.append(key)
        result[key] = _wider(key, result[key], value)
    result.duplicates = tuple(dict.fromkeys(repeated))
    return result


def _wider(key: str, first: Any, second: Any) -> Any:
    if key == "Effect":
        return "Allow" if "Allow" in (first, second) else first
    if key == "Condition":
        return {}  # neither block can be relied on to narrow the grant
    if isinstance(first, dict) and isinstance(second, dict):
        merged = _KeyedObject(first)
        for inner, value in second.items():
            merged[inner] = _wider(inner, merged[inner], value) if inner in merged else value
        return merged
    return [
        *(first if isinstance(first, list) else [first]),
        *(second if isinstance(second, list) else [second]),
    ]


_TOO_DEEP = f"nested more than {MAX_DOCUMENT_DEPTH} levels deep; no IAM document is"


def _structure_problems(document: Any) -> list[str]:
    """Repeated keys, found without recursion; raises when the document nests deeper than IAM's grammar."""
    problems: list[str] = []
    pending: list[tuple[str, Any, int]] = [("", document, 1)]
    while pending:
        path, value, depth = pending.pop()
        if depth > MAX_DOCUMENT_DEPTH:
            raise PolicyDocumentError(_TOO_DEEP)
        if isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                problems.append(
                    f"{path or 'the document'}: duplicate key '{key}' (JSON readers disagree on which "
                    "one counts; give each key once)"
                )
            pending.extend(
                (f"{path}.{key}" if path else str(key), item, depth + 1) for key, item in value.items()
            )
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value))
    return sorted(problems)


def _plain_strings(values: list[Any]) -> bool:
    """Non-empty strings, none unknown: the usual list, checked without a Python loop."""
    return (
        bool(values)
        and set(map(type, values)) == {str}
        and "" not in values
        and UNKNOWN_SENTINELS.isdisjoint(values)
    )


def _strings(
    value: Any, where: str, problems: list[str], *, unknown_as: str | None = None
) -> tuple[str, ...]:
    if isinstance(value, str) and value and not is_unknown(value):
        return (value,)
    if isinstance(value, list) and _plain_strings(value):
        return tuple(value)
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for item in items:
        if is_unknown(item):
            if unknown_as is None:
                raise UnknownDocumentError(f"{where} is not known until the update")
            result.append(unknown_as)
        elif isinstance(item, str) and item:
            result.append(item)
        else:
            problems.append(f"{where}: expected a non-empty string or list of strings, got {item!r}")
    if not result and not problems:
        problems.append(f"{where}: is empty")
    return tuple(result)


def _principals(value: Any, where: str, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict) or not value:
        problems.append(f'{where}: expected "*" or a mapping such as {{"AWS": [...]}}')
        return {}
    known = {"AWS", "Service", "Federated", "CanonicalUser"}
    result: dict[str, tuple[str, ...]] = {}
    for kind, values in value.items():
        if kind not in known:
            problems.append(f"{where}: unknown principal type '{kind}' (expected one of {sorted(known)})")
            continue
        result[kind] = _strings(
            values, f"{where}.{kind}", problems, unknown_as="arn:aws:iam::000000000000:root"
        )
        if kind == "AWS":
            problems.extend(
                f"{where}.AWS: '{account}' is not an account id (12 digits)"
                for value in result[kind]
                if (account := _account_in(value)) is not None and len(account) != 12
            )
    return result


_ACCOUNT_IN_PRINCIPAL = re.compile(r"^(\d+)$|^arn:aws[a-z-]*:(?:iam|sts)::(\d+):")


def _account_in(principal: str) -> str | None:
    """The account id an AWS principal names (bare or in an IAM/STS ARN), as written."""
    match = _ACCOUNT_IN_PRINCIPAL.match(principal)
    return (match.group(1) or match.group(2)) if match else None


def _conditions(value: Any, where: str, problems: list[str]) -> tuple[tuple[Condition, ...], bool]:
    """The statement's conditions, and whether it names an operator IAM does not have (left out:
    a condition AWS refuses narrows nothing)."""
    if value is None:
        return (), False
    if not isinstance(value, dict):
        problems.append(f"{where}: expected a mapping of operator -> {{key: value}}")
        return (), False
    result: list[Condition] = []
    refused = False
    for operator, block in value.items():
        if (problem := operator_problem(str(operator))) is not None:
            problems.append(f"{where}: {problem}")
            refused = True
            continue
        if not isinstance(block, dict) or not block:
            problems.append(f"{where}.{operator}: expected a non-empty mapping of condition key -> value")
            continue
        for key, raw_values in block.items():
            if isinstance(raw_values, str) and not is_unknown(raw_values):
                result.append(Condition(str(operator), str(key), (raw_values,)))
                continue
            items = raw_values if isinstance(raw_values, list) else [raw_values]
            values = tuple(
                json.dumps(item) if isinstance(item, bool) else str(item)
                for item in items
                if not is_unknown(item)
            )
            if len(values) != len(items):
                raise UnknownDocumentError(f"{where}.{operator}.{key} is not known until the update")
            result.append(Condition(str(operator), str(key), values))
    return tuple(result), refused


@lru_cache(maxsize=65536)
def _all_known(patterns: tuple[str, ...]) -> bool:
    """One look-up for a statement's whole list, which is usually all known."""
    return all(map(is_known, patterns))


def _known_patterns(
    patterns: tuple[str, ...] | None, where: str, problems: list[str], *, retired_ok: bool
) -> tuple[str, ...] | None:
    """The patterns that name known actions. An unknown one is a problem (a typo), unless `retired_ok`:
    in AWS's own documents it is an action AWS has retired, which grants nothing."""
    if not patterns or _all_known(patterns):
        return patterns
    known: list[str] = []
    for pattern in patterns:
        if is_known(pattern):
            known.append(pattern)
        elif not retired_ok:
            problems.append(f"{where}: {unknown_reason(pattern)}")
    return tuple(known)


_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)


def _statement(
    raw: Any, index: int, kind: DocumentKind, problems: list[str], *, aws_managed: bool = False
) -> Statement | None:
    """The statement as AWS reads it, or None when it cannot be read at all (a problem says why)."""
    where = f"Statement[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    readable = True
    unknown_elements = (
        [] if raw.keys() <= _STATEMENT_ELEMENTS else [k for k in raw if k not in _STATEMENT_ELEMENTS]
    )
    for key in unknown_elements:
        problems.append(
            f"{where}: unknown element '{key}' (elements are case-sensitive: {sorted(_STATEMENT_ELEMENTS)})"
        )
    effect = raw.get("Effect")
    if is_unknown(effect):
        raise UnknownDocumentError(f"{where}.Effect is not known until the update")
    if effect not in ("Allow", "Deny"):
        problems.append(f'{where}: \'Effect\' must be "Allow" or "Deny", got {effect!r}')
        readable = False
    if ("Action" in raw) == ("NotAction" in raw):
        problems.append(f"{where}: give exactly one of 'Action' or 'NotAction'")
        readable = False
    actions = _strings(raw["Action"], f"{where}.Action", problems) if "Action" in raw else None
    not_actions = _strings(raw["NotAction"], f"{where}.NotAction", problems) if "NotAction" in raw else None
    actions = _known_patterns(actions, f"{where}.Action", problems, retired_ok=aws_managed)
    not_actions = _known_patterns(not_actions, f"{where}.NotAction", problems, retired_ok=aws_managed)
    if actions == ():
        readable = False  # nothing it names exists: it grants nothing
    resources = not_resources = None
    principals = not_principals = None
    if kind == "identity":
        if ("Resource" in raw) == ("NotResource" in raw):
            problems.append(f"{where}: give exactly one of 'Resource' or 'NotResource'")
            readable = readable and "Resource" in raw
        if "Resource" in raw:
            resources = _strings(raw["Resource"], f"{where}.Resource", problems, unknown_as=IN_STACK_ARN)
        if "NotResource" in raw:
            not_resources = _strings(
                raw["NotResource"], f"{where}.NotResource", problems, unknown_as=IN_STACK_ARN
            )
        for element in ("Principal", "NotPrincipal"):
            if element in raw:
                problems.append(
                    f"{where}: '{element}' belongs in trust and resource policies, not identity policies"
                )
    else:
        if ("Principal" in raw) == ("NotPrincipal" in raw):
            problems.append(f"{where}: give exactly one of 'Principal' or 'NotPrincipal'")
            readable = readable and "Principal" in raw
        if "Principal" in raw:
            principals = _principals(raw["Principal"], f"{where}.Principal", problems)
        if "NotPrincipal" in raw:
            not_principals = _principals(raw["NotPrincipal"], f"{where}.NotPrincipal", problems)
        for element in ("Resource", "NotResource"):
            if element in raw:
                problems.append(f"{where}: a trust policy has no '{element}'")
    if not readable:
        return None
    conditions, refused = _conditions(raw.get("Condition"), f"{where}.Condition", problems)
    if refused and effect == "Deny":
        return None  # a Deny AWS refuses denies nothing: the widest reading leaves it out
    sid = raw.get("Sid")
    return Statement(
        index=index,
        sid=str(sid) if sid is not None else None,
        effect=str(effect),
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=principals,
        not_principals=not_principals,
        conditions=conditions,
    )


_SPLIT_IT = "AWS refuses it: split it into policies under the limit"
# Names the stand-in statement of an oversize document in every finding drawn on it.
_OVERSIZE_SID = (
    f"the whole document: over IAM's limit of {MAX_DOCUMENT_CHARACTERS:,} characters without whitespace, so "
    f"read as Allow * on *; {_SPLIT_IT}"
)


def _checked_size(text: str) -> int:
    """The document's size as IAM counts it (no whitespace), refusing what no IAM document can be."""
    if len(text) > MAX_DOCUMENT_TEXT:
        raise OversizeDocumentError(
            f"{len(text)} characters of text; IAM accepts no document over {MAX_DOCUMENT_CHARACTERS} "
            f"characters without whitespace; {_SPLIT_IT}",
            len(text),
        )
    size = len(_WHITESPACE.sub("", text))
    if size > MAX_DOCUMENT_CHARACTERS:
        raise OversizeDocumentError(
            f"{size} characters without whitespace; IAM accepts no document over {MAX_DOCUMENT_CHARACTERS}; "
            f"{_SPLIT_IT}",
            size,
        )
    return size


def _widest(kind: DocumentKind, oversize: OversizeDocumentError) -> PolicyDocument:
    """What a document over the size limit is read as, unread: nothing in it can be relied on to narrow
    its grant, so every action on every resource (for a trust policy, anyone may assume the role)."""
    statement = Statement(
        index=0,
        sid=_OVERSIZE_SID,
        effect="Allow",
        actions=("*",),
        not_actions=None,
        resources=("*",) if kind == "identity" else None,
        not_resources=None,
        principals={"*": ("*",)} if kind == "trust" else None,
        not_principals=None,
        conditions=(),
    )
    return PolicyDocument(statements=(statement,), size=oversize.size, problems=(str(oversize),))


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_keyed_object)
    except json.JSONDecodeError as error:
        raise PolicyDocumentError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise PolicyDocumentError(_TOO_DEEP) from None


def parse_policy(
    value: Any, kind: DocumentKind = "identity", *, lenient: bool = False, aws_managed: bool = False
) -> PolicyDocument:
    """Parse a policy given as JSON text or as a mapping.

    Raises `UnknownDocumentError` when it cannot be known before the update, and
    `PolicyDocumentError` (listing every problem) when AWS would reject it or it cannot be analysed.
    With `lenient`, a document that is only partly malformed is returned with its readable
    statements and its `problems` instead, and one over the size limit as `*` on `*`; see the module
    docstring.
    `aws_managed` is for AWS's own documents (vendored, not typed by anyone here): they are bound by
    no customer quota, and an action the catalog no longer knows was retired and grants nothing.
    """
    if is_unknown(value):
        raise UnknownDocumentError("the document is not known until the update")
    size: int | None = None
    if isinstance(value, str) and not aws_managed:
        try:  # before parsing, so a hostile document costs no more than a legal one
            size = _checked_size(value)
        except OversizeDocumentError as oversize:
            if lenient:
                return _widest(kind, oversize)
            raise
        document = _load_json(value)
    elif isinstance(value, str):
        document = _load_json(value)
    elif isinstance(value, dict):
        document = value
    else:
        raise PolicyDocumentError(f"expected a JSON policy document, got {type(value).__name__}")
    if not isinstance(document, dict):
        raise PolicyDocumentError("the document must be a JSON object with 'Version' and 'Statement'")
    # AWS's documents are vendored data AWS itself accepted: no repeated keys or deep nesting to find.
    problems = [] if aws_managed else _structure_problems(document)
    if not aws_managed and not isinstance(value, str):
        try:
            size = _checked_size(json.dumps(value))  # safe now: the depth is known to be bounded
        except OversizeDocumentError as oversize:
            if lenient:
                return _widest(kind, oversize)
            raise
    version = document.get("Version")
    if version != POLICY_VERSION:
        problems.append(
            f"'Version' must be \"{POLICY_VERSION}\" (got {version!r}); without it policy variables "
            "such as ${aws:username} are not substituted"
        )
    for key in document:
        if key not in ("Version", "Id", "Statement"):
            problems.append(f"unknown top-level element '{key}'")
    raw_statements = document.get("Statement")
    if raw_statements is None:
        problems.append("'Statement' is missing")
        raw_statements = []
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        problems.append("'Statement' must be a statement object or a list of them")
        raw_statements = []
    statements = [
        _statement(raw, index, kind, problems, aws_managed=aws_managed)
        for index, raw in enumerate(raw_statements)
    ]
    readable = tuple(s for s in statements if s is not None)
    if problems and not (lenient and readable):
        raise PolicyDocumentError("; ".join(problems))
    return PolicyDocument(statements=readable, size=size, problems=tuple(problems))


def parse_lenient(value: Any, kind: DocumentKind = "identity") -> PolicyDocument:
    """`parse_policy(value, kind, lenient=True)`, read once per distinct text: groups and users carry
    the same documents (the MFA guard, self-service), and every rule reads each of them."""
    if isinstance(value, str):
        return _parse_text_leniently(value, kind)
    return parse_policy(value, kind, lenient=True)


@lru_cache(maxsize=1024)
def _parse_text_leniently(text: str, kind: DocumentKind) -> PolicyDocument:
    return parse_policy(text, kind, lenient=True)
