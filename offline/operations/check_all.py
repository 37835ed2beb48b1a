"""Check every stack of the project at once: one `iamtiers check` process per stack (started as
`python -m offline check`), run in parallel, one summary, and the worst exit code (2 could not run
> 1 mandatory violation > 0 clean).

Stacks are independent (one per account), so they spread over processes here and over runners in CI
(the workflows' stack matrix); each process is the same check `make check STACK=...` runs.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

STACK_FILE_PREFIX = "Pulumi."
SEVERITY_OF_EXIT = {0: 0, 1: 1}  # anything else counts as "could not run" (2)


@dataclass(frozen=True)
class StackOutcome:
    stack: str
    exit_code: int
    seconds: float
    mandatory: int | None  # None when the check could not run
    advisory: int | None
    error: str


def shipped_stacks(project_dir: Path) -> list[str]:
    """Every `Pulumi.<stack>.yaml` beside `Pulumi.yaml`."""
    return sorted(
        path.name.removeprefix(STACK_FILE_PREFIX).removesuffix(".yaml")
        for path in project_dir.glob("Pulumi.*.yaml")
    )


def first_problem(stderr: str) -> str:
    """The first problem a check that could not run printed: its first `error:` line, and when that
    line heads a list (`stack config has 3 problem(s):`), the list's first entry too; the last line
    (`Fix Pulumi.X.yaml and run again.`) names the file but not the cause."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.startswith("error: ")), None)
    if start is None:  # no error line (a crash): the last line is all there is
        return lines[-1].strip() if lines else "(no message)"
    first = lines[start].removeprefix("error: ")
    listed = itertools.takewhile(lambda line: line.startswith("  - "), lines[start + 1 :])
    entries = [line.removeprefix("  - ") for line in listed]
    if first.endswith(":") and entries:
        more = f" (and {len(entries) - 1} more)" if len(entries) > 1 else ""
        return f"{first} {entries[0]}{more}"
    return first


def _check(stack: str, project_dir: Path, pack_dir: Path | None) -> StackOutcome:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "offline",
            "check",
            "--stack",
            stack,
            "--project-dir",
            str(project_dir),
        ]
        if pack_dir is not None:
            command += ["--policy-pack", str(pack_dir)]
        command += ["--format", "json", "--output", str(report)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if not report.is_file():
            return StackOutcome(stack, done.returncode, seconds, None, None, first_problem(done.stderr))
        modes = json.loads(report.read_text())["modes"].values()
        mandatory = max(mode["counts"]["mandatory"] for mode in modes)
        advisory = max(mode["counts"]["advisory"] for mode in modes)
        return StackOutcome(stack, done.returncode, seconds, mandatory, advisory, "")


def worst_exit(outcomes: list[StackOutcome]) -> int:
    return max((SEVERITY_OF_EXIT.get(o.exit_code, 2) for o in outcomes), default=0)


def render_summary(outcomes: list[StackOutcome], wall_seconds: float, workers: int) -> str:
    lines = [f"Checked {len(outcomes)} stack(s) in {wall_seconds:.1f} s with {workers} parallel process(es):"]
    for o in outcomes:
        if o.mandatory is None:
            verdict = f"could not run: {o.error}"
        else:
            verdict = f"{o.mandatory} mandatory, {o.advisory} advisory"
        lines.append(f"  {o.stack:<20} exit {o.exit_code}  {o.seconds:6.1f} s  {verdict}")
    return "\n".join(lines)


def check_all(project_dir: Path, stacks: list[str], pack_dir: Path | None, workers: int) -> int:
    """Run every stack's check in parallel, print the summary, return the worst exit code."""
    if not stacks:
        print(f"error: no Pulumi.<stack>.yaml in {project_dir}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    # Threads only wait on the child processes, which do the work.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda stack: _check(stack, project_dir, pack_dir), stacks))
    print(render_summary(outcomes, time.perf_counter() - started, workers))
    return worst_exit(outcomes)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
