"""`make bench`: how long the offline check takes and how much memory the pack needs.

Figures go to bench/results.json (and stdout); targets are checked here, not in the tests, so a
slow machine never turns the test suite red. Targets: the whole dev check (both modes, program and
pack) under 15 s on 2 cores, one AnalyzeStack of dev under 2 s, the pack's peak RSS under 250 MiB.

Then the scale part (bench/scale.py): the check of generated organisations of 100 to 5,000 people
(bench/generate_stack.py; `--sizes` picks some) against floors measured in the same run, with the
targets of the issue "Organization scale"; written as BENCHMARKS.md (bench/benchmarks_md.py) and
plotted as bench/scale.png by bench/plot_scale.py, run with the benchmark virtualenv's python.

Then the request evaluator (bench/evaluations.py): decisions per second, ours and the independent
simulator's in the same run, and `who-can`'s time after the run (targets: 100,000/s; 1 s for dev and
2 s at 1,000 people).

Then every AWS-managed policy document through the pack and through cloudsplaining and parliament
(bench/managed_corpus.py): the `managed_policy_corpus` section, also written as the table in
bench/managed_policy_corpus.md. The external tools run in their own virtualenv (`make bench-env`,
`--external-python`); no PACK-ERROR finding is allowed there.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(1, str(PROJECT_DIR / "policypack"))  # the pack's package, as the pack process imports it

from bench.benchmarks_md import render  # noqa: E402
from bench.evaluations import measure as measure_evaluations  # noqa: E402
from bench.generate_stack import SIZES  # noqa: E402
from bench.managed_corpus import markdown  # noqa: E402
from bench.managed_corpus import measure as measure_corpus  # noqa: E402
from bench.scale import TARGETS, measure, target_values, verdicts  # noqa: E402
from bench.timed_runs import peak_rss_mib  # noqa: E402
from offline.judging.analyzer_client import PACK_DIR, PolicyPackProcess  # noqa: E402
from offline.judging.gate import analyze_run  # noqa: E402
from offline.running.engine import run_stack  # noqa: E402

TARGETS_DEV = {"dev_check_seconds": 15.0, "analyze_stack_dev_seconds": 2.0, "pack_peak_rss_mib": 250.0}
ROUNDS = 3
BENCH_PYTHON = PROJECT_DIR / ".venv-bench" / "bin" / "python"
CORPUS_TABLE = PROJECT_DIR / "bench" / "managed_policy_corpus.md"
RESULTS = PROJECT_DIR / "bench" / "results.json"
BENCHMARKS = PROJECT_DIR / "BENCHMARKS.md"
SCALE_PLOT = PROJECT_DIR / "bench" / "scale.png"
PLOT_SCRIPT = PROJECT_DIR / "bench" / "plot_scale.py"


def _rounded(value: Any) -> Any:
    """Floats to 3 decimals at any depth (ratios far below 1 to 3 significant digits)."""
    if isinstance(value, float):
        if value and math.isfinite(value) and abs(value) < 0.1:
            return float(f"{value:.3g}")
        return round(value, 3)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def _sizes(text: str) -> list[int]:
    """`100,500` -> [100, 500] (argparse type)."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected people counts such as 100,500") from None
    if not sizes or any(size < 20 for size in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: expected people counts of at least 20, such as 100,500")
    return sizes


def _machine() -> dict[str, Any]:
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": memory_kib / 1024 / 1024,
        "load_average_start": os.getloadavg()[0],
        # Set here, every import of every measured process compiles from source (no .pyc written).
        "bytecode_cache": not os.environ.get("PYTHONDONTWRITEBYTECODE"),
    }


def _versions() -> dict[str, Any]:
    import iam_guard

    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    return {
        "pulumi": metadata.version("pulumi"),
        "pulumi-aws": metadata.version("pulumi-aws"),
        "pulumi-policy": metadata.version("pulumi-policy"),
        "pack": f"iamtiers-guardrails {manifest.get('version', '?')}",
        "pack_policies": len(iam_guard.ALL_POLICIES),
    }


def _dev_figures() -> dict[str, float]:
    """The dev check: program both modes, pack start, gate both modes, one AnalyzeStack, pack memory."""
    figures: dict[str, float] = {}
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        runs = [run_stack(PROJECT_DIR, "dev", preview=preview) for preview in (True, False)]
        timings.append(time.perf_counter() - start)
    figures["program_dev_both_modes_seconds"] = statistics.median(timings)
    start = time.perf_counter()
    with PolicyPackProcess(PACK_DIR) as pack:
        figures["pack_start_seconds"] = time.perf_counter() - start
        pack.configure(json.loads((PACK_DIR / "config" / "dev.json").read_text()))
        gate_timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for run in runs:
                analyze_run(pack, run)
            gate_timings.append(time.perf_counter() - start)
        figures["gate_dev_both_modes_seconds"] = statistics.median(gate_timings)
        start = time.perf_counter()
        pack.analyze_stack(runs[1].registrations)
        figures["analyze_stack_dev_seconds"] = time.perf_counter() - start
        figures["analyze_per_resource_ms"] = (
            figures["gate_dev_both_modes_seconds"] * 1000 / (2 * len(runs[1].registrations))
        )
        figures["pack_peak_rss_mib"] = peak_rss_mib(pack.pid)
    parts = ("program_dev_both_modes_seconds", "pack_start_seconds", "gate_dev_both_modes_seconds")
    figures["dev_check_seconds"] = sum(figures[part] for part in parts)
    return figures


def _scale_targets(scale: dict[str, Any], corpus: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = target_values(scale, corpus["ours_in_process"]["docs_per_second"])
    met = verdicts(values)
    return {
        name: {
            "comparison": comparison,
            "bound": bound,
            "what": what,
            "value": values[name],
            "met": met[name],
        }
        for name, (comparison, bound, what) in TARGETS.items()
    }


def _plot(external_python: Path) -> str:
    """Draw bench/scale.png with the benchmark virtualenv (matplotlib lives only there); '' or the error."""
    completed = subprocess.run(
        [str(external_python), str(PLOT_SCRIPT), "--results", str(RESULTS), "--output", str(SCALE_PLOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return f"{PLOT_SCRIPT.name} failed under {external_python}: {completed.stderr.strip()[-2000:]}"
    return ""


def main() -> int:
    run_start = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--external-python",
        type=Path,
        default=BENCH_PYTHON,
        help="the benchmark virtualenv's python, which has cloudsplaining, parliament and matplotlib "
        "(make bench-env)",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(SIZES),
        help=f"people per generated stack, comma-separated (default: {','.join(map(str, SIZES))})",
    )
    parser.add_argument(
        "--scale-rounds",
        type=int,
        help="measured rounds per size, the median reported (default: 3 up to 1,000 people, 1 above)",
    )
    args = parser.parse_args()
    if not args.external_python.is_file():
        parser.error(f"--external-python {args.external_python}: not found; build it with `make bench-env`")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    machine = _machine()
    figures = _dev_figures()
    verdicts_dev = {name: figures[name] <= bound for name, bound in TARGETS_DEV.items()}
    with tempfile.TemporaryDirectory(prefix="iamtiers-scale-") as workdir:
        scale = measure(args.sizes, Path(workdir), rounds=args.scale_rounds)
    corpus = _rounded(measure_corpus(args.external_python, ROUNDS))
    evaluation = measure_evaluations()
    scale["targets"] = _scale_targets(scale, corpus)
    machine["load_average_end"] = os.getloadavg()[0]
    result = {
        "date": datetime.date.today().isoformat(),
        "machine": machine,
        "versions": _versions(),
        "figures": {k: round(v, 3) for k, v in figures.items()},
        "targets": TARGETS_DEV,
        "met": verdicts_dev,
        "scale": _rounded(scale),
        "managed_policy_corpus": corpus,
        "request_evaluation": evaluation,
    }
    result["run_seconds"] = round(time.perf_counter() - run_start, 1)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    CORPUS_TABLE.write_text(markdown(corpus))
    plot_error = _plot(args.external_python)
    if plot_error:
        print(f"error: {plot_error}", file=sys.stderr)
    BENCHMARKS.write_text(render(result))
    print(json.dumps({key: result[key] for key in ("machine", "figures", "met")}, indent=2))
    scale_met = {name: target["met"] for name, target in scale["targets"].items()}
    print(json.dumps({"scale_targets_met": scale_met, "run_seconds": result["run_seconds"]}, indent=2))
    unmet = [name for name, met in scale_met.items() if met is False]
    return (
        0
        if all(verdicts_dev.values())
        and all(corpus["met"].values())
        and all(evaluation["met"].values())
        and not unmet
        and not plot_error
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
