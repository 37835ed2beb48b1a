"""Which privilege-escalation methods a set of effective permissions completes, and by which statements."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache

from iam_guard import action_sets
from iam_guard.catalog import expand, expand_all
from iam_guard.data.pass_role_services import PASS_ROLE_RECEIVERS
from iam_guard.data.privilege_escalation import PRIVILEGE_ESCALATION_METHODS, EscalationMethod
from iam_guard.documents import Condition
from iam_guard.evaluation import EffectivePermissions, Grant

PASS_ROLE = "iam:passrole"
_PASSED_TO_SERVICE = "iam:passedtoservice"
_POSITIVE_MATCH = ("StringEquals", "StringLike", "StringEqualsIgnoreCase")


@lru_cache(maxsize=256)
def receivers(method: EscalationMethod) -> frozenset[str]:
    """The service principals the method hands its passed role to."""
    prefixes = {action.split(":", 1)[0] for action in method.actions} - {"iam", "sts"}
    return frozenset(principal for prefix in prefixes for principal in PASS_ROLE_RECEIVERS.get(prefix, ()))


def _names_receiver(condition: Condition, services: frozenset[str]) -> bool:
    """`iam:PassedToService` that lets the role go to one of `services` (so it does not break the method)."""
    return (
        condition.key_lower == _PASSED_TO_SERVICE
        and condition.base_operator in _POSITIVE_MATCH
        and condition.set_qualifier != "ForAllValues"
        and any(fnmatchcase(service, value.lower()) for value in condition.values for service in services)
    )


def _pass_role_grants(permissions: EffectivePermissions, method: EscalationMethod) -> list[Grant]:
    """PassRole on any role, either unconditioned or narrowed only to the service the method launches."""
    services = receivers(method)
    return [
        grant
        for grant in permissions.grants_for(PASS_ROLE)
        if grant.broad_for(PASS_ROLE)
        and all(_names_receiver(condition, services) for condition in grant.restrictions)
    ]


def _deciding_grants(permissions: EffectivePermissions, method: EscalationMethod) -> dict[str, Grant] | None:
    """For each action of the method, a grant that makes it usable; None when one action is not usable."""
    deciding: dict[str, Grant] = {}
    for pattern in sorted(method.actions):
        for action in sorted(expand(pattern)):
            if action == PASS_ROLE:
                grants = _pass_role_grants(permissions, method)
            else:
                grants = permissions.usable_grants(action, broad=method.needs_broad_resource)
            if not grants:
                return None
            deciding.setdefault(pattern, grants[0])
    return deciding


@lru_cache(maxsize=256)
def method_actions(method: EscalationMethod) -> frozenset[str]:
    """The method's actions with patterns (`iam:*`, `iam:put*`) expanded."""
    return expand_all(tuple(method.actions))


# P3 takes over a resource that already runs with some role (an instance, a function, a stack): which
# one, and with which role, is outside the stack, so P3 has a rule of its own (no-compute-takeover) that
# judges it on every resource only, and names it apart from the methods that gain privileges outright.
HIJACK_CATEGORY = "P3"


@lru_cache(maxsize=2)
def _methods_of_kind(hijack: bool) -> tuple[tuple[EscalationMethod, frozenset[str]], ...]:
    return tuple(
        (method, method_actions(method))
        for method in PRIVILEGE_ESCALATION_METHODS
        if (method.category == HIJACK_CATEGORY) == hijack
    )


@lru_cache(maxsize=1)
def _any_method_set() -> int:
    """Every action some method uses: most documents allow none, which one integer test shows."""
    return action_sets.patterns_set(
        action for method in PRIVILEGE_ESCALATION_METHODS for action in method.actions
    )


def completed_methods(permissions: EffectivePermissions, *, hijack: bool = False) -> list[EscalationMethod]:
    """Methods whose every action is usable, dropping those that contain a smaller completed one."""
    return list(completed_with_grants(permissions, hijack=hijack))


def completed_with_grants(
    permissions: EffectivePermissions, *, hijack: bool = False
) -> dict[EscalationMethod, dict[str, Grant]]:
    """Each completed method (minimal ones only) with the grant that decides each of its actions:
    the methods that gain privileges outright, or with `hijack` those that take over an existing resource."""
    completed: dict[EscalationMethod, dict[str, Grant]] = {}
    relevant = permissions.allowed_set & _any_method_set()
    if not relevant:
        return completed  # no action of any method: most documents
    allowed = action_sets.names(relevant)
    for method, actions in _methods_of_kind(hijack):
        if not actions <= allowed:
            continue  # every action of a method must be allowed before its grants are worth reading
        deciding = _deciding_grants(permissions, method)
        if deciding is not None:
            completed[method] = deciding
    return {
        method: grants
        for method, grants in completed.items()
        if not any(other.actions < method.actions for other in completed)
    }


def describe(methods: list[EscalationMethod] | dict[EscalationMethod, dict[str, Grant]]) -> str:
    """`PRIVESC-... Name (a + b)`, and, given the deciding grants, the statement behind each action."""
    parts: list[str] = []
    for method in methods:
        text = f"{method.method_id} {method.name} ({' + '.join(sorted(method.actions))})"
        if isinstance(methods, dict):
            by_statement: dict[str, list[str]] = {}
            for action, grant in sorted(methods[method].items()):
                by_statement.setdefault(grant.where, []).append(action)
            text += " via " + ", ".join(
                f"{' + '.join(acts)} in {where}" for where, acts in by_statement.items()
            )
        parts.append(text)
    return "; ".join(parts)
