"""Read Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the CLI hands a program.

A file is refused, never half-read: YAML anchors and aliases, duplicate keys (YAML keeps the last
one silently) and config keys outside the namespaces the program reads are all problems, reported
together, one line each, with the file and line (components/yaml_files.py, which the program's
config loader uses for collection files too). Values are the text the CLI would pass
(components/config_variable.py). Under the real CLI the config arrives as JSON in PULUMI_CONFIG,
and reading the stack file is the CLI's business; collection files are the program's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.config_files import CollectionFileError, collection_files_contents
from components.config_keys import config_key_problems, qualified_key
from components.config_variable import config_value_text
from components.yaml_files import StrictYamlLoader, read_yaml

StackFileLoader = StrictYamlLoader  # the reader of project and stack files (components/yaml_files.py)


class StackFileError(Exception):
    """Project or stack files that cannot be read; `problems` holds one line per defect, naming the
    file (and line) and the fix."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            listing = "\n".join(f"  - {problem}" for problem in self.problems)
            message = f"{len(self.problems)} problems in the project and stack files:\n{listing}"
        super().__init__(message)


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    config: dict[str, str]  # "namespace:key" -> value, objects as JSON text (as the CLI passes them)
    account_id: str
    region: str
    project_dir: Path | None = None  # where collection files are read from (None: the working directory)


@dataclass(frozen=True)
class _YamlFile:
    path: Path
    data: dict[str, Any]
    config_lines: dict[str, int]  # each key under `config:` -> its line
    node: yaml.Node | None = None  # the composed document, with the line of every value


@dataclass(frozen=True)
class StackConfigNodes:
    """A stack file's `config:` as composed YAML nodes, so that a value can be traced to its line.

    A collection kept in a collection file (`iamtiers:users: {file: ...}`) is traced into that file:
    its node is the file's document, and `files` names the file.
    """

    path: Path
    config_line: int  # the line of `config:` (1 when the file has none)
    keys: dict[str, tuple[int, yaml.Node]]  # "namespace:key" -> (line of the key, value node)
    files: dict[str, Path] = field(default_factory=dict)  # "namespace:key" -> its collection file

    def file_of(self, key: str) -> Path:
        """The file that holds the value of `key`."""
        return self.files.get(key, self.path)


def _read_yaml(path: Path, problems: list[str]) -> _YamlFile | None:
    """The file's top-level mapping, or None after adding its problems to `problems`."""
    document = read_yaml(path, str(path), problems, kind="stack files")
    if document is None:
        return None
    if document.node is None:
        return _YamlFile(path, {}, {})
    if not isinstance(document.data, dict):
        problems.append(f"{path}: expected a mapping at the top level")
        return None
    return _YamlFile(path, document.data, _config_lines(document.node, path, problems), document.node)


def _config_lines(document: yaml.Node, path: Path, problems: list[str]) -> dict[str, int]:
    """The line of each key under `config:`; a `config:` that is not a mapping is a problem."""
    for key_node, value_node in document.value:
        if key_node.value != "config" or value_node.tag == "tag:yaml.org,2002:null":
            continue
        if not isinstance(value_node, yaml.MappingNode):
            line = value_node.start_mark.line + 1
            problems.append(f"{path}:{line}: 'config' must be a mapping of 'namespace:key' to value")
            return {}
        return {str(key.value): key.start_mark.line + 1 for key, _ in value_node.value}
    return {}


def _config_of(file: _YamlFile) -> dict[str, Any]:
    config = file.data.get("config")
    return config if isinstance(config, dict) else {}


def load_stack_settings(project_dir: Path, stack: str) -> StackSettings:
    """Merge project-level defaults with the stack file, the way `pulumi config` resolves them.

    Raises `StackFileError` listing every problem in both files.
    """
    problems: list[str] = []
    project_path = project_dir / "Pulumi.yaml"
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    project_file = _read_yaml(project_path, problems)
    stack_file = _read_yaml(stack_path, problems)
    if project_file is None or stack_file is None:
        raise StackFileError(problems)
    project = str(project_file.data.get("name", ""))
    if not project:
        raise StackFileError([*problems, f"{project_path}: 'name' is missing"])
    declarations = _config_of(project_file)
    declared = {qualified_key(str(key), project) for key in declarations}
    # Declarations are judged on their namespace only; stack keys must also be declared.
    for file, known in ((project_file, set()), (stack_file, declared)):
        for key, problem in config_key_problems(map(str, _config_of(file)), project, known):
            line = file.config_lines.get(key)
            where = f"{file.path}:{line}" if line else str(file.path)
            problems.append(f"{where}: config key '{key}': {problem}")
    if problems:
        raise StackFileError(problems)
    config: dict[str, str] = {}
    for key, declaration in declarations.items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[qualified_key(key, project)] = config_value_text(declaration["default"])
    for key, value in _config_of(stack_file).items():
        qualified = qualified_key(key, project)
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(
                f"{stack_path}: {key} is encrypted with the stack's secrets provider, which is not "
                "available offline; keep secrets out of the shipped stacks or run the real CLI"
            )
        config[qualified] = config_value_text(value)
    account = json.loads(config.get(f"{project}:account", "{}") or "{}")
    account_id = str(account.get("id", "000000000000")) if isinstance(account, dict) else "000000000000"
    region = config.get("aws:region", "us-east-1")
    return StackSettings(project, stack, config, account_id, region, project_dir)


def load_stack_config_nodes(project_dir: Path, stack: str, project: str) -> StackConfigNodes:
    """The `config:` of Pulumi.<stack>.yaml with line marks, keys qualified with `project`, and the
    collection files its keys name, read with the same checks as the program's config loader.

    Raises `StackFileError` for a file that `load_stack_settings` or the config loader would refuse.
    """
    problems: list[str] = []
    file = _read_yaml(project_dir / f"Pulumi.{stack}.yaml", problems)
    if file is None or problems:
        raise StackFileError(problems)
    document = file.node
    for key_node, value_node in document.value if isinstance(document, yaml.MappingNode) else []:
        if key_node.value == "config":
            keys = {
                qualified_key(str(key.value), project): (key.start_mark.line + 1, value)
                for key, value in (value_node.value if isinstance(value_node, yaml.MappingNode) else [])
            }
            files = _collection_files(file.data.get("config") or {}, project_dir, project)
            for key, (_, node) in files.items():
                keys[key] = (keys[key][0], node)
            paths = {key: path for key, (path, _) in files.items()}
            return StackConfigNodes(file.path, key_node.start_mark.line + 1, keys, paths)
    return StackConfigNodes(file.path, 1, {})


def _collection_files(
    config: dict[str, Any], project_dir: Path, project: str
) -> dict[str, tuple[Path, yaml.Node]]:
    """Each collection key that names a collection file -> (the file, its composed document)."""
    own: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, name = qualified_key(str(key), project).partition(":")
        if namespace == project:
            own[name] = value
    try:
        found = collection_files_contents(own, project_dir, project)
    except CollectionFileError as error:
        raise StackFileError(error.problems) from None
    return {f"{project}:{key}": (contents.path, contents.node) for key, contents in found.items()}
