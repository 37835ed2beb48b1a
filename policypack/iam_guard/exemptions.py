"""Exemptions from a rule: which resource, why, who owns it, and until when.

An exemption applies up to and including its `expires` date; after that the violation comes back,
saying when its exemption expired. "Today" is the UTC date, or `IAMTIERS_TODAY` (an ISO date) when
set, so that a past run can be repeated exactly. The offline check loads this module by path to list
the exemptions in force in its reports, so it uses the standard library only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

TODAY_VARIABLE = "IAMTIERS_TODAY"
MIN_REASON = 10


class ExemptionError(ValueError):
    """An exemption entry the pack cannot use; the message names the key and the fix."""


@dataclass(frozen=True)
class Exemption:
    resource: str  # logical name, IAM name or URN
    reason: str
    expires: date
    owner: str | None

    def in_force(self, today: date) -> bool:
        return today <= self.expires

    def expired_note(self) -> str:
        owner = f", owner {self.owner}" if self.owner else ""
        return (
            f" (its exemption for '{self.resource}'{owner} expired on {self.expires.isoformat()}: "
            "fix the finding, or renew the exemption with a new 'expires')"
        )


def today() -> date:
    override = os.environ.get(TODAY_VARIABLE)
    if override:
        try:
            return date.fromisoformat(override)
        except ValueError:
            raise ExemptionError(f"{TODAY_VARIABLE}={override!r} is not an ISO date (YYYY-MM-DD)") from None
    return datetime.now(UTC).date()


def parse_exemptions(entries: Any, key: str = "exemptions") -> list[Exemption]:
    """Every entry of a rule's `exemptions`, each with resource, reason (10+ characters) and expiry."""
    if not isinstance(entries, list):
        raise ExemptionError(f"'{key}' must be a list of {{resource, reason, expires, owner}}")
    result: list[Exemption] = []
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or not isinstance(resource, str) or not resource:
            raise ExemptionError(f"'{where}' needs 'resource', 'reason' and 'expires'")
        reason = entry.get("reason")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
            raise ExemptionError(f"'{where}.reason' must explain the exemption ({MIN_REASON}+ characters)")
        expires = entry.get("expires")
        try:
            expiry = date.fromisoformat(expires) if isinstance(expires, str) and len(expires) == 10 else None
        except ValueError:
            expiry = None
        if expiry is None:
            raise ExemptionError(
                f"'{where}.expires' must be the ISO date (YYYY-MM-DD) after which the exemption stops, "
                f"got {expires!r}"
            )
        owner = entry.get("owner")
        if owner is not None and (not isinstance(owner, str) or not owner.strip()):
            raise ExemptionError(f"'{where}.owner' must name who answers for the exemption")
        result.append(Exemption(resource, reason, expiry, owner))
    return result


def matching(
    exemptions: Iterable[Exemption], identifiers: Iterable[str | None], on: date
) -> Exemption | None:
    """The exemption naming one of the identifiers; one in force `on` that day wins over an expired one."""
    names = {identifier for identifier in identifiers if identifier}
    found = [exemption for exemption in exemptions if exemption.resource in names]
    return next((e for e in found if e.in_force(on)), found[0] if found else None)


def exemptions_by_policy(pack_config: Mapping[str, Any]) -> dict[str, list[Exemption]]:
    """Policy name -> its exemptions, from a `--policy-pack-config` document (reports list them)."""
    result: dict[str, list[Exemption]] = {}
    for policy, settings in pack_config.items():
        if isinstance(settings, Mapping) and "exemptions" in settings:
            result[policy] = parse_exemptions(settings["exemptions"], f"{policy}.exemptions")
    return result
