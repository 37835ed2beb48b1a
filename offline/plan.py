"""Render a recorded run as a readable plan: resources grouped by component, then outputs."""

from __future__ import annotations

import json
from typing import Any

from offline.engine import STACK_TYPE, StackRun, is_secret, is_unknown

SECRET_TEXT = "[secret]"
UNKNOWN_TEXT = "(known after update)"


def display_value(value: Any) -> Any:
    """A value as a person should see it: secrets masked, unknowns spelled out."""
    if is_secret(value):
        return SECRET_TEXT
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, dict):
        return {key: display_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [display_value(item) for item in value]
    return value


def render_plan(run: StackRun) -> str:
    mode = "preview" if run.preview else "update"
    resources = run.resources
    lines = [f"Plan for stack '{run.stack}' ({mode} mode): {len(resources)} resources"]
    stack_urn = next((r.urn for r in run.registrations if r.type == STACK_TYPE), "")

    def walk(parent: str, depth: int) -> None:
        for registration in run.children(parent):
            marker = "+" if registration.custom else "*"
            lines.append(f"{'    ' * depth}{marker} {registration.type}  {registration.name}")
            walk(registration.urn, depth + 1)

    walk(stack_urn, 1)
    lines.append("Outputs:")
    for key, value in sorted(run.outputs.items()):
        rendered = json.dumps(display_value(value), indent=2, sort_keys=True)
        lines.append(f"    {key}: " + rendered.replace("\n", "\n    "))
    return "\n".join(lines)
