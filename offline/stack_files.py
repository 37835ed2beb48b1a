"""Read Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the CLI hands a program."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class StackFileError(Exception):
    """A project or stack file that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    config: dict[str, str]  # "namespace:key" -> value, objects as JSON text (as the CLI passes them)
    account_id: str
    region: str


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StackFileError(f"{path}: file not found")
    try:
        loaded = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(loaded, dict):
        raise StackFileError(f"{path}: expected a mapping at the top level")
    return loaded


def _as_config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _qualified(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_stack_settings(project_dir: Path, stack: str) -> StackSettings:
    """Merge project-level defaults with the stack file, the way `pulumi config` resolves them."""
    project_file = _read_yaml(project_dir / "Pulumi.yaml")
    project = str(project_file.get("name", ""))
    if not project:
        raise StackFileError(f"{project_dir / 'Pulumi.yaml'}: 'name' is missing")
    config: dict[str, str] = {}
    for key, declaration in (project_file.get("config") or {}).items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualified(key, project)] = _as_config_text(declaration["default"])
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    stack_file = _read_yaml(stack_path)
    for key, value in (stack_file.get("config") or {}).items():
        qualified = _qualified(key, project)
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
