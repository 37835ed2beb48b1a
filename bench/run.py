"""`make bench`: how long the offline check takes and how much memory the pack needs.

Figures go to bench/results.json (and stdout); targets are checked here, not in the tests, so a
slow machine never turns the test suite red. Targets: the whole dev check (both modes, program and
pack) under 15 s on 2 cores, one AnalyzeStack of dev under 2 s, the pack's peak RSS under 250 MiB.

Then every AWS-managed policy document through the pack and through cloudsplaining and parliament
(bench/managed_corpus.py): the `managed_policy_corpus` section, also written as the table in
bench/managed_policy_corpus.md. The external tools run in their own virtualenv (`make bench-env`,
`--external-python`); no PACK-ERROR finding is allowed there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(1, str(PROJECT_DIR / "policypack"))  # the pack's package, as the pack process imports it

from bench.managed_corpus import markdown, measure  # noqa: E402
from offline.analyzer_client import PACK_DIR, PolicyPackProcess  # noqa: E402
from offline.engine import run_stack  # noqa: E402
from offline.gate import analyze_run  # noqa: E402

TARGETS = {"dev_check_seconds": 15.0, "analyze_stack_dev_seconds": 2.0, "pack_peak_rss_mib": 250.0}
ROUNDS = 3
BENCH_PYTHON = PROJECT_DIR / ".venv-bench" / "bin" / "python"
CORPUS_TABLE = PROJECT_DIR / "bench" / "managed_policy_corpus.md"


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--external-python",
        type=Path,
        default=BENCH_PYTHON,
        help="the benchmark virtualenv's python, which has cloudsplaining and parliament (make bench-env)",
    )
    args = parser.parse_args()
    if not args.external_python.is_file():
        parser.error(f"--external-python {args.external_python}: not found; build it with `make bench-env`")
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
        figures["pack_peak_rss_mib"] = _peak_rss_mib(pack.pid)
    parts = ("program_dev_both_modes_seconds", "pack_start_seconds", "gate_dev_both_modes_seconds")
    figures["dev_check_seconds"] = sum(figures[part] for part in parts)
    verdicts = {name: figures[name] <= bound for name, bound in TARGETS.items()}
    corpus = _rounded(measure(args.external_python, ROUNDS))
    result = {
        "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0))},
        "figures": {k: round(v, 3) for k, v in figures.items()},
        "targets": TARGETS,
        "met": verdicts,
        "managed_policy_corpus": corpus,
    }
    (PROJECT_DIR / "bench" / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    CORPUS_TABLE.write_text(markdown(corpus))
    print(json.dumps(result, indent=2))
    return 0 if all(verdicts.values()) and all(corpus["met"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
