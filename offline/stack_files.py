"""Read Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the CLI hands a program.

A file is refused, never half-read: YAML anchors and aliases, duplicate keys (YAML keeps the last
one silently) and config keys outside the namespaces the program reads are all problems, reported
together, one line each, with the file and line. (Under the real CLI the config arrives as JSON in
PULUMI_CONFIG, and reading the YAML is the CLI's business.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config_keys import config_key_problems, qualified_key

_ANCHOR_FIX = "stack files may not use YAML anchors/aliases; write the values out"


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


class StackFileLoader(yaml.SafeLoader):
    """A SafeLoader for project and stack files: composes nodes (with their line marks) so that
    anchors, aliases and duplicate keys can be refused before any value is constructed."""


def _anchor_problems(text: str, shown: Path) -> list[str]:
    """One line per source line that defines an anchor, uses an alias or a merge key.

    Runs on the event stream, so an alias bomb is refused before anything is expanded.
    """
    found: dict[int, list[str]] = {}
    for event in yaml.parse(text, Loader=StackFileLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            found.setdefault(line, []).append(f"alias '*{event.anchor}'")
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            found.setdefault(line, []).append(f"anchor '&{event.anchor}'")
        elif isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.style is None:
            found.setdefault(line, []).append("merge key '<<'")
    return [
        f"{shown}:{line}: {', '.join(dict.fromkeys(uses))}: {_ANCHOR_FIX}"
        for line, uses in sorted(found.items())
    ]


def _key_text(loader: StackFileLoader, node: yaml.Node) -> str | None:
    """A mapping key as the config's JSON text would spell it (so `1` and "1" collide)."""
    if not isinstance(node, yaml.ScalarNode):
        return None  # complex keys are refused when the document is constructed
    key = loader.construct_object(node)
    return key if isinstance(key, str) else json.dumps(key)


def _duplicate_key_problems(loader: StackFileLoader, node: yaml.Node, path: str, shown: Path) -> list[str]:
    """One line per key that repeats an earlier key of the same mapping, anywhere in the document."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key_text(loader, key_node)
            child = f"{path}.{key}" if path else str(key)
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


@dataclass(frozen=True)
class _YamlFile:
    path: Path
    data: dict[str, Any]
    config_lines: dict[str, int]  # each key under `config:` -> its line
    node: yaml.Node | None = None  # the composed document, with the line of every value


@dataclass(frozen=True)
class StackConfigNodes:
    """A stack file's `config:` as composed YAML nodes, so that a value can be traced to its line."""

    path: Path
    config_line: int  # the line of `config:` (1 when the file has none)
    keys: dict[str, tuple[int, yaml.Node]]  # "namespace:key" -> (line of the key, value node)


def _read_yaml(path: Path, problems: list[str]) -> _YamlFile | None:
    """The file's top-level mapping, or None after adding its problems to `problems`."""
    if not path.is_file():
        problems.append(f"{path}: file not found")
        return None
    text = path.read_text()
    loader = StackFileLoader(text)
    try:
        refused = _anchor_problems(text, path)
        if refused:
            problems.extend(refused)
            return None
        node = loader.get_single_node()
        if node is None:
            return _YamlFile(path, {}, {})
        # Reported, then read on (the last value wins) so that later checks report alongside.
        problems.extend(_duplicate_key_problems(loader, node, "", path))
        loaded = loader.construct_document(node)
    except yaml.YAMLError as error:
        problems.append(f"{path}: not valid YAML: {error}")
        return None
    finally:
        loader.dispose()
    if not isinstance(loaded, dict):
        problems.append(f"{path}: expected a mapping at the top level")
        return None
    return _YamlFile(path, loaded, _config_lines(node, path, problems), node)


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


def _as_config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


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
            config[qualified_key(key, project)] = _as_config_text(declaration["default"])
    for key, value in _config_of(stack_file).items():
        qualified = qualified_key(key, project)
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(
                f"{stack_path}: {key} is encrypted with the stack's secrets provider, which is not "
                "available offline; keep secrets out of the shipped stacks or run the real CLI"
            )
        config[qualified] = _as_config_text(value)
    account = json.loads(config.get(f"{project}:account", "{}") or "{}")
    account_id = str(account.get("id", "000000000000")) if isinstance(account, dict) else "000000000000"
    region = config.get("aws:region", "us-east-1")
    return StackSettings(project, stack, config, account_id, region)


def load_stack_config_nodes(project_dir: Path, stack: str, project: str) -> StackConfigNodes:
    """The `config:` of Pulumi.<stack>.yaml with line marks, keys qualified with `project`.

    Raises `StackFileError` for a file that `load_stack_settings` would refuse.
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
            return StackConfigNodes(file.path, key_node.start_mark.line + 1, keys)
    return StackConfigNodes(file.path, 1, {})
