"""Render recorded runs as a readable plan: resources grouped by component, then the outputs."""

from __future__ import annotations

import json
from typing import Any

from offline.running.engine import STACK_TYPE, StackRun, is_secret, is_unknown

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


def _resource_tree(run: StackRun) -> list[str]:
    lines: list[str] = []
    stack_urn = next((r.urn for r in run.registrations if r.type == STACK_TYPE), "")

    children = run.children_by_parent()

    def walk(parent: str, depth: int) -> None:
        # Siblings register from several threads, in whatever order their inputs resolve: sort them.
        for registration in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            marker = "+" if registration.custom else "*"
            lines.append(f"{'  ' * depth}{marker} {registration.type}  {registration.name}")
            walk(registration.urn, depth + 1)

    walk(stack_urn, 1)
    return lines


def _output_lines(key: str, value: Any, depth: int) -> list[str]:
    indent = "  " * depth
    if isinstance(value, dict) and value:
        lines = [f"{indent}{key}:"]
        for sub_key in sorted(value):
            lines.extend(_output_lines(sub_key, value[sub_key], depth + 1))
        return lines
    if isinstance(value, str) and "\n" in value:
        body = value.rstrip("\n").replace("\n", f"\n{indent}  ")
        return [f"{indent}{key}: |", f"{indent}  {body}"]
    return [f"{indent}{key}: {json.dumps(value)}"]


def render_plan(preview: StackRun, update: StackRun) -> str:
    """The resource tree (identical in both modes) and the outputs as an update would leave them."""
    lines = [
        f"Stack '{preview.stack}' of project '{preview.project}': "
        f"{len(preview.resources)} resources in preview, {len(update.resources)} in update",
        "Resources by component (* component, + AWS resource):",
        *_resource_tree(preview),
        f"Outputs after update (secrets shown as {SECRET_TEXT}):",
    ]
    for key in sorted(update.outputs):
        lines.extend(_output_lines(key, display_value(update.outputs[key]), 1))
    return "\n".join(lines)
