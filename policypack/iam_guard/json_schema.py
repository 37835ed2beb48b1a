"""The JSON Schema keywords pack config uses, checked with one line per problem and no dependency.

Dependency-free on purpose: the offline check loads this very file to judge a pack config before
Configure, so both sides say the same thing about the same mistake.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any


def suggestion(unknown: str, valid: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest valid name, or nothing."""
    close = difflib.get_close_matches(unknown, list(valid), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int, float),  # integral floats pass: Configure's Struct carries every number as a double
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
    "null": (type(None),),
}


def _json(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value)


def _type_problem(schema: Mapping[str, Any], value: Any) -> str | None:
    expected = schema.get("type")
    names = [expected] if isinstance(expected, str) else list(expected or [])
    if not names:
        return None
    for name in names:
        types = _JSON_TYPES.get(name, (object,))
        if isinstance(value, bool) and name in ("number", "integer"):
            continue  # a JSON boolean is not a number
        if name == "integer" and isinstance(value, float) and not value.is_integer():
            continue
        if isinstance(value, types):
            return None
    return f"expected {' or '.join(names)}, got {_json(value)}"


def _at(where: str, problem: str) -> str:
    return f"{where}: {problem}" if where else problem


def schema_problems(schema: Mapping[str, Any], value: Any, where: str = "") -> list[str]:
    """What in `value` breaks `schema`, each as `<where>: <problem>` (`where` is a path such as `a[0].b`).

    Covers the JSON Schema keywords the pack's rules use (type, enum, minimum, maximum, minLength,
    maxLength, pattern, items, minItems, maxItems, uniqueItems, properties, required,
    additionalProperties); the CLI checks the same with a full implementation.
    """
    wrong_type = _type_problem(schema, value)
    if wrong_type:
        return [_at(where, wrong_type)]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(_at(where, f"must be one of {_json(schema['enum'])}, got {_json(value)}"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(_at(where, f"must be at least {_json(schema['minimum'])}, got {_json(value)}"))
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(_at(where, f"must be at most {_json(schema['maximum'])}, got {_json(value)}"))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(_at(where, f"needs {_json(schema['minLength'])}+ characters, got {_json(value)}"))
        if len(value) > schema.get("maxLength", len(value)):
            problems.append(_at(where, f"takes {_json(schema['maxLength'])} characters at most"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(_at(where, f"{_json(value)} does not match {schema['pattern']}"))
    if isinstance(value, list | tuple):
        problems += _array_problems(schema, list(value), where)
    if isinstance(value, dict):
        problems += _object_problems(schema, value, where)
    return problems


def _array_problems(schema: Mapping[str, Any], items: list[Any], where: str) -> list[str]:
    problems: list[str] = []
    if len(items) < schema.get("minItems", 0):
        problems.append(_at(where, f"needs at least {_json(schema['minItems'])} item(s)"))
    if len(items) > schema.get("maxItems", len(items)):
        problems.append(_at(where, f"takes at most {_json(schema['maxItems'])} item(s)"))
    if schema.get("uniqueItems") and len({_json(item) for item in items}) < len(items):
        problems.append(_at(where, "items must be unique"))
    if isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(items):
            problems += schema_problems(schema["items"], item, f"{where}[{index}]")
    return problems


def _object_problems(schema: Mapping[str, Any], value: Mapping[str, Any], where: str) -> list[str]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    prefix = f"{where}." if where else ""
    required = [name for name in schema.get("required", []) if name not in value]
    problems = [_at(where, f"'{name}' is required") for name in required]
    for name, item in value.items():
        if name in properties:
            problems += schema_problems(properties[name], item, f"{prefix}{name}")
        elif schema.get("additionalProperties") is False:
            problems.append(_at(where, f"unknown property '{name}'{suggestion(name, properties)}"))
        elif isinstance(schema.get("additionalProperties"), Mapping):
            problems += schema_problems(schema["additionalProperties"], item, f"{prefix}{name}")
    return problems
