"""Which config keys the program reads: a key it would never read is an error, not a silent drop.

Shared by the offline stack-file reader and the program's own config loader (under the real CLI).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

PROVIDER_NAMESPACE = "aws"  # the only other namespace the program reads (aws:region)


def qualified_key(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _closest(candidates: Iterable[str], *spellings: str) -> str | None:
    """The candidate closest to any spelling, case-insensitive matches first."""
    known = sorted(candidates)
    for spelling in spellings:
        for candidate in known:
            if candidate.lower() == spelling.lower():
                return candidate
    for spelling in spellings:
        close = difflib.get_close_matches(spelling, known, n=1, cutoff=0.75)
        if close:
            return close[0]
    return None


def config_key_problems(keys: Iterable[str], project: str, declared: set[str]) -> list[tuple[str, str]]:
    """(key, problem) for each config key the program would never read.

    A key in the project's namespace must be one that Pulumi.yaml declares (when it declares any,
    as the real CLI requires); a namespace that is the project's or `aws` misspelt (case, or a close
    match to the project's) would drop its value silently. Other namespaces belong to other
    providers and pass.
    """
    problems: list[tuple[str, str]] = []
    for key in keys:
        qualified = qualified_key(key, project)
        namespace, _, name = qualified.partition(":")
        if namespace == project:
            if declared and qualified not in declared:
                close = _closest(declared, key, qualified)
                fix = (
                    f"; did you mean '{close}'?"
                    if close
                    else f" (declared: {', '.join(sorted(declared))}); declare it in Pulumi.yaml or remove it"
                )
                problems.append((key, f"'{qualified}' is not a config key of this project{fix}"))
        elif namespace.lower() == PROVIDER_NAMESPACE and namespace != PROVIDER_NAMESPACE:
            problems.append(
                (
                    key,
                    f"namespace '{namespace}' is not the AWS provider's ('aws'); did you mean 'aws:{name}'?",
                )
            )
        elif namespace.lower() == project.lower() or difflib.get_close_matches(
            namespace, [project], cutoff=0.75
        ):
            meant = f"{project}:{name}"
            if declared and meant not in declared:
                meant = _closest(declared, meant) or meant
            problems.append(
                (key, f"namespace '{namespace}' is not this project's ('{project}'); did you mean '{meant}'?")
            )
    return problems
