"""Reading the project's own YAML files (stack files, collection files): refused, never half-read.

YAML anchors, aliases and merge keys are refused from the event stream, so an alias bomb is never
expanded; duplicate keys (YAML keeps the last one silently) are reported with both lines. Every
problem is one line naming the file, the line and the fix. Shared by the offline stack-file reader
and the program's config loader, so that the offline check and the real CLI refuse the same files
in the same words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class StrictYamlLoader(yaml.SafeLoader):
    """A SafeLoader that composes nodes (with their line marks) first, so that anchors, aliases and
    duplicate keys can be refused before any value is constructed."""


@dataclass(frozen=True)
class YamlDocument:
    """A file's constructed document and its composed node (None for an empty file)."""

    data: Any
    node: yaml.Node | None


def _anchor_problems(text: str, shown: str, kind: str) -> list[str]:
    """One line per source line that defines an anchor, uses an alias or a merge key."""
    found: dict[int, list[str]] = {}
    for event in yaml.parse(text, Loader=StrictYamlLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            found.setdefault(line, []).append(f"alias '*{event.anchor}'")
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            found.setdefault(line, []).append(f"anchor '&{event.anchor}'")
        elif isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.style is None:
            found.setdefault(line, []).append("merge key '<<'")
    return [
        f"{shown}:{line}: {', '.join(dict.fromkeys(uses))}: {kind} may not use YAML anchors/aliases; "
        "write the values out"
        for line, uses in sorted(found.items())
    ]


def _key_text(loader: StrictYamlLoader, node: yaml.Node) -> str | None:
    """A mapping key as the config's JSON text would spell it (so `1` and "1" collide)."""
    if not isinstance(node, yaml.ScalarNode):
        return None  # complex keys are refused when the document is constructed
    key = loader.construct_object(node)
    return key if isinstance(key, str) else json.dumps(key)


def _child_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _duplicate_key_problems(loader: StrictYamlLoader, node: yaml.Node, path: str, shown: str) -> list[str]:
    """One line per key that repeats an earlier key of the same mapping, anywhere in the document."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key_text(loader, key_node)
            child = _child_path(path, str(key))
            line = key_node.start_mark.line + 1
            if key is not None and key in first_lines:
                problems.append(
                    f"{shown}:{line}: duplicate key '{child}' (first on line {first_lines[key]}); YAML would "
                    "silently keep only the last one, so merge the two into one entry"
                )
            elif key is not None:
                first_lines[key] = line
            problems.extend(_duplicate_key_problems(loader, value_node, child, shown))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_duplicate_key_problems(loader, item, f"{path}[{index}]", shown))
    return problems


def read_yaml(
    path: Path, shown: str, problems: list[str], *, kind: str, root: str = ""
) -> YamlDocument | None:
    """The document of the YAML file at `path`, or None after adding why not to `problems`.

    `shown` is how messages name the file, `kind` what the anchor refusal calls it ("stack files"),
    `root` the key path duplicate-key messages start from (`iamtiers:users` for a collection file).
    Duplicate keys are added to `problems` but the document is still returned (the last value wins),
    so that a caller's later checks can report alongside.
    """
    if not path.is_file():
        problems.append(f"{shown}: file not found")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"{shown}: not valid YAML: not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    except OSError as error:
        problems.append(f"{shown}: cannot be read: {error.strerror or error}")
        return None
    return parse_yaml(text, shown, problems, kind=kind, root=root)


def parse_yaml(
    text: str, shown: str, problems: list[str], *, kind: str, root: str = ""
) -> YamlDocument | None:
    """The document of a YAML file's `text`, or None after adding why not to `problems`; as
    `read_yaml`, for a caller that read the file itself (a collection file, bounded in size)."""
    loader = StrictYamlLoader(text)
    try:
        refused = _anchor_problems(text, shown, kind)
        if refused:
            problems.extend(refused)
            return None
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, None)
        problems.extend(_duplicate_key_problems(loader, node, root, shown))
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        problems.append(f"{shown}: not valid YAML: {error}")
        return None
    finally:
        loader.dispose()
    return YamlDocument(data, node)


def key_lines(node: yaml.Node | None, path: str = "") -> dict[str, int]:
    """The line of every key path under `node` (`items[3].groups[0]` -> 14): a mapping entry's key
    line, a list entry's first line."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = _child_path(path, str(key_node.value))
            lines.setdefault(child, key_node.start_mark.line + 1)
            for key, line in key_lines(value_node, child).items():
                lines.setdefault(key, line)  # a repeated key is refused; its first lines stand
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = f"{path}[{index}]"
            lines[child] = item.start_mark.line + 1
            lines.update(key_lines(item, child))
    return lines


_LAST_PART = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, or of its closest enclosing key that has one (a missing key: its entry)."""
    while path:
        if path in lines:
            return lines[path]
        shorter = _LAST_PART.sub("", path)
        if shorter == path:
            return None
        path = shorter
    return None
