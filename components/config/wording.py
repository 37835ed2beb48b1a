"""How a pydantic `ValidationError` becomes problem lines: each error's key path as `pulumi config set
--path` spells it, and its fix (the keys a mapping accepts for a misspelt one, a hint for a wrong type
or shape).
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError


def _format_location(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _UNION_TAGS or part == "[key]":
            continue  # a discriminator tag, or pydantic marking a bad dict key (the message says "key")
        else:
            path += f".{part}" if path else str(part)
    return path


_TYPE_HINTS = {
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "list_type": "write a YAML list",
    "dict_type": "write a YAML mapping",
    "model_type": "write a YAML mapping",
    "string_type": "write a string (quote numbers)",
    "literal_error": "use one of the listed values",
}


_UNION_TAGS = ("local", "remote")  # TierReference's discriminator tags, not keys


def _union_members(annotation: Any) -> list[Any]:
    if get_origin(annotation) is Annotated:
        return _union_members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _union_members(arg)]
    return [annotation]


def _annotation_at(annotation: Any, part: int | str) -> Any:
    """The type found one step (list index, model field or dict value) below `annotation`."""
    if part in _UNION_TAGS:
        return annotation
    for member in _union_members(annotation):
        if isinstance(part, int) and get_origin(member) is list:
            return get_args(member)[0]
        if isinstance(member, type) and issubclass(member, BaseModel) and part in member.model_fields:
            return member.model_fields[part].annotation
        if isinstance(part, str) and get_origin(member) is dict:
            return get_args(member)[1]
    return None


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model accepts in the mapping at `loc`, for spelling suggestions."""
    annotation: Any = model
    for part in loc:
        annotation = _annotation_at(annotation, part)
    return [
        key
        for member in _union_members(annotation)
        if isinstance(member, type) and issubclass(member, BaseModel)
        for key in member.model_fields
    ]


def _unknown_key_message(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean '{close[0]}'?); remove it or fix its spelling"
    return "unknown key; remove it or check its spelling against the config reference"


def _validation_problems(prefix: str, error: ValidationError, model: type[BaseModel]) -> list[str]:
    problems: list[str] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        location = _format_location(prefix, loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = _unknown_key_message(str(loc[-1]), _known_keys(model, loc[:-1]))
        elif item["type"] == "string_pattern_mismatch":
            message = f"{item['input']!r} has the wrong shape ({_pattern_hint(location)})"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] in _TYPE_HINTS:
            message = f"{message}; {_TYPE_HINTS[item['type']]}"
        problems.append(f"{location}: {message}")
    return problems


def _pattern_hint(location: str) -> str:
    if location.endswith(("account.id", "account_id")) or ".accounts[" in location:
        return "an account id is 12 digits, quoted in YAML"
    if "email" in location:
        return "expected an email address such as soc@example.com"
    if location.endswith("sid"):
        return "a statement id is ASCII letters and digits only"
    if location.endswith("kms_key_arn"):
        return "expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"
    return "see the config reference in README.md"
