"""Advisory: Identity Center's MFA settings are attested on every permission set.

No API reads or sets them (Settings > Authentication in the console; with an external identity
provider, the provider enforces MFA), so the pack cannot enforce them. The program states them in
tags: `iamtiers:mfa-mode` (always-on, context-aware or external-idp), `iamtiers:mfa-attested-by` and
`iamtiers:mfa-attested-on` (YYYY-MM-DD). A missing or malformed attestation, or one older than 365
days on the pack's day, is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.exemptions import iso_day, today
from iam_guard.rule_support import resource_rule

MODE_TAG = "iamtiers:mfa-mode"
BY_TAG = "iamtiers:mfa-attested-by"
ON_TAG = "iamtiers:mfa-attested-on"
MODES = ("always-on", "context-aware", "external-idp")
MAX_AGE_DAYS = 365


def _problems(tags: dict[str, Any]) -> list[str]:
    problems = []
    mode = tags.get(MODE_TAG)
    if mode not in MODES:
        problems.append(f"{MODE_TAG} is {mode!r}, not one of {', '.join(MODES)}")
    by = tags.get(BY_TAG)
    if not isinstance(by, str) or not by.strip():
        problems.append(f"{BY_TAG} names nobody")
    if iso_day(tags.get(ON_TAG)) is None:
        problems.append(f"{ON_TAG} is {tags.get(ON_TAG)!r}, not a date (YYYY-MM-DD)")
    return problems


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type != types.PERMISSION_SET:
        return
    tags = props.get("tags") or {}
    if types.is_unknown(tags) or not isinstance(tags, dict):
        return  # judged when the update runs
    if any(types.is_unknown(tags.get(key)) for key in (MODE_TAG, BY_TAG, ON_TAG)):
        return
    if problems := _problems(tags):
        report("IAM-IC-040", f"{args.name}: {'; '.join(problems)}")
        return
    attested = iso_day(tags[ON_TAG])
    if attested is None:  # _problems reported it
        return
    age = (today() - attested).days
    if age < 0:  # a promise, not a record: nobody has checked the console on that day yet
        report(
            "IAM-IC-040",
            f"{args.name}: {ON_TAG} is {attested.isoformat()}, after today ({today().isoformat()}); "
            "an attestation records a check already made",
        )
        return
    if age > MAX_AGE_DAYS:
        report(
            "IAM-IC-041",
            f"{args.name}: MFA ({tags[MODE_TAG]}) was attested by {tags[BY_TAG]} on {attested.isoformat()}, "
            f"{age} days ago",
        )


POLICY = resource_rule(
    name="identity-center-mfa-attested",
    description="Every permission set carries a current attestation of Identity Center's MFA settings.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Check Settings > Authentication in the console, then update the iamtiers:mfa-* tags.",
)
