"""The break-glass checks across keys (`break_glass_problems`): a break-glass name taken by `users`, `groups`
or `role_tiers`, a console password under `require_pgp_key` without a PGP key, and no CloudTrail log group
for the alarm (`trail_log_group`).
"""

from __future__ import annotations

from components.config.stack import StackConfig


def trail_log_group(config: StackConfig) -> str | None:
    """The CloudTrail log group the break-glass metric filter watches: the baseline trail's, else the
    organization trail's named in monitoring.alarms.existing_log_group_name."""
    monitoring = config.monitoring
    if monitoring.cloudtrail.enabled:
        return "/aws/cloudtrail/baseline-trail"  # components/account_baseline.py names it so
    return monitoring.alarms.existing_log_group_name


def break_glass_problems(config: StackConfig, namespace: str) -> list[str]:
    """Problems across keys, each at its key path with the fix (without the namespace prefix)."""
    glass = config.break_glass
    if glass is None or not glass.enabled:
        return []
    problems: list[str] = []
    taken = {
        "user": {user.name.lower() for user in config.users},
        "group": {group.name.lower() for group in config.groups},
        "role tier": {tier.name.lower() for tier in config.role_tiers},
    }
    collection = {"user": "users", "group": "groups", "role tier": "role_tiers"}
    named = [(f"break_glass.users[{i}].name", "user", user.name) for i, user in enumerate(glass.users)]
    named += [
        ("break_glass.group", "group", glass.group),
        ("break_glass.tier.name", "role tier", glass.tier.name),
    ]
    for path, kind, name in named:
        if name.lower() in taken[kind]:
            problems.append(
                f"{path}: {kind} '{name}' is also in {namespace}:{collection[kind]}; "
                "give the break-glass one a name of its own"
            )
    if config.require_pgp_key:
        problems += [
            f"break_glass.users[{i}].pgp_key: break-glass user '{user.name}' gets a console password but has "
            f"no pgp_key, and {namespace}:require_pgp_key is true; set pgp_key to the holder's base64 PGP "
            "public key or 'keybase:<username>'"
            for i, user in enumerate(glass.users)
            if not user.pgp_key
        ]
    if trail_log_group(config) is None:
        problems.append(
            f"monitoring: break-glass use must also raise a CloudWatch alarm on the CloudTrail log group, "
            "and "
            f"this stack has none; enable {namespace}:monitoring.cloudtrail or set "
            f"{namespace}:monitoring.alarms.existing_log_group_name to the organization trail's log group"
        )
    return problems
