"""The scale benchmark's pack floor: as many policies as the real pack, of the same kinds, doing nothing.

Each policy's validate function returns at once, so what remains is what the Analyzer protocol and
pulumi_policy cost for the same requests: serving gRPC, turning every resource's properties into
Python values, and calling each policy per resource (Analyze) or once per stack (AnalyzeStack).
bench/scale.py checks that the names and kinds match iam_guard.ALL_POLICIES.
"""

from __future__ import annotations

from typing import Any

# The pack process runs from its own directory (as the CLI runs a pack), where this module lies.
from noop_policies import RESOURCE_POLICIES, STACK_POLICIES  # type: ignore[import-not-found]
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy


def nothing(args: Any, report_violation: Any) -> None:
    """A validation that finds nothing."""


PolicyPack(
    name="noop-floor",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        *(
            ResourceValidationPolicy(name=name, description="Does nothing.", validate=nothing)
            for name in RESOURCE_POLICIES
        ),
        *(
            StackValidationPolicy(name=name, description="Does nothing.", validate=nothing)
            for name in STACK_POLICIES
        ),
    ],
)
