"""Request evaluation: our evaluator's decisions per second in-process, beside the independent
simulator's (@cloud-copilot/iam-simulate, node) measured in the same run, and the time `iamtiers can`
and `iamtiers who-can` take after the update-mode run, for dev and for a generated 1,000-person stack.

Ours runs over (1) every request the shipped stacks' access tests and a fixed set of questions make of
every user, group and tier of dev and prod, and (2) the simulator's own generated cases from
tests/data/simulator/answers.json.gz, so that both implementations are timed on the same requests.
The simulator runs through scripts/simulator/bench.mjs when node is on PATH (`npm ci` first when
its node_modules are missing); without node its figure is reported as missing, never guessed.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.generate_stack import write_project
from offline.judging.access_tests import read_access_tests
from offline.judging.principals import Subjects, subjects_of
from offline.judging.requests import caller_context, request_time, who_can
from offline.running.engine import run_stack
from offline.running.stack_files import load_stack_settings
from scripts.simulator_cases.replay import evaluation_call, load_recorded

# isort: split
from iam_guard.request_evaluation import (
    Request,
    evaluate_request,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
SIMULATOR_DIR = PROJECT_DIR / "scripts" / "simulator"
TARGET_EVALUATIONS_PER_SECOND = 100_000
TARGET_QUESTION_SECONDS = {"dev": 1.0, "1000 people": 2.0}
MIN_SECONDS = 1.0  # each timed loop runs at least this long
QUESTIONS = (
    ("s3:GetObject", "arn:aws:s3:::lab-datasets/reports/q3.csv"),
    ("s3:PutObject", "arn:aws:s3:::lab-datasets/runs/out.parquet"),
    ("s3:ListAllMyBuckets", "*"),
    ("ec2:RunInstances", "arn:aws:ec2:eu-west-1:111111111111:instance/*"),
    ("ec2:TerminateInstances", "arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0"),
    ("iam:CreateUser", "arn:aws:iam::111111111111:user/lab/intruder"),
    ("iam:PassRole", "arn:aws:iam::111111111111:role/SOC_Administrator"),
    ("cloudwatch:PutMetricData", "*"),
)


def _rate(calls: list[Callable[[], object]]) -> float:
    """Calls per second over whole passes of `calls`, after one warm-up pass."""
    for call in calls:
        call()
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < MIN_SECONDS:
        for call in calls:
            call()
        done += len(calls)
    return done / elapsed


def _stack_calls(subjects: Subjects, tests_config: dict[str, str]) -> list[Callable[[], object]]:
    when = request_time()
    calls: list[Callable[[], object]] = []
    asked = [
        (test.principal, test.action, test.resource, test.mfa) for test in read_access_tests(tests_config)
    ]
    asked += [
        (reference, action, resource, mfa)
        for reference in subjects.by_reference
        for action, resource in QUESTIONS
        for mfa in (True, False)
    ]
    for reference, action, resource, mfa in asked:
        subject = subjects.by_reference[reference]
        request = Request(action, resource, subject.caller_arn, caller_context(subject, mfa=mfa, when=when))
        calls.append(partial(evaluate_request, subject.identity, request, boundary=subject.boundary))
    return calls


def _fixture_calls() -> list[Callable[[], object]]:
    """The simulator's generated cases, called as the agreement test calls them."""
    cases = load_recorded()["cases"]
    return [evaluation_call(case) for case in cases if case["kind"] == "generated"]


def simulator_rate() -> dict[str, Any]:
    """The simulator's own figure, from node; `{"ran": False, "why": ...}` without node."""
    node = shutil.which("node")
    if node is None:
        return {"ran": False, "why": "node is not on PATH"}
    if not (SIMULATOR_DIR / "node_modules").is_dir():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=SIMULATOR_DIR, check=False
        )
        if installed.returncode != 0:
            return {"ran": False, "why": "npm ci failed in scripts/simulator"}
    result = subprocess.run(
        [node, "bench.mjs"], cwd=SIMULATOR_DIR, capture_output=True, text=True, check=False, timeout=600
    )
    if result.returncode != 0:
        return {"ran": False, "why": result.stderr.strip().splitlines()[-1:] or ["failed"]}
    return {"ran": True, **json.loads(result.stdout)}


def _question_seconds(subjects: Subjects) -> float:
    """`who-can` over every principal, the slowest question, after the run (the median of three)."""
    when = request_time()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        for action, resource in QUESTIONS[:4]:
            who_can(subjects, action, resource, mfa=True, when=when)
        timings.append((time.perf_counter() - start) / 4)
    return sorted(timings)[1]


def measure() -> dict[str, Any]:
    """Evaluations per second (ours on the shipped stacks and on the simulator's cases, the
    simulator's), and `who-can` seconds after the run for dev and a 1,000-person stack."""
    shipped: list[Callable[[], object]] = []
    seconds: dict[str, float] = {}
    for stack in ("dev", "prod"):
        settings = load_stack_settings(PROJECT_DIR, stack)
        subjects = subjects_of(run_stack(PROJECT_DIR, stack, preview=False), settings.account_id)
        shipped += _stack_calls(subjects, settings.config)
        if stack == "dev":
            seconds["dev"] = _question_seconds(subjects)
    with tempfile.TemporaryDirectory(prefix="iamtiers-questions-") as workdir:
        generated = write_project(Path(workdir), 1000)
        settings = load_stack_settings(generated.project_dir, generated.stack)
        run = run_stack(generated.project_dir, generated.stack, preview=False)
        seconds["1000 people"] = _question_seconds(subjects_of(run, settings.account_id))
    fixture = _fixture_calls()
    ours = _rate(shipped)
    result = {
        "date": datetime.date.today().isoformat(),
        "ours_shipped_stacks": {"evaluations_per_second": round(ours), "requests": len(shipped)},
        "ours_simulator_cases": {"evaluations_per_second": round(_rate(fixture)), "requests": len(fixture)},
        "simulator": simulator_rate(),
        "who_can_seconds_after_run": {k: round(v, 3) for k, v in seconds.items()},
    }
    result["met"] = {
        "evaluations_per_second": ours >= TARGET_EVALUATIONS_PER_SECOND,
        **{f"who_can_{k}": seconds[k] <= bound for k, bound in TARGET_QUESTION_SECONDS.items()},
    }
    return result


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
