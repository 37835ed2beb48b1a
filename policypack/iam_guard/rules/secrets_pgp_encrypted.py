"""Advisory: generated passwords and secret keys are PGP-encrypted for their owner, not only
Pulumi secrets that anyone with the stack's secrets provider can read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.rule_support import resource_rule


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type in (types.USER_LOGIN_PROFILE, types.ACCESS_KEY) and not props.get("pgpKey"):
        what = "initial password" if args.resource_type == types.USER_LOGIN_PROFILE else "secret access key"
        report("IAM-SECRET-001", f"{args.name}: the {what} of {props.get('user')!r} is kept in stack state")


POLICY = resource_rule(
    name="secrets-pgp-encrypted",
    description="Generated credentials are encrypted with their owner's PGP key.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Set pgpKey (keybase:NAME or a base64 public key) on the login profile or access key.",
)
