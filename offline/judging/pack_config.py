"""The pack config a check hands to `Configure`: the `--policy-pack-config` JSON, or the pack's own
`config/<stack>.json` when none is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class PackConfigError(Exception):
    """A pack config file that cannot be used; the message names the file."""


def default_pack_config(policy_pack: Path, stack: str) -> Path | None:
    """The pack's own config for the stack (`<pack>/config/<stack>.json`), when it has one."""
    path = policy_pack / "config" / f"{stack}.json"
    return path if path.is_file() else None


def load_pack_config(path: Path) -> dict[str, Any]:
    """Read a `--policy-pack-config` JSON document; raise `PackConfigError` naming the file."""
    if not path.is_file():
        raise PackConfigError(f"pack config {path}: file not found")
    text = path.read_text()
    if not text.strip():
        return {}  # the CLI accepts an empty file as "no config"
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise PackConfigError(f"pack config {path}: not valid JSON: {error}") from None
    if not isinstance(loaded, dict):
        raise PackConfigError(f"pack config {path}: expected a JSON object of policy name -> config")
    return loaded
