"""Which privilege-escalation methods a set of effective permissions completes."""

from __future__ import annotations

from functools import lru_cache

from iam_guard.catalog import expand, expand_all
from iam_guard.data.privilege_escalation import PRIVILEGE_ESCALATION_METHODS, EscalationMethod
from iam_guard.evaluation import EffectivePermissions

# PassRole escalates only when any role may be passed: scoped ARNs or iam:PassedToService neutralise it.
_NEEDS_BROAD_RESOURCE = frozenset({"iam:passrole"})


def _usable(permissions: EffectivePermissions, pattern: str, method: EscalationMethod) -> bool:
    return all(
        permissions.usable_against_others(
            action, broad=method.needs_broad_resource or action in _NEEDS_BROAD_RESOURCE
        )
        for action in expand(pattern)
    )


@lru_cache(maxsize=256)
def method_actions(method: EscalationMethod) -> frozenset[str]:
    """The method's actions with patterns (`iam:*`, `iam:put*`) expanded."""
    return expand_all(tuple(method.actions))


def completed_methods(permissions: EffectivePermissions) -> list[EscalationMethod]:
    """Methods whose every action is usable, dropping those that contain a smaller completed one."""
    completed = [
        method
        for method in PRIVILEGE_ESCALATION_METHODS
        if all(_usable(permissions, action, method) for action in method.actions)
    ]
    return [method for method in completed if not any(other.actions < method.actions for other in completed)]


def describe(methods: list[EscalationMethod]) -> str:
    return "; ".join(f"{m.method_id} {m.name} ({' + '.join(sorted(m.actions))})" for m in methods)
