"""Exemptions from a rule: which resource, why, who owns it, and until when; and the day they are judged on.

An exemption names one resource exactly (no wildcard) and applies up to and including its `expires`
date, a strict ISO `YYYY-MM-DD` at most `max_exemption_days` (pack-wide, default 180) after the day
the check runs; after that the violation comes back, saying when its exemption expired.

"Today" is the UTC date. A past run can be repeated offline with `IAMTIERS_TODAY`: the offline check
reads it and hands the day to the pack on its command line (`--iamtiers-today=YYYY-MM-DD`), a channel
the Pulumi engine never uses. The pack itself reads no clock from its environment: started by a real
engine (its engine address on the command line, or `PULUMI_DRY_RUN` set), it ignores both the flag
and `IAMTIERS_TODAY`, and `exemptions-current` reports that they were set. The offline check loads
this module by path to list the exemptions in force in its reports, so it uses the standard library only.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

TODAY_VARIABLE = "IAMTIERS_TODAY"
TODAY_FLAG = "--iamtiers-today"  # the offline harness's replay day, on the pack's command line
ENGINE_VARIABLE = "PULUMI_DRY_RUN"  # the engine sets it for every policy pack it starts (constructEnv)
MIN_REASON = 10
POLICY = "exemptions-current"  # the policy whose config holds the pack-wide bound
MAX_DAYS_KEY = "max_exemption_days"
DEFAULT_MAX_DAYS = 180
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WILDCARDS = ("*", "?")


class ExemptionError(ValueError):
    """Exemption entries the pack cannot use; one line per problem in `problems`, each naming the key
    and the fix."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


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


def iso_day(text: Any) -> date | None:
    """`text` as a date when it is exactly `YYYY-MM-DD` and a real day; None otherwise (Python's
    `date.fromisoformat` alone also takes `20270401` and `2027-W13-4`)."""
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _replay_day(text: str) -> date:
    day = iso_day(text)
    if day is None:
        raise ExemptionError(f"{TODAY_VARIABLE}={text!r} is not an ISO date (YYYY-MM-DD)")
    return day


# --- the clock -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackClock:
    """The pack process's clock: the harness's replay day (None: the UTC date), and what a real
    engine's start brought that the pack ignored."""

    replay: str | None
    ignored: tuple[str, ...] = ()


_pack_clock: PackClock | None = None  # set by the pack's entry point; None in any other process


def started_by_engine(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """The Pulumi engine starts a Python pack as `python -m pulumi.policy <engine address> <dir>`
    with `PULUMI_DRY_RUN` set; the offline harness runs `__main__.py` with only its own flag."""
    positional = [arg for arg in argv[1:] if not arg.startswith(f"{TODAY_FLAG}=")]
    return bool(positional) or ENGINE_VARIABLE in environ


def pack_clock(argv: Sequence[str], environ: Mapping[str, str]) -> PackClock:
    flags = [arg.split("=", 1)[1] for arg in argv[1:] if arg.startswith(f"{TODAY_FLAG}=")]
    if not started_by_engine(argv, environ):
        return PackClock(replay=flags[-1] if flags else None)
    ignored = [f"{TODAY_VARIABLE}={environ[TODAY_VARIABLE]}"] if environ.get(TODAY_VARIABLE) else []
    ignored += [f"{TODAY_FLAG}={flag}" for flag in flags]
    return PackClock(replay=None, ignored=tuple(ignored))


def pin_pack_clock() -> None:
    """Fix the pack process's clock from how it was started (its entry point calls this first)."""
    global _pack_clock  # one clock per process, set once before serving
    _pack_clock = pack_clock(sys.argv, os.environ)


def ignored_overrides() -> tuple[str, ...]:
    """Clock overrides a real engine's start carried, which the pack ignored."""
    return _pack_clock.ignored if _pack_clock else ()


def today() -> date:
    """The day exemptions and date conditions are judged on."""
    # The pack process reads its command line, never its environment; the offline check (and tests
    # that load the pack's modules in-process) read IAMTIERS_TODAY.
    override = _pack_clock.replay if _pack_clock is not None else os.environ.get(TODAY_VARIABLE) or None
    return _replay_day(override) if override is not None else datetime.now(UTC).date()


# --- reading exemptions --------------------------------------------------------------------------


def parse_exemptions(entries: Any, key: str = "exemptions") -> list[Exemption]:
    """Every entry of a rule's `exemptions`, each with one resource, reason (10+ characters) and expiry."""
    if not isinstance(entries, list):
        raise ExemptionError(f"'{key}' must be a list of {{resource, reason, expires, owner}}")
    result: list[Exemption] = []
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or not isinstance(resource, str) or not resource:
            raise ExemptionError(f"'{where}' needs 'resource', 'reason' and 'expires'")
        if any(wildcard in resource for wildcard in _WILDCARDS):
            raise ExemptionError(
                f"'{where}.resource' {resource!r} has a wildcard: an exemption names one resource exactly "
                "(its logical name, IAM name or URN); list each resource in its own exemption"
            )
        reason = entry.get("reason")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
            raise ExemptionError(f"'{where}.reason' must explain the exemption ({MIN_REASON}+ characters)")
        expires = entry.get("expires")
        expiry = iso_day(expires)
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


def max_days(pack_config: Mapping[str, Any]) -> int:
    """The pack-wide bound: `exemptions-current.max_exemption_days` (its schema checks the value)."""
    settings = pack_config.get(POLICY)
    value = (
        settings.get(MAX_DAYS_KEY, DEFAULT_MAX_DAYS) if isinstance(settings, Mapping) else DEFAULT_MAX_DAYS
    )
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON config numbers arrive as doubles
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ExemptionError(f"'{POLICY}.{MAX_DAYS_KEY}' must be a whole number of days, got {value!r}")
    return value


def too_far_ahead(policy: str, exemptions: Iterable[Exemption], on: date, days: int) -> list[str]:
    """One line per exemption expiring more than `days` after `on`, naming the latest allowed day."""
    latest = on + timedelta(days=days)
    return [
        f"{policy}: the exemption for '{e.resource}' expires on {e.expires.isoformat()}, more than "
        f"{days} days after {on.isoformat()} ({POLICY}.{MAX_DAYS_KEY}); the latest allowed is "
        f"{latest.isoformat()}: renew it then, with a reason that still holds"
        for e in exemptions
        if e.expires > latest
    ]


def exemptions_by_policy(
    pack_config: Mapping[str, Any], on: date | None = None
) -> dict[str, list[Exemption]]:
    """Policy name -> its exemptions, from a `--policy-pack-config` document (reports list them).
    With `on`, an exemption beyond the pack-wide bound counted from that day is an error."""
    result: dict[str, list[Exemption]] = {}
    for policy, settings in pack_config.items():
        if isinstance(settings, Mapping) and "exemptions" in settings:
            result[policy] = parse_exemptions(settings["exemptions"], f"{policy}.exemptions")
    if on is not None:
        days = max_days(pack_config)
        problems = [
            line for policy, found in result.items() for line in too_far_ahead(policy, found, on, days)
        ]
        if problems:
            raise ExemptionError(*problems)
    return result


def matching(
    exemptions: Iterable[Exemption], identifiers: Iterable[str | None], on: date
) -> Exemption | None:
    """The exemption naming one of the identifiers; one in force `on` that day wins over an expired one."""
    names = {identifier for identifier in identifiers if identifier}
    found = [exemption for exemption in exemptions if exemption.resource in names]
    return next((e for e in found if e.in_force(on)), found[0] if found else None)
