"""The scale benchmark's program runs, timed, in whichever process runs them (bench/check_phases.py).

Kept out of bench/check_phases.py, which runs as `__main__`: these are handed to a second process by
name, and a program run (runpy) replaces `__main__` while it lasts, so a name looked up there fails.
"""

from __future__ import annotations

import os
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

RUN_TIMING = "bench_timing"  # the attribute timed_run_stack sets on a StackRun


def peak_rss_mib(pid: int | None = None) -> float:
    """The peak resident set of `pid` (VmHWM), or of this process when None."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def own_cpu_seconds() -> float:
    """User plus system CPU time of this process (all its threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_run_stack(project_dir: Path, stack: str, *, preview: bool) -> Any:
    """offline.running.engine.run_stack, its run marked with when it ran, in which process, its CPU time
    and that process's peak memory. At module level: the check hands it to its second process by name."""
    from offline.running.engine import run_stack

    cpu, begin = own_cpu_seconds(), time.perf_counter()
    run = run_stack(project_dir, stack, preview=preview)
    timing = {
        "begin": begin,  # perf_counter is CLOCK_MONOTONIC: the same clock in every process
        "end": time.perf_counter(),
        "cpu_seconds": own_cpu_seconds() - cpu,
        "pid": os.getpid(),
        "peak_rss_mib": peak_rss_mib(),
    }
    setattr(run, RUN_TIMING, timing)  # an instance attribute: it travels back with the pickled run
    return run


def import_the_engine() -> None:
    """Warm a second process up: the imports a program run needs (it runs while the first one works)."""
    import offline.running.engine  # noqa: F401


def flat_run(flat_dir: Path, stack: str, *, preview: bool) -> tuple[dict[str, int], dict[str, Any]]:
    """Run the flat program in one mode: its custom resources by type, and `timed_run_stack`'s timing.

    Only counts travel back from a second process: the floor does not move a run between processes.
    """
    from offline.running.engine import STACK_TYPE

    run = timed_run_stack(flat_dir, stack, preview=preview)
    types = dict(Counter(r.type for r in run.registrations if r.type != STACK_TYPE))
    return types, getattr(run, RUN_TIMING)
