"""`make bench`: how long the offline check takes and how much memory the pack needs.

Figures go to bench/results.json (and stdout); targets are checked here, not in the tests, so a
slow machine never turns the test suite red. Targets: the whole dev check (both modes, program and
pack) under 15 s on 2 cores, one AnalyzeStack of dev under 2 s, the pack's peak RSS under 250 MiB.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from offline.analyzer_client import PACK_DIR, PolicyPackProcess  # noqa: E402
from offline.engine import run_stack  # noqa: E402
from offline.gate import analyze_run  # noqa: E402

TARGETS = {"dev_check_seconds": 15.0, "analyze_stack_dev_seconds": 2.0, "pack_peak_rss_mib": 250.0}
ROUNDS = 3


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
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
    result = {
        "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0))},
        "figures": {k: round(v, 3) for k, v in figures.items()},
        "targets": TARGETS,
        "met": verdicts,
    }
    (PROJECT_DIR / "bench" / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
