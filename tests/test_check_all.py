"""`make check-all`: every stack checked in parallel processes, one summary, the worst exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from offline.operations.check_all import StackOutcome, first_problem, shipped_stacks, worst_exit

PROJECT_DIR = Path(__file__).resolve().parent.parent


def outcome(stack: str, exit_code: int) -> StackOutcome:
    return StackOutcome(stack, exit_code, 1.0, 0 if exit_code < 2 else None, 0, "")


def test_the_worst_exit_code_wins() -> None:
    assert worst_exit([outcome("a", 0), outcome("b", 1)]) == 1
    assert worst_exit([outcome("a", 1), outcome("b", 2), outcome("c", 0)]) == 2
    assert worst_exit([outcome("a", 0), outcome("b", -9)]) == 2  # a crashed check could not run
    assert worst_exit([outcome("a", 0)]) == 0


def test_every_stack_file_is_a_stack() -> None:
    assert {"dev", "prod"} <= set(shipped_stacks(PROJECT_DIR))


def test_a_broken_stack_makes_the_whole_run_exit_2_and_is_named(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.prod.yaml"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    shutil.copytree(PROJECT_DIR / "components", tmp_path / "components")
    (tmp_path / "Pulumi.broken.yaml").write_text(
        'config:\n  aws:region: eu-west-1\n  iamtiers:users:\n    items:\n      - name: "a b"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "offline", "check-all", "--project-dir", str(tmp_path), "--jobs", "2"],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Checked 2 stack(s) in ")
    broken = next(line for line in lines if line.strip().startswith("broken"))
    assert "exit 2" in broken
    # The cause, not the closing "Fix Pulumi.broken.yaml and run again.".
    assert broken.endswith(
        "could not run: stack 'broken': stack config has 2 problem(s): iamtiers:account: required key "
        "is missing (and 1 more)"
    ), broken
    prod = next(line for line in lines if line.strip().startswith("prod"))
    assert "exit 0" in prod and "0 mandatory" in prod


def test_a_broken_stacks_row_shows_its_first_problem() -> None:
    stderr = (
        "error: stack 'x': stack config has 2 problem(s):\n"
        "  - iamtiers:users.items[0].name: 'a b' is not a valid IAM user name\n"
        "  - iamtiers:groups.items[1].name: required\n"
        "Fix Pulumi.x.yaml and run again.\n"
    )
    assert first_problem(stderr) == (
        "stack 'x': stack config has 2 problem(s): iamtiers:users.items[0].name: 'a b' is not a valid "
        "IAM user name (and 1 more)"
    )
    assert first_problem("error: pack config a.json: bad\nerror: pack config a.json: worse\n") == (
        "pack config a.json: bad"
    )
    assert first_problem("Segmentation fault\n") == "Segmentation fault"
    assert first_problem("") == "(no message)"
