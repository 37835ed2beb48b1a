"""`iamtiers check`, as `make check` runs it: plan on success, clean errors on bad input."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import offline.cli
import offline.operations.check
from offline.running.engine import record
from offline.running.stack_files import load_stack_settings
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
    assert "Stack 'prod' of project 'iamtiers': 30 resources in preview, 30 in update" in result.stdout
    assert "    + aws:iam/role:Role  tier-SOC_Administrator" in result.stdout
    assert "  * iamtiers:index:RoleTier  tier-SOC_Administrator" in result.stdout
    assert '    SOC_Administrator: "arn:aws:iam::222222222222:role/SOC_Administrator"' in result.stdout


def test_bad_stack_config_is_a_clean_error(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    config = stack_config("dev")
    config["iamtiers:users"]["items"][0]["groups"] = ["SOC_Admin"]
    project = project_with_stack(config)
    result = check("--stack", "test", "--project-dir", str(project))
    assert result.returncode == 2
    expected = "iamtiers:users.items[0].groups[0]: unknown group 'SOC_Admin' (did you mean 'SOC_Admins'?)"
    assert expected in result.stderr
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


def test_unexpected_error_is_exit_2_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the traceback, and exit 1, which reads as "a mandatory violation".
    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError("cannot allocate 2147483648 bytes")

    monkeypatch.setattr(offline.operations.check, "run_stack", out_of_memory)
    assert offline.cli.main(["check", "--stack", "dev"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: could not run the check: MemoryError: cannot allocate 2147483648 bytes\n"
    assert captured.out == ""


def test_unexpected_error_logs_its_traceback_at_debug_level(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("registrations")

    monkeypatch.setattr(offline.operations.check, "run_stack", broken)
    with caplog.at_level(logging.DEBUG, logger="offline.cli"):
        assert offline.cli.main(["check", "--stack", "dev"]) == 2
    [record] = [r for r in caplog.records if r.name == "offline.cli"]
    assert record.levelno == logging.DEBUG
    assert record.exc_info is not None and record.exc_info[0] is KeyError


def test_each_run_closes_the_event_loop_it_ran_on() -> None:
    """Left open, a run's loop is collected at its process's exit after its self-pipe may be gone, and
    under load `Exception ignored in: BaseEventLoop.__del__` landed in the check's stderr."""
    loops: list[asyncio.AbstractEventLoop] = []
    settings = load_stack_settings(PROJECT_DIR, "dev")
    for preview in (True, False):
        record(lambda: loops.append(asyncio.get_event_loop()), settings, preview=preview)
    assert len(loops) == 2 and loops[0] is not loops[1]
    assert all(loop.is_closed() for loop in loops)


THREAD_LOOPS_SCRIPT = """
import gc, sys, warnings
from pathlib import Path
warnings.simplefilter("always", ResourceWarning)
from offline.running.engine import run_stack
for preview in (True, False):
    run_stack(Path(sys.argv[1]), "dev", preview=preview)
gc.collect()
"""


def test_no_run_leaves_an_event_loop_for_the_collector() -> None:
    """The mocks answer on executor threads through `_sync_await`, which gives each thread a loop and
    never closes it: a dozen per check, each a chance of `Exception ignored in:
    BaseEventLoop.__del__` at exit. Every one is closed after its run, so the collector finds none."""
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", THREAD_LOOPS_SCRIPT, str(PROJECT_DIR)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "unclosed event loop" not in result.stderr


def test_a_check_prints_nothing_on_stderr() -> None:
    result = check("--stack", "dev")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no `Exception ignored in: BaseEventLoop.__del__`, no traceback
