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

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi_policy import Policy, PolicyConfigSchema
from pulumi_policy import policy as pulumi_policy_module

from iam_guard import exemptions
from iam_guard.json_schema import schema_problems, suggestion

log = logging.getLogger(__name__)

ALL_POLICIES_KEY = "all"  # the CLI's key for "this enforcement level for every policy"; it forwards it


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


def policy_json_schema(policy: Policy) -> dict[str, Any]:
    """A policy's config schema as JSON Schema; a policy without one takes no properties."""
    schema = policy.config_schema
    if isinstance(schema, ClosedPolicyConfigSchema):
        return schema.json_schema()
    if schema is None:
        return {"type": "object", "additionalProperties": False}
    return {"type": "object", "properties": dict(schema.properties), "required": list(schema.required or [])}


# Every policy's exemptions as the last accepted Configure set them: `exemptions-current` looks for
# the resource each one names in the whole stack, which a policy's own config cannot show it.
_configured: dict[str, list[exemptions.Exemption]] = {}


def configured_exemptions() -> dict[str, list[exemptions.Exemption]]:
    return dict(_configured)


def exemption_problems(
    config: Mapping[str, Mapping[str, Any]],
) -> tuple[list[str], dict[str, list[exemptions.Exemption]]]:
    """What the schema cannot see in exemptions (a wildcard, a day that does not exist, an expiry
    beyond the pack-wide bound counted from the pack's today), and the exemptions when there is none."""
    try:
        by_policy = exemptions.exemptions_by_policy(config, exemptions.today())
    except exemptions.ExemptionError as error:
        return list(error.problems), {}
    return [], by_policy


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
            problems.append(f"unknown policy '{name}'{suggestion(name, by_name)}")
        else:
            schema = policy_json_schema(by_name[name])
            problems += [f"{name}: {problem}" for problem in schema_problems(schema, dict(properties))]
    if not problems:
        problems += exemption_problems(config)[0]
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
        _configured.clear()
        _configured.update(exemption_problems(config)[1])
        return original(self, request, context)

    configure.refuses_config_outside_schemas = True  # type: ignore[attr-defined]
    servicer.Configure = configure
