"""Closed policy config schemas, and a Configure that refuses config outside them.

A misspelt key in `--policy-pack-config` (`trusted_account` for `trusted_accounts`) would otherwise
switch its control off without a word: the CLI validates the config against each policy's schema,
but the Analyzer protocol carries only a schema's `properties` and `required` (no
`additionalProperties`), so the CLI accepts unknown keys and forwards unknown policy names, and
pulumi_policy's Configure stores whatever it is sent. The pack therefore checks what Configure
receives and refuses it, naming the policy, the key and the closest valid key; the CLI then stops
with "configuring policy pack ...: rpc error: code = InvalidArgument desc = <the problems>".
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi_policy import Policy, PolicyConfigSchema
from pulumi_policy import policy as pulumi_policy_module

log = logging.getLogger(__name__)

ALL_POLICIES_KEY = "all"  # the CLI's key for "this enforcement level for every policy"; it forwards it

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int, float),  # integral floats pass: Configure's Struct carries every number as a double
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
    "null": (type(None),),
}


class ClosedPolicyConfigSchema(PolicyConfigSchema):
    """A policy's config schema that admits no property it does not list (`additionalProperties: false`)."""

    additional_properties = False

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema the pack's Configure checks a policy's properties against."""
        schema: dict[str, Any] = {"type": "object", "properties": dict(self.properties)}
        if self.required:
            schema["required"] = list(self.required)
        schema["additionalProperties"] = self.additional_properties
        return schema


def _json(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value)


def _suggestion(unknown: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(unknown, list(valid), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
            problems.append(_at(where, f"unknown property '{name}'{_suggestion(name, properties)}"))
        elif isinstance(schema.get("additionalProperties"), Mapping):
            problems += schema_problems(schema["additionalProperties"], item, f"{prefix}{name}")
    return problems


def policy_json_schema(policy: Policy) -> dict[str, Any]:
    """A policy's config schema as JSON Schema; a policy without one takes no properties."""
    schema = policy.config_schema
    if isinstance(schema, ClosedPolicyConfigSchema):
        return schema.json_schema()
    if schema is None:
        return {"type": "object", "additionalProperties": False}
    return {"type": "object", "properties": dict(schema.properties), "required": list(schema.required or [])}


def config_problems(policies: Sequence[Policy], config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every problem of a Configure request's properties, policy by policy, one line each."""
    by_name = {policy.name: policy for policy in policies}
    problems: list[str] = []
    for name, properties in config.items():
        if name == ALL_POLICIES_KEY:
            problems += [
                f"{ALL_POLICIES_KEY}: unknown property '{key}': only enforcementLevel applies to every "
                "policy; set it under each policy that takes it"
                for key in properties
            ]
        elif name not in by_name:
            problems.append(f"unknown policy '{name}'{_suggestion(name, by_name)}")
        else:
            schema = policy_json_schema(by_name[name])
            problems += [f"{name}: {problem}" for problem in schema_problems(schema, dict(properties))]
    return problems


def refuse_config_outside_schemas() -> None:
    """Make the pack's Configure fail with INVALID_ARGUMENT when `config_problems` finds any (idempotent)."""
    servicer: Any = pulumi_policy_module._PolicyAnalyzerServicer  # pulumi_policy has no hook for Configure
    original: Any = servicer.Configure
    if getattr(original, "refuses_config_outside_schemas", False):
        return

    def configure(self: Any, request: Any, context: Any) -> Any:
        policies = self._PolicyAnalyzerServicer__policies
        config = {
            name: json_format.MessageToDict(entry.properties) for name, entry in request.policyConfig.items()
        }
        problems = config_problems(policies, config)
        if problems:
            log.error("refusing the policy pack config: %s", "; ".join(problems))
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "\n".join(problems))
        return original(self, request, context)

    configure.refuses_config_outside_schemas = True  # type: ignore[attr-defined]
    servicer.Configure = configure
