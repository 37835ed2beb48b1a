"""The building blocks of the access document's text: code spans, tables, name lists, a principal's
policies and what it may do.

Every string of the model that a stack file, a pack config or a policy chose goes through `cell_code`,
`prose_code` or `text` (offline/reporting/markdown_text.py), escaped for where it lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from offline.access.grants import Access, PolicyEntry
from offline.access.levels import LEVEL_COLUMNS, LevelCount, ServiceAccess
from offline.reporting.markdown_text import code, text

FOLDED_ROWS = 12  # longer access tables are folded into <details>, so the document stays scannable


def cell_code(value: str) -> str:
    """A name in a table cell."""
    return code(value, cell=True)


def prose_code(value: str) -> str:
    """A name in running text or a heading."""
    return code(value)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GFM table of cells already escaped for a cell (`cell_code`, `text` or our own words)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def names(values: Iterable[str], empty: str = "none", *, cell: bool = True) -> str:
    shown = [code(name, cell=cell) for name in values]
    return ", ".join(shown) if shown else empty


def _count(level: LevelCount) -> str:
    if level.allowed == 0:
        return "-"
    return "all" if level.complete else f"{level.allowed}/{level.total}"


def _access_table(services: Sequence[ServiceAccess]) -> list[str]:
    header = ["Service", *LEVEL_COLUMNS, "Limited"]
    rows = [
        [text(s.service), *(_count(level) for level in s.levels), str(s.limited) if s.limited else "-"]
        for s in services
    ]
    lines = table(header, rows)
    if len(rows) <= FOLDED_ROWS:
        return lines
    return [f"<details><summary>{len(rows)} services</summary>", "", *lines, "", "</details>"]


def access_lines(access: Access) -> list[str]:
    if access.full_admin:
        return ["**Full admin**: every action of every service, on every resource."]
    lines = _access_table(access.services) if access.services else ["Allows nothing."]
    findings = [f"- **Privilege escalation**: {text(method)}" for method in access.escalations]
    findings += [
        f"- Can take over a resource that already runs with a role: {text(m)}" for m in access.takeovers
    ]
    return [*lines, "", *findings] if findings else lines


def policies_table(policies: Sequence[PolicyEntry]) -> list[str]:
    if not policies:
        return ["No policies."]
    return table(
        ["Kind", "Policy", "Version or statements"],
        ([text(p.kind), cell_code(p.name), text(p.detail)] for p in policies),
    )


def admin_tier_lines(access: Access, admin_tier_of: Sequence[str], admin_tiers_policy: str) -> list[str]:
    """What the pack config says of a role's or permission set's admin standing: the rules that list it
    in `admin_tiers`, or, for full admin that `admin_tiers_policy` does not list, that the pack blocks it."""
    lines: list[str] = []
    if admin_tier_of:
        rules = names(admin_tier_of, cell=False)
        lines.extend(
            ["", f"An admin tier in the pack config (`admin_tiers` of {rules}): those rules accept it."]
        )
    if access.full_admin and admin_tiers_policy not in admin_tier_of:
        lines.extend(
            ["", f"**Not an admin tier of `{admin_tiers_policy}`** in the pack config: the pack blocks it."]
        )
    return lines
