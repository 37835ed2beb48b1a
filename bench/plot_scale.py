"""bench/scale.png: the scale benchmark's times against people, and their ratios to the floors.

Run by `make bench` with the benchmark virtualenv's python (.venv-bench has matplotlib, pinned in
bench/requirements.txt; the product's lock never has it):

    .venv-bench/bin/python bench/plot_scale.py --results bench/results.json --output bench/scale.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib  # type: ignore[import-not-found]

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt  # type: ignore[import-not-found]


def _series(results: list[dict[str, Any]], *path: str) -> list[float]:
    values = []
    for result in results:
        value: Any = result
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        values.append(float("nan") if value is None else float(value))
    return values


def plot(scale: dict[str, Any], targets: dict[str, Any], output: Path) -> None:
    """Two panels: seconds against people (the check, its parts and its floors), then the ratios."""
    results = scale["results"]
    people = [result["people"] for result in results]
    figure, (times, ratios) = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
    lines = (
        (("check", "seconds"), "make check (both modes)", "C0", "-"),
        (("check", "program_seconds"), "program (__main__.py, both modes)", "C1", "-"),
        (("check", "pack_seconds"), "pack (Analyze + AnalyzeStack, both modes)", "C2", "-"),
        (("floor", "seconds"), "floor of make check", "C0", "--"),
        (("floor", "flat_program_seconds"), "flat program (floor)", "C1", "--"),
        (("floor", "noop_pack_seconds"), "no-op pack (floor)", "C2", "--"),
    )
    for path, label, colour, style in lines:
        times.plot(people, _series(results, *path), style, color=colour, marker="o", label=label)
    times.set_xlabel("people in the stack (log scale)")
    times.set_ylabel("seconds")
    times.set_title("Offline check time against people")
    times.grid(alpha=0.3)
    times.legend(fontsize=8)
    ratio_lines = (
        ("check_to_floor", "make check / floor", "C0", "check_to_floor_1000"),
        ("program_to_flat_program", "program / flat program", "C1", None),
        ("pack_to_noop_pack", "pack / no-op pack", "C2", "pack_to_noop_1000"),
    )
    for key, label, colour, target in ratio_lines:
        ratios.plot(people, _series(results, "ratios", key), "-", color=colour, marker="o", label=label)
        if target and target in targets:
            bound = targets[target]["bound"]
            ratios.axhline(bound, color=colour, linestyle=":", linewidth=1)
            ratios.annotate(f"target ≤ {bound:g} at 1,000", (people[0], bound), fontsize=7, color=colour)
    for axes in (times, ratios):  # sizes grow ~2x to 5x a step: a log axis spaces them evenly
        axes.set_xscale("log")
        axes.set_xticks(people, labels=[f"{count:,}" for count in people])
        axes.minorticks_off()
    ratios.set_xlabel("people in the stack (log scale)")
    ratios.set_ylabel("multiple of the floor")
    ratios.set_title("Ratios to the floors (measured in the same run)")
    ratios.set_ylim(bottom=0)
    ratios.grid(alpha=0.3)
    ratios.legend(fontsize=8)
    figure.savefig(output, dpi=110)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--results", type=Path, required=True, help="bench/results.json")
    parser.add_argument("--output", type=Path, required=True, help="the PNG to write")
    args = parser.parse_args()
    results = json.loads(args.results.read_text())
    plot(results["scale"], results["scale"]["targets"], args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
