"""Read this project's keys from the stack config and hand them to the pure config model.

A collection key may name a collection file (`iamtiers:users: {file: people/dev-users.yaml}`,
components/config_files.py); it is read here, relative to the project directory, with the same
checks the offline check applies to stack files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.config.fields import ConfigError
from components.config.parse import parse_stack_config
from components.config.stack import StackConfig
from components.config_files import YAML_SUFFIXES, read_collection_files
from components.config_keys import config_key_problems
from components.config_variable import config_size_problem

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


def _given_config() -> dict[str, Any]:
    """Every config key the program was given, "namespace:key" -> value text."""
    # The SDK has no public listing of keys; the CLI passes them in these two places.
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def _project_config(merged: dict[str, Any]) -> dict[str, Any]:
    """Every `<project>:<key>` value, objects decoded, so that unknown keys can be reported too.

    A key in a misspelt namespace (`iamtier:users`) is an error: the CLI passes it on as another
    namespace's, and the program would never read it.
    """
    project = pulumi.get_project()
    # The CLI already refuses undeclared keys in the project's namespace; misspelt namespaces pass it.
    misspelt = config_key_problems(merged, project, declared=set())
    if misspelt:
        raise ConfigError([f"{key}: {problem}" for key, problem in misspelt])
    raw: dict[str, Any] = {}
    for qualified, text in merged.items():
        namespace, _, key = qualified.partition(":")
        if namespace != project:
            continue
        try:
            raw[key] = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            raw[key] = text  # a plain string value
    return raw


def project_directory() -> Path:
    """Where Pulumi.yaml is: the SDK's root directory when the CLI gives one, else the working
    directory (the CLI runs the program from the project directory)."""
    root = pulumi.get_root_directory()
    if root and any((Path(root) / name).is_file() for name in PROJECT_FILES):
        return Path(root)
    return Path.cwd()


def _files_to_fix(error: ConfigError, stack_file: str) -> str:
    """The files the problems are in: a collection file's problems start with its path."""
    named = [problem.split(":", 1)[0] for problem in error.problems]
    files = [name for name in dict.fromkeys(named) if name.endswith(YAML_SUFFIXES)]
    in_stack_file = len(files) < len(set(named)) or not files
    return " and ".join([*([stack_file] if in_stack_file else []), *files])


def load_stack_config() -> StackConfig:
    """The validated stack config, or a clean stop listing each problem (no traceback).

    Stops first when the config is too large for the CLI to hand to a process much longer
    (components/config_variable.py): the message gives the size, the limit and the fix.
    """
    merged = _given_config()
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    too_large = config_size_problem(merged, pulumi.get_project(), pulumi.get_stack())
    if too_large:
        raise pulumi.RunError(too_large)
    try:
        raw = _project_config(merged)
        raw, files = read_collection_files(raw, project_directory(), pulumi.get_project())
        return parse_stack_config(raw, files=files)
    except ConfigError as error:
        raise pulumi.RunError(f"{error}\nFix {_files_to_fix(error, stack_file)} and run again.") from None
