"""Collection files: `iamtiers:users: {file: people/dev-users.yaml}` instead of `{defaults, items}`.

A large collection lives in a YAML file of its own, so that the stack config the CLI passes in one
environment variable stays small (components/config_variable.py), and editing a person is a change
to one line of that file. The file holds the same `{defaults, items}` the key would, and the same
model validates it; its path is relative to the project directory and must stay inside it.

Every problem names the file (and line, when one holds it) and the key, one line each:
`people/dev-users.yaml:14: iamtiers:users.items[3].name: ...`. Problems with the reference itself
name the key: `iamtiers:users.file: 'people/x.yaml' not found in the project directory; ...`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from components.config.fields import CollectionFile, ConfigError
from components.config_variable import COLLECTION_KEYS, FILE_KEY, collection_file_reference
from components.yaml_files import key_lines, read_yaml

COLLECTION_FILE_KEYS = ("defaults", "items")
YAML_SUFFIXES = (".yaml", ".yml")
FILE_KIND = "collection files"  # how anchor refusals name them


class CollectionFileError(ConfigError):
    """Collection files that cannot be read; `problems` holds one line per defect."""


@dataclass(frozen=True)
class CollectionFileContents:
    """A collection file read and checked: where it is, its `{defaults, items}`, its composed node."""

    file: CollectionFile
    path: Path
    data: dict[str, Any]
    node: yaml.Node


def _example(key: str) -> str:
    return f"people/<stack>-{key.replace('_', '-')}.yaml"


def _resolve(qualified: str, value: Mapping[str, Any], project_dir: Path) -> tuple[str, Path]:
    """The file a reference names (as shown, and resolved); raises `CollectionFileError` naming the key."""
    others = sorted(str(key) for key in value if key != FILE_KEY)
    if others:
        raise CollectionFileError(
            [
                f"{qualified}: 'file' cannot be combined with {', '.join(repr(k) for k in others)}; keep "
                f"{{defaults, items}} in the file and only 'file' under {qualified}"
            ]
        )
    written = value[FILE_KEY]
    key = f"{qualified}.{FILE_KEY}"
    key_name = qualified.partition(":")[2]
    if not isinstance(written, str) or not written.strip():
        raise CollectionFileError(
            [f"{key}: expected a path relative to the project directory, such as {_example(key_name)}"]
        )
    relative = PurePosixPath(written.strip())
    if relative.is_absolute():
        raise CollectionFileError(
            [f"{key}: '{written}' is absolute; give it from the project directory ({_example(key_name)})"]
        )
    if relative.suffix.lower() not in YAML_SUFFIXES:
        raise CollectionFileError([f"{key}: '{written}' is not a YAML file; name it .yaml or .yml"])
    root = project_dir.resolve()
    path = (root / relative).resolve()  # symlinks followed: what is read must lie in the project too
    if not path.is_relative_to(root):
        raise CollectionFileError(
            [f"{key}: '{written}' is outside the project directory; keep collection files in the project"]
        )
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "not found in the project directory"
        raise CollectionFileError([f"{key}: '{written}' {what} ({root}); create it or fix the path"])
    return path.relative_to(root).as_posix(), path


def read_collection_file(
    qualified: str, value: Mapping[str, Any], project_dir: Path
) -> CollectionFileContents:
    """Read the collection file `value` names for the config key `qualified` (`iamtiers:users`).

    Refused, with every problem, one line each: a bad reference, a missing or unreadable file, YAML
    that does not parse, anchors/aliases, duplicate keys, and a top level other than `{defaults?,
    items}`. Raises `CollectionFileError`.
    """
    shown, path = _resolve(qualified, value, project_dir)
    problems: list[str] = []
    document = read_yaml(path, shown, problems, kind=FILE_KIND, root=qualified)
    if document is None or problems:
        raise CollectionFileError(problems)
    data, node = document.data, document.node
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise CollectionFileError(
            [f"{shown}: {qualified}: expected a mapping of 'defaults' and 'items' at the top, found {found}"]
        )
    lines = key_lines(node)
    for extra in sorted(str(key) for key in data if key not in COLLECTION_FILE_KEYS):
        close = difflib.get_close_matches(extra, COLLECTION_FILE_KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        where = f"{shown}:{lines[extra]}" if extra in lines else shown
        problems.append(
            f"{where}: {qualified}.{extra}: unknown key{hint}; a collection file holds 'defaults' and 'items'"
        )
    if "items" not in data:
        problems.append(f"{shown}: {qualified}.items: required key is missing; list the entries under it")
    if problems:
        raise CollectionFileError(problems)
    return CollectionFileContents(CollectionFile(shown, lines), path, data, node)


def collection_files_contents(
    raw: Mapping[str, Any], project_dir: Path, namespace: str
) -> dict[str, CollectionFileContents]:
    """Each collection key of `raw` (the project's keys, without namespace) that names a collection
    file -> what the file holds.

    Raises `CollectionFileError` listing the problems of every file at once.
    """
    found: dict[str, CollectionFileContents] = {}
    problems: list[str] = []
    for key in COLLECTION_KEYS:
        if not collection_file_reference(raw.get(key)):
            continue
        try:
            found[key] = read_collection_file(f"{namespace}:{key}", raw[key], project_dir)
        except CollectionFileError as error:
            problems += error.problems
    if problems:
        raise CollectionFileError(problems)
    return found


def read_collection_files(
    raw: Mapping[str, Any], project_dir: Path, namespace: str
) -> tuple[dict[str, Any], dict[str, CollectionFile]]:
    """`raw` with each `{file: ...}` collection replaced by the file's `{defaults, items}`, and the
    file each came from; raises `CollectionFileError` as `collection_files_contents` does."""
    found = collection_files_contents(raw, project_dir, namespace)
    resolved = {**raw, **{key: contents.data for key, contents in found.items()}}
    return resolved, {key: contents.file for key, contents in found.items()}
