"""The access document's "Break-glass" section, for a stack with break-glass principals: each user and
tier, and every alarm of the stack whose pattern matches its use (offline/access/break_glass.py). Every
configured string is escaped for where it lands (offline/access/tables.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from offline.access.break_glass import RULE, AlarmWatch, BreakGlassPrincipal
from offline.access.tables import cell_code, names, table
from offline.reporting.markdown_text import text


def _alarm(watch: AlarmWatch) -> str:
    shown = f"{text(watch.kind)} {cell_code(watch.name)}"
    if watch.alarms:
        shown += " → metric alarm " + names(watch.alarms)
    return shown


def _row(principal: BreakGlassPrincipal, watch: AlarmWatch | None) -> list[str]:
    who = f"{text(principal.kind)} {cell_code(principal.name)}"
    if watch is None:
        return [who, text(principal.use), "**none**", "-", "-", "**nothing alarms on its use**"]
    state = "yes" if watch.why_not is None else f"**no**: {text(watch.why_not)}"
    region = text(watch.region) if watch.region else "the stack's region"
    return [who, text(principal.use), _alarm(watch), region, cell_code(watch.pattern), state]


def break_glass_section(principals: Sequence[BreakGlassPrincipal]) -> list[str]:
    """The "## Break-glass" section."""
    rows = [_row(principal, watch) for principal in principals for watch in (principal.watches or (None,))]
    unalarmed = [cell_code(p.name) for p in principals if not p.alarmed]
    return [
        "## Break-glass",
        "",
        "Emergency principals (tagged `iamtiers:break-glass=true`) and the alarms of this stack whose "
        f"pattern matches their use, judged as the pack's `{RULE}` judges them: by what each EventBridge "
        "rule or metric filter matches, never by its name.",
        "",
        *table(["Principal", "Use", "Watched by", "Region", "Pattern", "Alarms"], rows),
        "",
        f"Not alarmed: {', '.join(unalarmed)}." if unalarmed else "Every break-glass principal is alarmed.",
    ]
