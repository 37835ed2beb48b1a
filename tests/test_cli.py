"""`python -m offline check`, as `make check` runs it: plan on success, clean errors on bad input."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_DIR, stack_config


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", "check", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_prints_the_plan_in_both_modes() -> None:
    result = check("--stack", "prod")
    assert result.returncode == 0, result.stderr
    assert "Stack 'prod' of project 'iamtiers': 25 resources in preview, 25 in update" in result.stdout
    assert "    + aws:iam/role:Role  tier-SOC_Administrator" in result.stdout
    assert "  * iamtiers:index:RoleTier  tier-SOC_Administrator" in result.stdout
    assert '    SOC_Administrator: "arn:aws:iam::222222222222:role/SOC_Administrator"' in result.stdout


def test_bad_stack_config_is_a_clean_error(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    config = stack_config("dev")
    config["iamtiers:users"]["items"][0]["groups"] = ["SOC_Admin"]
    project = project_with_stack(config)
    result = check("--stack", "test", "--project-dir", str(project))
    assert result.returncode == 2
    assert "users.items[0].groups[0]: unknown group 'SOC_Admin' (did you mean 'SOC_Admins'?)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_stack_file_is_a_clean_error() -> None:
    result = check("--stack", "nosuch")
    assert result.returncode == 2
    assert "Pulumi.nosuch.yaml: file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_yaml_is_a_clean_error(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    project = project_with_stack(stack_config("prod"))
    (project / "Pulumi.test.yaml").write_text("config:\n  iamtiers:account: {id: [\n")
    result = check("--stack", "test", "--project-dir", str(project))
    assert result.returncode == 2
    assert "Pulumi.test.yaml: not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr
