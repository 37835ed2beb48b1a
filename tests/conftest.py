"""Shared fixtures: each shipped stack runs once per session in each mode."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.running.engine import StackRun, record, run_stack
from offline.running.stack_files import StackSettings

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHIPPED_STACKS = ("dev", "prod", "mgmt")
# The stacks the workflows preview and deploy with their GitHub tiers; `mgmt` is checked in every pull
# request but deployed by the organization's administrators (README, CI).
CI_DEPLOYED_STACKS = ("dev", "prod")

_runs: dict[tuple[str, bool], StackRun] = {}


def stack_run(stack: str, *, preview: bool) -> StackRun:
    """The recorded run of a shipped stack, computed once per session."""
    key = (stack, preview)
    if key not in _runs:
        _runs[key] = run_stack(PROJECT_DIR, stack, preview=preview)
    return _runs[key]


@pytest.fixture(scope="session")
def dev_preview() -> StackRun:
    return stack_run("dev", preview=True)


@pytest.fixture(scope="session")
def dev_update() -> StackRun:
    return stack_run("dev", preview=False)


@pytest.fixture(scope="session")
def prod_preview() -> StackRun:
    return stack_run("prod", preview=True)


@pytest.fixture(scope="session")
def prod_update() -> StackRun:
    return stack_run("prod", preview=False)


@pytest.fixture(params=[True, False], ids=["preview", "update"])
def dev_run(request: pytest.FixtureRequest) -> StackRun:
    return stack_run("dev", preview=request.param)


@pytest.fixture(
    params=[(s, p) for s in SHIPPED_STACKS for p in (True, False)],
    ids=[f"{s}-{m}" for s in SHIPPED_STACKS for m in ("preview", "update")],
)
def shipped_run(request: pytest.FixtureRequest) -> StackRun:
    stack, preview = request.param
    return stack_run(stack, preview=preview)


def stack_config(stack: str) -> dict[str, Any]:
    """The `config:` mapping of a shipped stack file, as a fresh mutable copy."""
    loaded = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    return dict(loaded["config"])


@pytest.fixture
def project_with_stack(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a project dir whose `test` stack holds the given config; the program is the real one."""

    def make(config: dict[str, Any]) -> Path:
        (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
        (tmp_path / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": config}))
        main = tmp_path / "__main__.py"
        if not main.exists():
            main.symlink_to(PROJECT_DIR / "__main__.py")
        return tmp_path

    return make


def component_settings(account_id: str = "111111111111") -> StackSettings:
    config = {"iamtiers:account": json.dumps({"id": account_id, "alias": "acme-test"})}
    return StackSettings("iamtiers", "test", config, account_id, "eu-west-1")


@pytest.fixture
def record_component() -> Iterator[Callable[..., StackRun]]:
    """Run a function that builds components under the mocks and return what it registered."""

    def run(build: Callable[[], None], *, preview: bool = False) -> StackRun:
        return record(build, component_settings(), preview=preview)

    yield run


def policy(registration_inputs: dict[str, Any], key: str = "policy") -> dict[str, Any]:
    """Parse a JSON policy input of a recorded registration."""
    value = registration_inputs[key]
    assert isinstance(value, str), f"{key} is not known: {value!r}"
    parsed: dict[str, Any] = json.loads(value)
    return parsed
