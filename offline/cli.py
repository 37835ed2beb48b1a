"""Command line of the offline check: run a stack in preview and update modes and print the plan."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from offline.engine import ProgramError, run_stack
from offline.plan import render_plan
from offline.stack_files import StackFileError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the program offline and print its plan")
    check.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    check.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        preview = run_stack(args.project_dir, args.stack, preview=True)
        update = run_stack(args.project_dir, args.stack, preview=False)
    except (ProgramError, StackFileError) as error:
        print(f"error: stack '{args.stack}': {error}", file=sys.stderr)
        return 2
    print(render_plan(preview, update))
    return 0
