"""A permission set's `sessionDuration`: a strict ISO-8601 duration of hours and minutes.

Identity Center accepts PT1H to PT12H (its API pattern is looser and the provider checks only the
length, so a typo reaches AWS at apply time). The pack reads only what a session can be: `PT` then
hours and/or minutes (and seconds), e.g. PT1H, PT12H, PT90M, PT1H30M.
"""

from __future__ import annotations

import re

AWS_DEFAULT = "PT1H"  # what Identity Center applies when sessionDuration is not set
AWS_MIN_SECONDS = 3600
AWS_MAX_SECONDS = 43200
_DURATION = re.compile(r"PT(?=\d)(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,6})S)?")


class DurationError(ValueError):
    """The text is not a session duration; the message says what one looks like."""


def session_seconds(text: str) -> int:
    """The duration in seconds; `DurationError` for anything but `PT[nH][nM][nS]` (at least one part)."""
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        raise DurationError(f"{text!r} is not an ISO-8601 session duration such as PT1H, PT90M or PT1H30M")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def shown(seconds: int) -> str:
    """Seconds as an ISO-8601 duration (3600 -> PT1H, 5400 -> PT1H30M)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = ((hours, "H"), (minutes, "M"), (secs, "S"))
    return "PT" + ("".join(f"{value}{unit}" for value, unit in parts if value) or "0S")
