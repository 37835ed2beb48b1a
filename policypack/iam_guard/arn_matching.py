"""Wildcards and policy variables in actions, resources and condition values, matched as IAM matches them.

Sources (IAM User Guide): "IAM JSON policy elements: Action" (actions compare case-insensitively),
"... Resource" (wildcards inside each colon-separated ARN segment; a `*` that ends a segment may
expand past colons; the resource part is case-sensitive and `*` spans `/`), "... Condition operators"
(ARN operators check each of the six components separately) and "Policy variables" (`${key}`,
`${key, 'default'}`, `${*}`, `${?}`, `${$}`; a key with no value leaves nothing to match).

A pattern is compiled once (`pattern_set`, cached on the patterns); only the variables are filled in
per request, and the resulting regex is cached on its text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]  # keys lower-case


class Mode(Enum):
    """How `*` and `?` in a pattern match."""

    EXACT = "exact"  # no wildcards: StringEquals and its kin
    GLOB = "glob"  # `*` any run of characters, `?` one: StringLike
    RESOURCE = "resource"  # the Resource element: ARN segments, see the module docstring
    ARN = "arn"  # ArnEquals/ArnLike: six components, each matched on its own


@dataclass(frozen=True)
class Variable:
    """`${key}` or `${key, 'default'}`; `key` is lower-case, as context keys compare."""

    key: str
    default: str | None


@dataclass(frozen=True)
class Escaped:
    """`${*}`, `${?}` or `${$}`: the character itself, never a wildcard."""

    text: str


Part = str | Variable | Escaped  # a str part is policy text whose `*` and `?` are wildcards
_SPECIALS = {"*": "*", "?": "?", "$": "$"}
_VARIABLE_BODY = re.compile(r"^\s*([^,']+?)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$")
_UNRESOLVABLE = Variable(key="", default=None)  # `${}` or a malformed body: matches nothing


@lru_cache(maxsize=65536)
def parse_template(text: str) -> tuple[Part, ...]:
    """The pattern as literal text, wildcards and variables. An unclosed `${` is plain text."""
    parts: list[Part] = []
    position = 0
    while (start := text.find("${", position)) != -1:
        end = text.find("}", start + 2)
        if end == -1:
            break
        if start > position:
            parts.append(text[position:start])
        body = text[start + 2 : end]
        if body in _SPECIALS:
            parts.append(Escaped(_SPECIALS[body]))
        elif match := _VARIABLE_BODY.match(body):
            default = match.group(2)
            parts.append(
                Variable(match.group(1).lower(), None if default is None else default.replace("''", "'"))
            )
        else:
            parts.append(_UNRESOLVABLE)
        position = end + 1
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def resolve(variable: Variable, context: Context) -> str | None:
    """The variable's value, its default when the key is absent or multivalued (a multivalued key
    cannot be a variable: "Single-valued vs. multivalued context keys"), or None: no value."""
    if not variable.key:
        return None
    value = context.get(variable.key)
    return value if isinstance(value, str) else variable.default


def _star(mode: Mode, colons: int, ends_segment: bool) -> str:
    if mode is Mode.GLOB or colons >= 5:
        return ".*"  # the resource part (after the fifth colon) spans `/` and `:` alike
    if mode is Mode.RESOURCE and ends_segment:
        return ".*"  # "If the * wildcard is the last character of a resource ARN segment, it can expand"
    return "[^:]*"


def _fragments(parts: tuple[Part, ...], mode: Mode) -> tuple[str | Variable, ...]:
    """Regex text for the literal parts (by position in the ARN), variables left to fill in."""
    fragments: list[str | Variable] = []
    colons = 0
    for index, part in enumerate(parts):
        if isinstance(part, Variable):
            fragments.append(part)
            continue
        if isinstance(part, Escaped):
            fragments.append(re.escape(part.text))
            continue
        pieces: list[str] = []
        for offset, character in enumerate(part):
            if character == "*":
                last = offset + 1 == len(part) and index + 1 == len(parts)
                pieces.append(_star(mode, colons, last or part[offset + 1 : offset + 2] == ":"))
            elif character == "?":
                pieces.append("." if mode is Mode.GLOB or colons >= 5 else "[^:]")
            else:
                colons += character == ":"
                pieces.append(re.escape(character))
        fragments.append("".join(pieces))
    return tuple(fragments)


@lru_cache(maxsize=65536)
def _regex(source: str) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL)


def _literal_colons(parts: tuple[Part, ...]) -> int:
    return sum(part.count(":") for part in parts if isinstance(part, str))


class _Dynamic:
    """One pattern with variables: filled in from the request context at each match."""

    __slots__ = ("fold", "fragments", "mode")

    def __init__(self, parts: tuple[Part, ...], mode: Mode, fold: bool) -> None:
        self.mode = mode
        self.fold = fold
        if mode is Mode.EXACT:
            self.fragments: tuple[str | Variable, ...] = tuple(
                part.text if isinstance(part, Escaped) else part for part in parts
            )
        else:
            self.fragments = _fragments(parts, mode)

    def matches(self, value: str, context: Context) -> bool:
        pieces: list[str] = []
        for fragment in self.fragments:
            if isinstance(fragment, str):
                pieces.append(fragment)
                continue
            resolved = resolve(fragment, context)
            if resolved is None:
                return False  # "Policy variables with no value": there is no equal or like value
            pieces.append(resolved if self.mode is Mode.EXACT else re.escape(resolved))
        text = "".join(pieces)
        if self.mode is Mode.EXACT:
            return (value.lower() == text.lower()) if self.fold else value == text
        return _regex(text).fullmatch(value) is not None


class PatternSet:
    """Several patterns of one element or condition: does any of them match a value?"""

    __slots__ = ("dynamic", "exact", "fold", "match_all", "regex")

    def __init__(self, patterns: tuple[str, ...], mode: Mode, fold: bool = False) -> None:
        self.fold = fold
        self.match_all = mode in (Mode.GLOB, Mode.RESOURCE) and "*" in patterns
        exact: set[str] = set()
        sources: list[str] = []
        dynamic: list[_Dynamic] = []
        for pattern in patterns:
            parts = parse_template(pattern)
            if mode is Mode.ARN and _literal_colons(parts) < 5:
                continue  # not an ARN: matches nothing (each of the six components is compared)
            if any(isinstance(part, Variable) for part in parts):
                dynamic.append(_Dynamic(parts, mode, fold))
            elif mode is Mode.EXACT:
                text = "".join(part.text if isinstance(part, Escaped) else str(part) for part in parts)
                exact.add(text.lower() if fold else text)
            elif len(parts) == 1 and isinstance(parts[0], str) and not set(parts[0]) & {"*", "?"}:
                exact.add(parts[0])
            elif parts:
                sources.append("".join(str(fragment) for fragment in _fragments(parts, mode)))
            else:
                exact.add("")
        self.exact = frozenset(exact)
        self.regex = _regex("|".join(f"(?:{source})" for source in sources)) if sources else None
        self.dynamic = tuple(dynamic)

    def matches(self, value: str, context: Context) -> bool:
        if self.match_all:
            return True
        if (value.lower() if self.fold else value) in self.exact:
            return True
        if self.regex is not None and self.regex.fullmatch(value) is not None:
            return True
        return any(pattern.matches(value, context) for pattern in self.dynamic)


@lru_cache(maxsize=16384)
def pattern_set(patterns: tuple[str, ...], mode: Mode, fold: bool = False) -> PatternSet:
    """The compiled matcher of `patterns` (shared: statements repeat across documents)."""
    return PatternSet(patterns, mode, fold)


class ActionSet:
    """An Action or NotAction element: case-insensitive, `*` and `?` wildcards, no variables
    ("IAM JSON policy elements: Action"; "Policy variables" lists only Resource and Condition)."""

    __slots__ = ("exact", "regex")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        lowered = [pattern.lower() for pattern in patterns]
        self.exact = frozenset(pattern for pattern in lowered if "*" not in pattern and "?" not in pattern)
        sources = [
            "(?:" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + ")"
            for pattern in lowered
            if pattern not in self.exact
        ]
        self.regex = _regex("|".join(sources)) if sources else None

    def matches(self, action: str) -> bool:
        """`action` is lower-case."""
        return action in self.exact or (self.regex is not None and self.regex.fullmatch(action) is not None)


@lru_cache(maxsize=16384)
def action_set(patterns: tuple[str, ...]) -> ActionSet:
    return ActionSet(patterns)


def looks_like_arn(value: str) -> bool:
    """Six colon-separated components, the first `arn`: what the ARN operators compare."""
    return value.startswith("arn:") and value.count(":") >= 5
