"""A pack process that dies: the error says so, with its exit code and last stderr lines, never a bare
gRPC status such as UNAVAILABLE."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from offline.judging.analyzer_client import PACK_DIR, PolicyPackError, PolicyPackProcess
from offline.running.engine import Registration

USER = Registration(
    type="aws:iam/user:User",
    name="alice",
    urn="urn:pulumi:test::iamtiers::aws:iam/user:User::alice",
    parent="",
    custom=True,
    inputs={"name": "alice"},
    dependencies=[],
    property_dependencies={},
)

# Serves like a pack, then dies in the middle of the first Analyze, after a last word on stderr.
DIES_IN_ANALYZE = """\
import os
import sys

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def validate(args, report_violation):
    sys.stderr.write("MemoryError: cannot allocate the statement table\\n")
    sys.stderr.flush()
    os._exit(7)


PolicyPack(
    name="dies-in-analyze",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="dies", description="Dies.", validate=validate)],
)
"""
# Prints a port as a pack does, then exits before anything listens on it.
DIES_AFTER_ITS_PORT = """\
import sys

print(1, flush=True)
sys.stderr.write("RuntimeError: the Analyzer service registered no handlers\\n")
sys.exit(5)
"""


def dying_pack(directory: Path, main: str) -> Path:
    """A pack directory whose `__main__.py` is `main` (DIES_IN_ANALYZE or DIES_AFTER_ITS_PORT)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__main__.py").write_text(main)
    return directory


def test_pack_that_dies_during_an_rpc_gives_its_exit_code_and_stderr(tmp_path: Path) -> None:
    pack_dir = dying_pack(tmp_path, DIES_IN_ANALYZE)
    with PolicyPackProcess(pack_dir) as pack, pytest.raises(PolicyPackError) as raised:
        pack.analyze(USER)
    assert str(raised.value) == (
        "the policy pack process exited with code 7 during Analyze; its last stderr lines:\n"
        "  MemoryError: cannot allocate the statement table"
    )


def test_pack_that_exits_after_printing_its_port_says_so_at_once(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError) as raised:
        PolicyPackProcess(dying_pack(tmp_path, DIES_AFTER_ITS_PORT), start_timeout=30)
    assert str(raised.value) == (
        "the policy pack process exited with code 5 after printing port 1; its last stderr lines:\n"
        "  RuntimeError: the Analyzer service registered no handlers"
    )


def test_pack_killed_between_calls_names_the_signal() -> None:
    # The socket closes a moment before the process can be reaped: the client waits for the exit code.
    with PolicyPackProcess(PACK_DIR) as pack:
        pack.info()
        pack._process.send_signal(signal.SIGKILL)  # as the kernel's OOM killer would
        with pytest.raises(PolicyPackError) as raised:
            pack.info()
    message = str(raised.value)
    assert message.startswith(
        "the policy pack process was killed by signal 9 (SIGKILL) during GetAnalyzerInfo; "
    )
    assert "UNAVAILABLE" not in message
