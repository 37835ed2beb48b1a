"""Mandatory: every exemption of the pack config names a resource of the stack, and the pack's clock is
the real one.

An exemption left behind after its resource was renamed or removed would silently exempt whatever
takes that name next; it is a finding until it is removed. Judged at stack level, where every
resource is known (in preview too: names are registered; only a resource whose IAM name is still
unknown leaves the question to the update). Under a real engine, a clock override in the pack's
environment or on its command line is ignored (exemptions.py) and reported here, so that nobody
believes a deployment was judged on a day it was not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.config_schema import configured_exemptions
from iam_guard.exemptions import DEFAULT_MAX_DAYS, MAX_DAYS_KEY, ignored_overrides, today
from iam_guard.exemptions import POLICY as NAME
from iam_guard.rule_support import stack_rule
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]

MAX_DAYS_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 366,
    "default": DEFAULT_MAX_DAYS,
    "description": (
        "Pack-wide: how many days after the day the check runs an exemption's `expires` may lie, "
        "for every policy's exemptions (Configure refuses one beyond it)."
    ),
}


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    overrides = ignored_overrides()
    if overrides:
        report(
            "PACK-CLOCK-001",
            f"{', '.join(overrides)} set where the Pulumi engine started the pack; it was ignored, and "
            f"exemptions and date conditions were judged on the UTC date {today().isoformat()}",
            None,
        )
    resources = list(model.by_urn.values())
    known = {name for r in resources for name in (r.name, r.urn, r.iam_name) if name}
    # In preview a generated IAM name is unknown: an exemption may name it, so the update decides.
    names_pending = any(types.is_unknown(r.props.get("name")) for r in resources)
    for policy, exemptions in sorted(configured_exemptions().items()):
        for exemption in exemptions:
            if exemption.resource in known or names_pending:
                continue
            report(
                "PACK-EXEMPT-001",
                f"{policy}: the exemption for '{exemption.resource}' names no resource of the stack "
                "(by logical name, IAM name or URN)",
                None,
            )


POLICY = stack_rule(
    name=NAME,
    description="Every exemption names a resource of the stack, and exemptions are judged on the real day.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Remove the stale exemption from the pack config, or unset the clock override.",
    config_properties={MAX_DAYS_KEY: MAX_DAYS_SCHEMA},
)
