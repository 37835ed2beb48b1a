"""One measured process of the scale benchmark: the offline check, or its floor, with phase timings.

`check`: exactly what `python -m offline check` runs (`offline.cli.main` with the same arguments),
with timers around its phases: the program per mode (`run_stack`), the pack's start, the gate per
mode (`analyze_run`); the pack's own CPU time and peak memory are read from /proc before it stops.
Then, outside the timed part, both runs' registrations are written to a JSON file for the floor.

`floor`: the same fixed costs and request volume with nothing of ours: the flat program
(bench/flat_program.py) in preview and update modes under offline.running.engine's mock runtime, each mode
in a process of its own as in the check but one after the other, then the no-op pack
(bench/noop_pack) started and sent, through offline.judging.gate, the very requests the check sent the real
pack (the check's registrations of both modes, read from that JSON file).

Figures go to `--figures` as JSON. `post_seconds` (and for the floor `load_seconds`) is time the
process spent outside what it measures; bench/scale.py subtracts it from the wall time it measured.

    python -m bench.check_phases check --figures F --registrations R -- <offline check arguments>
    python -m bench.check_phases floor --figures F --registrations R --flat-dir D --stack S
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.timed_runs import (
    RUN_TIMING,
    flat_run,
    import_the_engine,
    own_cpu_seconds,
    peak_rss_mib,
    timed_run_stack,
)

STARTED = time.perf_counter()
PROJECT_DIR = Path(__file__).resolve().parent.parent
NOOP_PACK_DIR = Path(__file__).resolve().parent / "noop_pack"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of `pid` so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _run_document(run: Any) -> dict[str, Any]:
    return {
        "project": run.project,
        "stack": run.stack,
        "preview": run.preview,
        "registrations": [asdict(registration) for registration in run.registrations],
        "registered_outputs": run.registered_outputs,
    }


def measure_check(check_args: list[str], registrations_path: Path) -> dict[str, Any]:
    """Run the offline check as `python -m offline check <check_args>` does, timing its phases.

    Every phase is an interval on the monotonic clock (`timeline`, seconds from the start of
    `offline.cli.main`), wherever it ran: the update-mode program may run in a second process.
    """
    figures: dict[str, Any] = {}
    timeline: dict[str, list[float]] = {}
    start = time.perf_counter()
    import offline.cli as cli  # the check's own imports, timed
    import offline.operations.check as check
    from offline.judging.analyzer_client import PolicyPackProcess
    from offline.judging.gate import analyze_run as original_analyze_run

    figures["import_seconds"] = time.perf_counter() - start
    runs: list[Any] = []

    def analyze_run(pack: Any, run: Any, **kwargs: Any) -> Any:
        mode = "preview" if run.preview else "update"
        runs.append(run)
        timing = getattr(run, RUN_TIMING, None)
        if timing is not None:
            timeline[f"program_{mode}"] = [timing["begin"], timing["end"]]
            figures[f"program_{mode}_cpu_seconds"] = timing["cpu_seconds"]
            figures[f"program_{mode}_in_second_process"] = timing["pid"] != os.getpid()
            if timing["pid"] != os.getpid():
                figures["second_process_peak_rss_mib"] = timing["peak_rss_mib"]
        cpu_before = cpu_seconds(pack.pid)
        begin = time.perf_counter()
        result = original_analyze_run(pack, run, **kwargs)
        timeline[f"gate_{mode}"] = [begin, time.perf_counter()]
        figures[f"pack_cpu_{mode}_seconds"] = cpu_seconds(pack.pid) - cpu_before
        return result

    class TimedPack(PolicyPackProcess):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            begin = time.perf_counter()
            super().__init__(*args, **kwargs)
            timeline["pack_start"] = [begin, time.perf_counter()]
            figures["pack_start_cpu_seconds"] = cpu_seconds(self.pid)

        def close(self, timeout: float = 10.0) -> None:
            if self._process.poll() is None:
                figures["pack_peak_rss_mib"] = peak_rss_mib(self.pid)
                figures["pack_cpu_seconds"] = cpu_seconds(self.pid)
            super().close(timeout)

    # The names one stack's check (offline/operations/check.py) calls, replaced by their timed versions;
    # a name it no longer has would leave the figures silently empty.
    timed: dict[str, Any] = {
        "run_stack": timed_run_stack,
        "analyze_run": analyze_run,
        "PolicyPackProcess": TimedPack,
    }
    for name, replacement in timed.items():
        if not hasattr(check, name):
            raise AttributeError(f"offline.operations.check has no {name}: bench/check_phases.py is stale")
        setattr(check, name, replacement)
    begin = time.perf_counter()
    figures["exit_code"] = cli.main(["check", *check_args])
    timeline["main"] = [begin, time.perf_counter()]
    figures["main_seconds"] = timeline["main"][1] - begin
    figures["main_process_cpu_seconds"] = own_cpu_seconds()
    figures["peak_rss_mib"] = peak_rss_mib()
    figures["timeline"] = {name: [b - begin, e - begin] for name, (b, e) in timeline.items()}
    for name, (b, e) in timeline.items():
        figures[f"{name}_seconds"] = e - b
    post = time.perf_counter()
    registrations_path.write_text(json.dumps([_run_document(run) for run in runs]))
    figures["post_seconds_before_exit"] = time.perf_counter() - post
    return figures


def _load_runs(path: Path) -> list[Any]:
    from offline.running.engine import Registration, StackRun

    runs = []
    for document in json.loads(path.read_text()):
        run = StackRun(project=document["project"], stack=document["stack"], preview=document["preview"])
        run.registrations = [Registration(**registration) for registration in document["registrations"]]
        run.registered_outputs = document["registered_outputs"]
        runs.append(run)
    return runs


def measure_floor(flat_dir: Path, stack: str, registrations_path: Path) -> dict[str, Any]:
    """The flat program in both modes, then the no-op pack over the check's registrations of both modes.

    Each mode of the flat program runs in a process of its own, as the check runs its program's (a
    second run in the same process is slower: the SDK keeps state of the first), but one after the
    other: the floor is their sum. The second process starts, and imports, while the first mode runs,
    as the check's does.
    """
    figures: dict[str, Any] = {}
    start = time.perf_counter()
    from offline.judging.analyzer_client import PolicyPackProcess
    from offline.judging.gate import analyze_run

    figures["import_seconds"] = time.perf_counter() - start
    flat_types: dict[str, dict[str, int]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as second_process:
        warming = second_process.submit(import_the_engine)
        flat_types["preview"], timing = flat_run(flat_dir, stack, preview=True)
        figures["program_preview_seconds"] = timing["end"] - timing["begin"]
        figures["program_preview_cpu_seconds"] = timing["cpu_seconds"]
        figures["program_peak_rss_mib"] = timing["peak_rss_mib"]
        begin = time.perf_counter()
        warming.result()  # the second process is ready: as in the check, its start overlaps the first mode
        figures["waiting_for_the_second_process_seconds"] = time.perf_counter() - begin
        begin = time.perf_counter()
        flat_types["update"], timing = second_process.submit(
            flat_run, flat_dir, stack, preview=False
        ).result()
        figures["program_update_seconds"] = timing["end"] - timing["begin"]
        figures["program_update_cpu_seconds"] = timing["cpu_seconds"]
        figures["program_update_handover_seconds"] = (
            time.perf_counter() - begin - figures["program_update_seconds"]
        )
        figures["second_process_peak_rss_mib"] = timing["peak_rss_mib"]
    start = time.perf_counter()
    runs = _load_runs(registrations_path)
    figures["load_seconds"] = time.perf_counter() - start
    real_types = {
        "preview" if run.preview else "update": dict(Counter(r.type for r in run.registrations if r.custom))
        for run in runs
    }
    figures["flat_registrations"] = {mode: sum(types.values()) for mode, types in flat_types.items()}
    figures["same_custom_resources_as_program"] = flat_types == real_types
    if flat_types != real_types:
        figures["custom_resources"] = {"flat": flat_types, "program": real_types}
    start = time.perf_counter()
    with PolicyPackProcess(NOOP_PACK_DIR) as pack:
        figures["pack_start_seconds"] = time.perf_counter() - start
        figures["policies"] = len(pack.info().policies)
        pack.configure({})
        for run in runs:
            mode = "preview" if run.preview else "update"
            cpu_before = cpu_seconds(pack.pid)
            start = time.perf_counter()
            result = analyze_run(pack, run)
            figures[f"gate_{mode}_seconds"] = time.perf_counter() - start
            figures[f"pack_cpu_{mode}_seconds"] = cpu_seconds(pack.pid) - cpu_before
            figures[f"diagnostics_{mode}"] = len(result.diagnostics)
        figures["pack_peak_rss_mib"] = peak_rss_mib(pack.pid)
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("what", choices=("check", "floor"))
    parser.add_argument("--figures", type=Path, required=True, help="where to write the figures (JSON)")
    parser.add_argument("--registrations", type=Path, required=True, help="the check's registrations (JSON)")
    parser.add_argument("--flat-dir", type=Path, help="floor: the flat program's project directory")
    parser.add_argument("--stack", help="floor: the stack name")
    arguments = sys.argv[1:] if argv is None else argv
    # Everything after `--` is the check's own command line.
    ours, check_args = (
        (arguments[: arguments.index("--")], arguments[arguments.index("--") + 1 :])
        if "--" in arguments
        else (arguments, [])
    )
    args = parser.parse_args(ours)
    if args.what == "check":
        figures = measure_check(check_args, args.registrations)
    else:
        if args.flat_dir is None or args.stack is None:
            parser.error("floor needs --flat-dir and --stack")
        figures = measure_floor(args.flat_dir, args.stack, args.registrations)
    figures["process_seconds"] = time.perf_counter() - STARTED  # from this module's import
    args.figures.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
