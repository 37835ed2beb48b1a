"""`make bench`, the scale part: the offline check of generated organisations against its floors.

For each size (bench/generate_stack.py), in one run and one size after the other:

- **make check**: a fresh process runs `offline.cli.main` with the check's arguments, exactly what
  `python -m offline check` runs, timed from outside (bench/check_phases.py `check`); its phase
  timers say where the time goes, /proc says what the pack process used.
- **the floor**: a fresh process runs the flat program (bench/flat_program.py: the same custom
  resources, registered flat, no components, no pydantic) in both modes under offline.running.engine's
  mock runtime, then starts the no-op pack (bench/noop_pack: the pack's policies, each doing nothing)
  and sends it, through offline.judging.gate, the same Remediate/Analyze/AnalyzeStack requests the check
  sent the real pack for both modes (bench/check_phases.py `floor`).

Every figure is then a ratio to its floor: the check to the floor, the program to the flat
program, the pack's Analyze and AnalyzeStack to the no-op pack's. Targets are judged here and
reported met or not met; nothing here fails a test.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.generate_stack import GeneratedStack, replace_link, write_project

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
FLAT_PROGRAM = Path(__file__).resolve().parent / "flat_program.py"
NOOP_PACK_DIR = Path(__file__).resolve().parent / "noop_pack"
USER_COMPONENT = "iamtiers:index:User"
LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
MEBIBYTES_PER_GIBIBYTE = 1024
ROUNDS_UP_TO_PEOPLE = 1000
ENV_STRING_LIMIT = 128 * 1024  # MAX_ARG_STRLEN: the most one environment variable may hold (Linux)

# name -> (comparison, bound, what is compared); the bound is never changed to fit a result.
TARGETS: dict[str, tuple[str, float, str]] = {
    "check_to_floor_1000": ("<=", 1.6, "make check at 1,000 people, as a multiple of its floor"),
    "growth_2000_over_500": ("<=", 4.4, "make check time at 2,000 people over its time at 500"),
    "peak_rss_mib_2000": (
        "<",
        1024.0,
        "peak memory (MiB) of any one process (the check's or the pack's) at 2,000 people",
    ),
    "pack_to_noop_1000": (
        "<=",
        3.0,
        "the pack alone (Analyze per resource and AnalyzeStack, both modes) at 1,000 people, "
        "as a multiple of the no-op pack",
    ),
    "in_process_docs_per_second": (
        ">=",
        10_000.0,
        "in-process analysis of the AWS-managed policy documents, documents per second",
    ),
    "registrations_per_console_user": (
        "<=",
        3.0,
        "registrations per console user without access keys",
    ),
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda value, bound: value <= bound,
    "<": lambda value, bound: value < bound,
    ">=": lambda value, bound: value >= bound,
}


class BenchError(RuntimeError):
    """A measured process failed; the message carries its stderr."""


def flat_project(generated: GeneratedStack) -> Path:
    """The flat program's project directory, beside the generated one: same project and stack files."""
    flat_dir = generated.project_dir / "flat"
    flat_dir.mkdir(exist_ok=True)
    replace_link(FLAT_PROGRAM, flat_dir / "__main__.py")
    for name in ("Pulumi.yaml", f"Pulumi.{generated.stack}.yaml", "people"):
        if (generated.project_dir / name).exists():
            replace_link(generated.project_dir / name, flat_dir / name)
    return flat_dir


def _run_measured(argv: Sequence[str], log: Path) -> tuple[float, int, float, float]:
    """Run `argv` from the project directory: (wall seconds, exit code, ru_maxrss in MiB, CPU seconds).

    wait4 answers for the process and every child it reaped (the pack, the check's second process):
    ru_maxrss is the largest of them, the CPU time their sum.
    """
    with log.open("w") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=PROJECT_DIR, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, process.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _error_lines(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    return errors or lines[-20:]


def _run_phases(what: str, workdir: Path, arguments: list[str], outside: str) -> tuple[dict[str, Any], Path]:
    """One measured `bench.check_phases <what>` process: its figures, with the wall and CPU time from
    outside less the `outside` seconds it spent beyond what it measures; and its log."""
    figures_path, log = workdir / f"{what}-figures.json", workdir / f"{what}.log"
    argv = [
        sys.executable,
        "-m",
        "bench.check_phases",
        what,
        "--figures",
        str(figures_path),
        "--registrations",
        str(workdir / "registrations.json"),
        *arguments,
    ]
    wall, exit_code, max_rss, cpu = _run_measured(argv, log)
    if exit_code != 0 or not figures_path.is_file():
        raise BenchError(f"bench.check_phases {what} exited {exit_code}:\n" + "\n".join(_error_lines(log)))
    figures: dict[str, Any] = json.loads(figures_path.read_text())
    figures["wall_seconds"] = wall
    figures["seconds"] = wall - figures[outside]
    figures["cpu_seconds_all_processes"] = cpu - figures[outside]  # reading and writing are CPU
    figures["max_rss_mib_any_process"] = max_rss
    return figures, log


def run_check(generated: GeneratedStack, workdir: Path) -> dict[str, Any]:
    """One measured offline check of `generated`; its registrations land in workdir/registrations.json."""
    arguments = ["--", *generated.check_command()[4:]]  # after `python -m offline check`
    figures, log = _run_phases("check", workdir, arguments, "post_seconds_before_exit")
    if figures["exit_code"] != 0:
        figures["error"] = _error_lines(log)
    report = generated.project_dir / "report.json"
    if figures["exit_code"] in (0, 1) and report.is_file():
        document = json.loads(report.read_text())
        figures["findings"] = {mode: result["counts"] for mode, result in document["modes"].items()}
        figures["registrations_analyzed"] = {
            mode: result["analyzed"] for mode, result in document["modes"].items()
        }
    return figures


def run_floor(generated: GeneratedStack, workdir: Path) -> dict[str, Any]:
    """One measured floor over the registrations the last check of `generated` wrote."""
    arguments = ["--flat-dir", str(flat_project(generated)), "--stack", generated.stack]
    figures, _ = _run_phases("floor", workdir, arguments, "load_seconds")
    return figures


def _update_registrations(registrations_path: Path) -> list[dict[str, Any]]:
    runs = json.loads(registrations_path.read_text())
    update = next((run for run in runs if not run["preview"]), None)
    if update is None:
        raise BenchError(f"{registrations_path}: the check recorded no update run")
    registrations: list[dict[str, Any]] = update["registrations"]
    return registrations


def resources_per_user(registrations_path: Path) -> dict[str, Any]:
    """Registrations per user of the update run, by kind of user: the User component and its children.

    Group memberships are not among them (each group registers one for all its members): see
    `group_memberships_per_person`."""
    registrations = _update_registrations(registrations_path)
    children: dict[str, list[str]] = {}
    for registration in registrations:
        children.setdefault(registration["parent"], []).append(registration["type"])
    kinds: dict[str, list[int]] = {}
    for registration in registrations:
        if registration["type"] != USER_COMPONENT:
            continue
        types = children.get(registration["urn"], [])
        if ACCESS_KEY in types:
            kind = "programmatic"
        elif LOGIN_PROFILE in types:
            kind = "console_no_keys"
        else:
            kind = "disabled"
        kinds.setdefault(kind, []).append(1 + len(types))
    return {
        kind: {
            "users": len(counts),
            "registrations_per_user": max(counts),  # every user of a kind has the same count
            "aws_resources_per_user": max(counts) - 1,  # without the User component itself
            "same_for_every_user": min(counts) == max(counts),
        }
        for kind, counts in sorted(kinds.items())
    }


def group_memberships_per_person(registrations_path: Path, people: int) -> dict[str, Any]:
    """The `GroupMembership` registrations of the update run (one per group with members), and their
    share per person: what a person costs beyond `resources_per_user`, amortized over everyone."""
    registrations = _update_registrations(registrations_path)
    memberships = sum(1 for registration in registrations if registration["type"] == GROUP_MEMBERSHIP)
    per_person = memberships / people if people else None
    return {"registrations": memberships, "people": people, "per_person": per_person}


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(rounds, key=lambda figures: float(figures["seconds"]))
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    if len(rounds) > 1:
        chosen["seconds_every_round"] = [figures["seconds"] for figures in rounds]
    return chosen


def _sum(figures: dict[str, Any], *keys: str) -> float:
    return float(sum(figures.get(key, 0.0) for key in keys))


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _overlap(first: Sequence[float], second: Sequence[float]) -> float:
    return max(0.0, min(first[1], second[1]) - max(first[0], second[0]))


def critical_path(check: dict[str, Any]) -> dict[str, float]:
    """The check's wall time, split along its main process: every second is in exactly one part.

    Its phases (pack start, the programs it ran itself, the gates) count as they are; a gap between
    them is waiting for the update-mode program while that runs in the second process, and our own
    work otherwise (config, the plan, the report). Start-up, imports and exit come before and after.
    """
    timeline = check["timeline"]
    second = bool(check.get("program_update_in_second_process"))
    phases = sorted(
        (interval, name)
        for name, interval in timeline.items()
        if name != "main" and not (name == "program_update" and second)
    )
    parts = {name: interval[1] - interval[0] for interval, name in phases}
    gaps, cursor = [], timeline["main"][0]
    for interval, _ in phases:
        if interval[0] > cursor:
            gaps.append((cursor, interval[0]))
        cursor = max(cursor, interval[1])
    gaps.append((cursor, timeline["main"][1]))
    waiting = sum(_overlap(gap, timeline["program_update"]) for gap in gaps) if second else 0.0
    return {
        "startup_imports_and_exit": check["seconds"] - check["main_seconds"],
        "pack_start": parts.get("pack_start", 0.0),
        "program_preview": parts.get("program_preview", 0.0),
        "program_update": parts.get("program_update", 0.0),  # 0 when it ran in the second process
        "waiting_for_the_update_program": waiting,
        "gate_preview": parts.get("gate_preview", 0.0),
        "gate_update": parts.get("gate_update", 0.0),
        "config_plan_and_report": sum(end - begin for begin, end in gaps) - waiting,
    }


def work(check: dict[str, Any]) -> dict[str, float]:
    """CPU seconds of every process of the check, by who did the work: the program, the pack, the rest."""
    program = _sum(check, "program_preview_cpu_seconds", "program_update_cpu_seconds")
    pack = float(check.get("pack_cpu_seconds", 0.0))
    total = float(check["cpu_seconds_all_processes"])
    return {"program": program, "pack": pack, "engine": total - program - pack, "total": total}


def summarise(
    people: int, generated: GeneratedStack, check: dict[str, Any], floor: dict[str, Any]
) -> dict[str, Any]:
    """One size's figures: the check, its floor, the ratios and where the check's time goes."""
    ran = check["exit_code"] in (0, 1)  # 2: the check could not run (the message is in check.error)
    program = _sum(check, "program_preview_seconds", "program_update_seconds")
    gate = _sum(check, "gate_preview_seconds", "gate_update_seconds")
    pack_cpu_gate = _sum(check, "pack_cpu_preview_seconds", "pack_cpu_update_seconds")
    flat = _sum(floor, "program_preview_seconds", "program_update_seconds")
    noop_gate = _sum(floor, "gate_preview_seconds", "gate_update_seconds")
    check_seconds = check["seconds"] if ran else None
    peaks = {
        "check_process": check.get("peak_rss_mib"),
        "second_process": check.get("second_process_peak_rss_mib"),
        "pack_process": check.get("pack_peak_rss_mib"),
        "any_process": check["max_rss_mib_any_process"],  # wait4: the largest of them all
    }
    return {
        "people": people,
        "stack": {
            "groups": generated.groups,
            "tiers": generated.tiers,
            "programmatic_users": generated.programmatic_users,
            "form": "file" if generated.file_form else "inline",
            "stack_file_bytes": generated.stack_file_bytes,
            "collection_file_bytes": generated.collection_file_bytes,
            "config_variable_bytes": generated.config_variable_bytes,
            "registrations_per_mode": check.get("registrations_analyzed"),
            "custom_resources_per_mode": floor["flat_registrations"],
        },
        "check": {
            "ran": ran,
            "exit_code": check["exit_code"],
            "error": check.get("error"),
            "seconds": check_seconds,
            "cpu_seconds": check["cpu_seconds_all_processes"] if ran else None,
            "findings": check.get("findings"),
            "program_seconds": program,
            "update_program_in_second_process": bool(check.get("program_update_in_second_process")),
            "pack_start_seconds": check.get("pack_start_seconds"),
            "pack_seconds": gate if ran else None,
            "pack_cpu_seconds_in_gate": pack_cpu_gate if ran else None,
            "peak_rss_mib": peaks,
            "phases": {k: v for k, v in check.items() if k.endswith("_seconds")},
            "seconds_every_round": check.get("seconds_every_round"),
            "timeline": check.get("timeline"),
            "critical_path": critical_path(check) if ran else None,
            "work": work(check) if ran else None,
        },
        "floor": {
            "seconds": floor["seconds"],
            "cpu_seconds": floor["cpu_seconds_all_processes"],
            "seconds_every_round": floor.get("seconds_every_round"),
            "flat_program_seconds": flat,
            "noop_pack_start_seconds": floor["pack_start_seconds"],
            "noop_pack_seconds": noop_gate,
            "noop_pack_policies": floor["policies"],
            "flat_program_registers_the_same_custom_resources": floor["same_custom_resources_as_program"],
            "peak_rss_mib": {"floor_process": floor["peak_rss_mib"], "noop_pack": floor["pack_peak_rss_mib"]},
            "phases": {k: v for k, v in floor.items() if k.endswith("_seconds")},
        },
        "ratios": {
            "check_to_floor": _ratio(check_seconds, floor["seconds"]),
            "check_cpu_to_floor_cpu": _ratio(
                check["cpu_seconds_all_processes"] if ran else None, floor["cpu_seconds_all_processes"]
            ),
            "program_to_flat_program": _ratio(program, flat),
            "pack_to_noop_pack": _ratio(gate if ran else None, noop_gate),
            # The same in CPU seconds, which other work on the machine disturbs less than wall time.
            "program_cpu_to_flat_program_cpu": _ratio(
                _sum(check, "program_preview_cpu_seconds", "program_update_cpu_seconds"),
                _sum(floor, "program_preview_cpu_seconds", "program_update_cpu_seconds"),
            ),
            "pack_cpu_to_noop_pack_cpu": _ratio(
                pack_cpu_gate if ran else None,
                _sum(floor, "pack_cpu_preview_seconds", "pack_cpu_update_seconds"),
            ),
        },
    }


def noop_pack_problems() -> list[str]:
    """How the no-op pack's policies differ from the real pack's, by name and kind (none: the same)."""
    import iam_guard
    from pulumi_policy import StackValidationPolicy

    spec = importlib.util.spec_from_file_location("noop_policies", NOOP_PACK_DIR / "noop_policies.py")
    if spec is None or spec.loader is None:
        return [f"{NOOP_PACK_DIR / 'noop_policies.py'}: cannot be loaded"]
    noop = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noop)
    ours = {name: "stack" for name in noop.STACK_POLICIES} | {
        name: "resource" for name in noop.RESOURCE_POLICIES
    }
    real = {
        policy.name: "stack" if isinstance(policy, StackValidationPolicy) else "resource"
        for policy in iam_guard.ALL_POLICIES
    }
    return [
        f"policy {name!r}: {ours.get(name, 'missing')} in the no-op pack, "
        f"{real.get(name, 'missing')} in the pack"
        for name in sorted(set(ours) | set(real))
        if ours.get(name) != real.get(name)
    ]


def file_form_supported(workdir: Path) -> tuple[bool, str]:
    """Whether `python -m offline check` accepts people in a file (`iamtiers:users: {file: ...}`)."""
    probe = write_project(workdir / "file-form-probe", 20, file_form=True)
    completed = subprocess.run(
        probe.check_command(), cwd=PROJECT_DIR, capture_output=True, text=True, check=False, timeout=600
    )
    if completed.returncode == 0:
        return True, "accepted"
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    return False, " / ".join(lines[-3:])


def default_rounds(people: int) -> int:
    """Three rounds (their median) up to 1,000 people, where a second is noise; one above."""
    return 3 if people <= ROUNDS_UP_TO_PEOPLE else 1


def measure(sizes: Sequence[int], workdir: Path, rounds: int | None = None) -> dict[str, Any]:
    """The scale section of bench/results.json for `sizes` (people), measured under `workdir`;
    `rounds` per size, or `default_rounds`."""
    start = time.perf_counter()
    problems = noop_pack_problems()
    if problems:
        raise BenchError(
            "the no-op pack no longer mirrors the pack; update bench/noop_pack/noop_policies.py:\n"
            + "\n".join(problems)
        )
    file_form, file_form_answer = file_form_supported(workdir)
    results: list[dict[str, Any]] = []
    for people in sizes:
        size_dir = workdir / f"scale-{people}"
        generated = write_project(size_dir / "project", people, file_form=file_form)
        checks, floors = [], []
        for _ in range(rounds or default_rounds(people)):  # check and floor alternate: the same machine
            checks.append(run_check(generated, size_dir))
            if checks[-1]["exit_code"] not in (0, 1):
                raise BenchError(
                    f"the check of {people} people could not run:\n" + "\n".join(checks[-1]["error"])
                )
            floors.append(run_floor(generated, size_dir))
        check, floor = _median_round(checks), _median_round(floors)
        result = summarise(people, generated, check, floor)
        result["resources_per_user"] = resources_per_user(size_dir / "registrations.json")
        result["group_memberships"] = group_memberships_per_person(size_dir / "registrations.json", people)
        results.append(result)
        logger.info(
            "scale: %d people, check %s s (exit %d), floor %.1f s",
            people,
            f"{check['seconds']:.1f}",
            check["exit_code"],
            floor["seconds"],
        )
    return {
        "sizes": list(sizes),
        "rounds": {str(people): rounds or default_rounds(people) for people in sizes},
        "file_form": {
            "used": file_form,
            "probe": file_form_answer,
            "env_string_limit_bytes": ENV_STRING_LIMIT,
        },
        "results": results,
        "seconds": time.perf_counter() - start,
    }


def _at(results: list[dict[str, Any]], people: int) -> dict[str, Any] | None:
    return next((result for result in results if result["people"] == people), None)


def target_values(scale: dict[str, Any], in_process_docs_per_second: float | None) -> dict[str, float | None]:
    """The measured value of each target (None when this run did not measure it)."""
    results = scale["results"]
    at_500, at_1000, at_2000 = _at(results, 500), _at(results, 1000), _at(results, 2000)
    console = [
        result["resources_per_user"]["console_no_keys"]["registrations_per_user"]
        for result in results
        if "console_no_keys" in result["resources_per_user"]
    ]
    growth = None
    if at_500 and at_2000 and at_500["check"]["seconds"] and at_2000["check"]["seconds"]:
        growth = at_2000["check"]["seconds"] / at_500["check"]["seconds"]
    return {
        "check_to_floor_1000": at_1000["ratios"]["check_to_floor"] if at_1000 else None,
        "growth_2000_over_500": growth,
        "peak_rss_mib_2000": at_2000["check"]["peak_rss_mib"]["any_process"] if at_2000 else None,
        "pack_to_noop_1000": at_1000["ratios"]["pack_to_noop_pack"] if at_1000 else None,
        "in_process_docs_per_second": in_process_docs_per_second,
        "registrations_per_console_user": float(max(console)) if console else None,
    }


def verdicts(values: dict[str, float | None]) -> dict[str, bool | None]:
    """Met (True), not met (False) or not measured in this run (None), per target."""
    judged: dict[str, bool | None] = {}
    for name, (comparison, bound, _) in TARGETS.items():
        value = values[name]
        judged[name] = None if value is None else _COMPARE[comparison](value, bound)
    return judged
