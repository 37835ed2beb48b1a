"""What a principal may do, summarised per service and access level from the pack's action catalog."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard

# isort: split
from iam_guard.catalog import PERMISSIONS_MANAGEMENT, access_level, all_actions
from iam_guard.evaluation import EffectivePermissions

# The columns of the summary table, in the order a reviewer reads them: from harmless to powerful.
LEVEL_COLUMNS = ("List", "Read", "Write", PERMISSIONS_MANAGEMENT, "Tagging")


@dataclass(frozen=True)
class LevelCount:
    """How many of a service's actions at one access level are allowed, out of how many exist."""

    allowed: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.allowed == self.total


@dataclass(frozen=True)
class ServiceAccess:
    """One service's row: allowed actions per access level (in `LEVEL_COLUMNS` order), and how many
    of them are allowed only on named resources or under a narrowing condition."""

    service: str
    levels: tuple[LevelCount, ...]
    limited: int

    def level(self, name: str) -> LevelCount:
        return self.levels[LEVEL_COLUMNS.index(name)]


@cache
def _catalog_totals() -> dict[tuple[str, str], int]:
    """(service, access level) -> number of actions the catalog has."""
    totals: dict[tuple[str, str], int] = {}
    for action in all_actions():
        key = (action.split(":", 1)[0], access_level(action))
        totals[key] = totals.get(key, 0) + 1
    return totals


def _limited(permissions: EffectivePermissions, action: str) -> bool:
    """Every grant of the action is narrowed: to named resources, or by a condition on its target."""
    return all(grant.constrained or not grant.broad_for(action) for grant in permissions.grants[action])


def service_access(permissions: EffectivePermissions) -> tuple[ServiceAccess, ...]:
    """One row per service the permissions reach, sorted by service prefix."""
    allowed: dict[tuple[str, str], int] = {}
    limited: dict[str, int] = {}
    for action in permissions.allowed():
        service = action.split(":", 1)[0]
        key = (service, access_level(action))
        allowed[key] = allowed.get(key, 0) + 1
        limited[service] = limited.get(service, 0) + (1 if _limited(permissions, action) else 0)
    totals = _catalog_totals()
    return tuple(
        ServiceAccess(
            service,
            tuple(
                LevelCount(allowed.get((service, level), 0), totals.get((service, level), 0))
                for level in LEVEL_COLUMNS
            ),
            limited[service],
        )
        for service in sorted(limited)
    )
