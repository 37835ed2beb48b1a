"""Collection files: `iamtiers:users: {file: people/dev-users.yaml}` instead of `{defaults, items}`.

A large collection lives in a YAML file of its own, so that the stack config the CLI passes in one
environment variable stays small (components/config_variable.py), and editing a person is a change
to one line of that file. The file holds the same `{defaults, items}` the key would, and the same
model validates it; its path is relative to the project directory and must stay inside it, and it
must be a regular file of at most `MAX_FILE_BYTES`, checked before a byte is read.

Every problem names the file (and line, when one holds it) and the key, one line each:
`people/dev-users.yaml:14: iamtiers:users.items[3].name: ...`. Problems with the reference itself
name the key: `iamtiers:users.file: 'people/x.yaml' not found in the project directory; ...`, and so
do those of the file as a file (a directory, a FIFO, a symlink loop, too big, unreadable, not UTF-8).
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from components.config.fields import CollectionFile, ConfigError
from components.config_variable import COLLECTION_KEYS, FILE_KEY, collection_file_reference
from components.yaml_files import key_lines, parse_yaml

COLLECTION_FILE_KEYS = ("defaults", "items")
YAML_SUFFIXES = (".yaml", ".yml")
FILE_KIND = "collection files"  # how anchor refusals name them
# Checked before parsing: YAML of 10 MB takes seconds to compose, and its nodes take far more memory;
# the largest shipped collection (5,000 generated people) is about 0.5 MB.
MAX_FILE_BYTES = 10_000_000
PATH_MAX, NAME_MAX = 4095, 255  # Linux's longest path and file name, in bytes
SHOWN_PATH = 120  # a message shows at most this much of a path


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
    if "\0" in written:
        raise CollectionFileError(
            [f"{key}: '{_printable(written)}' holds a NUL byte, which no file name can; fix the path"]
        )
    if len(written.strip().encode()) > PATH_MAX or any(
        len(part.encode()) > NAME_MAX for part in written.strip().split("/")
    ):
        raise CollectionFileError(
            [
                f"{key}: '{_printable(written)}' is too long ({len(written.strip())} characters; a file name "
                f"holds at most {NAME_MAX} bytes, a path {PATH_MAX}); fix the path"
            ]
        )
    relative = PurePosixPath(written.strip())
    if relative.is_absolute():
        raise CollectionFileError(
            [f"{key}: '{written}' is absolute; give it from the project directory ({_example(key_name)})"]
        )
    if relative.suffix.lower() not in YAML_SUFFIXES:
        raise CollectionFileError([f"{key}: '{written}' is not a YAML file; name it .yaml or .yml"])
    root = project_dir.resolve()
    try:
        path = (root / relative).resolve()  # symlinks followed: what is read must lie in the project too
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        raise CollectionFileError([f"{key}: '{written}' {_os_problem(error)}"]) from None
    if not path.is_relative_to(root):
        raise CollectionFileError(
            [f"{key}: '{written}' is outside the project directory; keep collection files in the project"]
        )
    return path.relative_to(root).as_posix(), path


def _printable(written: str) -> str:
    """A path as a message can show it: control characters escaped, a long one cut short."""
    text = written.encode("unicode_escape").decode("ascii") if not written.isprintable() else written
    return text if len(text) <= SHOWN_PATH else f"{text[: SHOWN_PATH - 3]}..."


def _os_problem(error: OSError | RuntimeError) -> str:
    """What an error of stat/open/resolve says of a collection file, with the fix."""
    code = error.errno if isinstance(error, OSError) else errno.ELOOP
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "not found in the project directory; create it or fix the path"
    if code == errno.ELOOP:
        return "is a symlink loop (a link that leads back to itself); point it at a YAML file"
    if code == errno.ENAMETOOLONG:
        return "is too long for a path; fix the path"
    if code in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied; make it readable (chmod a+r) or fix the path"
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"cannot be read: {reason}; fix the path or the file"


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def _read_text(key: str, shown: str, path: Path, max_bytes: int) -> str:
    """The text of a collection file, its kind and size checked before a byte is read (a FIFO would
    block, a device or a huge file never end); raises `CollectionFileError` naming `key`."""
    too_big = (
        f"{key}: '{shown}' is over {_size(max_bytes)}, the most a collection file may hold; a file that "
        "large is not a hand-kept collection (5,000 people take about 0.5 MB): check that the path "
        "names the right file"
    )
    try:
        found = os.stat(path)
        if stat.S_ISDIR(found.st_mode):
            raise CollectionFileError([f"{key}: '{shown}' is a directory, not a file; fix the path"])
        if not stat.S_ISREG(found.st_mode):
            what = "is not a regular file (a FIFO, socket or device)"
            raise CollectionFileError([f"{key}: '{shown}' {what}; point it at a YAML file"])
        if found.st_size > max_bytes:
            raise CollectionFileError([too_big])
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # bounded: the file may have grown since
    except OSError as error:
        raise CollectionFileError([f"{key}: '{shown}' {_os_problem(error)}"]) from None
    if len(data) > max_bytes:
        raise CollectionFileError([too_big])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CollectionFileError(
            [f"{key}: '{shown}' is not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8"]
        ) from None


def read_collection_file(
    qualified: str, value: Mapping[str, Any], project_dir: Path, *, max_bytes: int = MAX_FILE_BYTES
) -> CollectionFileContents:
    """Read the collection file `value` names for the config key `qualified` (`iamtiers:users`).

    Refused, with every problem, one line each: a bad reference, a missing or unreadable file, one
    that is not a regular file or is over `max_bytes` (both before it is read), YAML
    that does not parse, anchors/aliases, duplicate keys, and a top level other than `{defaults?,
    items}`. Raises `CollectionFileError`.
    """
    shown, path = _resolve(qualified, value, project_dir)
    text = _read_text(f"{qualified}.{FILE_KEY}", shown, path, max_bytes)
    problems: list[str] = []
    document = parse_yaml(text, shown, problems, kind=FILE_KIND, root=qualified)
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
    raw: Mapping[str, Any], project_dir: Path, namespace: str, *, max_bytes: int = MAX_FILE_BYTES
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
            found[key] = read_collection_file(
                f"{namespace}:{key}", raw[key], project_dir, max_bytes=max_bytes
            )
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
