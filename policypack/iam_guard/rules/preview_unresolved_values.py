"""Advisory: one line per resource whose value comes from outside the stack and is unknown in preview.

Everything produced inside the stack is resolved through property dependencies and judged by
the other rules; only these values wait for the update, where every rule runs on known values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.rule_support import stack_rule
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    reasons: dict[str, list[str]] = {}
    for item in model.unresolved:
        entry = f"{item.key}: {item.reason}"
        if entry not in reasons.setdefault(item.urn, []):
            reasons[item.urn].append(entry)
    for urn, entries in reasons.items():
        name = model.by_urn[urn].name if urn in model.by_urn else urn
        report("IAM-PREVIEW-001", f"{name}: {'; '.join(entries)}", urn)


POLICY = stack_rule(
    name="preview-unresolved-values",
    description="Values that only the update can know are named, so nothing passes unseen.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="None needed now; the update judges the resource with known values.",
)
