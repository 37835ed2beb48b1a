"""Read this project's keys from the stack config and hand them to the pure config model."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.config import ConfigError, StackConfig, parse_stack_config
from components.config_keys import config_key_problems


def _project_config() -> dict[str, Any]:
    """Every `<project>:<key>` value, objects decoded, so that unknown keys can be reported too.

    A key in a misspelt namespace (`iamtier:users`) is an error: the CLI passes it on as another
    namespace's, and the program would never read it.
    """
    project = pulumi.get_project()
    # The SDK has no public listing of keys; the CLI passes them in these two places.
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
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


def load_stack_config() -> StackConfig:
    """The validated stack config, or a clean stop listing each problem (no traceback)."""
    try:
        return parse_stack_config(_project_config())
    except ConfigError as error:
        raise pulumi.RunError(f"{error}\nFix Pulumi.{pulumi.get_stack()}.yaml and run again.") from None
