"""Command line of the offline check: run a stack in preview and update modes, print the plan, then
run both modes through the policy pack as `pulumi preview/up --policy-pack policypack` would.

Output, in order: the plan; then, per mode, a heading `Policy check (preview): ...` /
`Policy check (update): ...`, the violations grouped by resource (mandatory first) and a count
line `N mandatory, M advisory violation(s)`.

`--format` picks the report: `table` (the above, the default), `json`, `sarif` or `markdown`
(docs/report-formats.md); `--output PATH` writes it to a file instead of stdout. Every format lists
the exemptions in force; the exit code and the `error:` lines on stderr are the same in each.

Exit codes: 0 clean (advisory findings allowed), 1 a mandatory violation in either mode, 2 the
check could not run: a bad stack file, collection file or stack config, a stack config too large for
the CLI to hand to a process (components/config_variable.py), a missing or malformed pack config, a
pack config its policies' schemas reject (one `error:` line per problem), a pack that does not start
or dies, or any unexpected error (`error: could not run the check: <type>: <message>`; the traceback
is logged at debug level). Never 1 for a failure to run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from offline.access.parsers import add_question_parsers
from offline.judging.analyzer_client import PACK_DIR
from offline.operations import migrate_memberships
from offline.operations.check import CheckError, run_check
from offline.reporting.check_report import FORMATS, CheckReport, render_json, render_table
from offline.reporting.markdown import render_markdown
from offline.reporting.output_file import missing_directory, write_output
from offline.reporting.sarif import render_sarif

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "markdown": render_markdown,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iamtiers", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the program offline, print its plan and policy findings")
    check.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    check.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    check.add_argument("--policy-pack", type=Path, default=PACK_DIR, help="policy pack directory")
    check.add_argument(
        "--pack-config",
        type=Path,
        help="policy pack config JSON, as for --policy-pack-config "
        "(default: <policy-pack>/config/<stack>.json when it exists)",
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="report format: table (the default), json, sarif (GitHub code scanning) or markdown "
        "(a pull-request comment); see docs/report-formats.md",
    )
    check.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    check.add_argument("--debug", action="store_true", help="log at debug level (pack output, tracebacks)")
    _add_report_parser(commands)
    _add_check_all_parser(commands)
    migrate_memberships.add_parser(commands)
    add_question_parsers(commands, PROJECT_DIR)
    return parser


def _add_check_all_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`check-all`: every stack's check in parallel processes (offline/operations/check_all.py)."""
    check_all = commands.add_parser("check-all", help="check every Pulumi.<stack>.yaml in parallel processes")
    check_all.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    check_all.add_argument("--stacks", help="comma-separated stacks (default: every Pulumi.<stack>.yaml)")
    check_all.add_argument("--policy-pack", type=Path, help="policy pack directory (default: policypack/)")
    check_all.add_argument("--jobs", type=int, help="parallel checks (default: the CPUs available)")
    check_all.add_argument("--debug", action="store_true", help="log at debug level")


def _add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`report`: write the stack's access document (offline/access/generate.py)."""
    report = commands.add_parser("report", help="write the stack's access document (docs/access/<stack>.md)")
    report.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    report.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    report.add_argument(
        "--pack-config",
        type=Path,
        help="policy pack config JSON whose exemptions in force are listed "
        "(default: policypack/config/<stack>.json when it exists)",
    )
    report.add_argument(
        "--output",
        help="a path, or '-' for stdout (default: docs/access/<stack>.md under the project dir)",
    )
    report.add_argument("--debug", action="store_true", help="log at debug level (tracebacks)")


def main(argv: list[str] | None = None) -> int:
    """Run `check`; the exit code is 0, 1 (a mandatory violation) or 2 (the check could not run)."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "report":
        from offline.access.generate import run_report  # only `report` needs the pack's analysis

        return run_report(args)
    if args.command in ("can", "who-can"):
        from offline.access.questions import run_question  # only questions need the evaluator

        return run_question(args)
    if args.command == "migrate-memberships":
        return migrate_memberships.run_migration(args)
    if args.command == "check-all":
        from offline.operations.check_all import check_all, default_workers, shipped_stacks

        stacks = args.stacks.split(",") if args.stacks else shipped_stacks(args.project_dir)
        return check_all(args.project_dir, stacks, args.policy_pack, args.jobs or default_workers())
    try:
        return _check(args)
    except Exception as error:  # a check that could not run must not look like a finding (exit 1)
        logger.debug("the check failed unexpectedly", exc_info=True)
        print(f"error: could not run the check: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    if (problem := missing_directory(output)) is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        report = run_check(args.stack, args.project_dir, args.policy_pack, args.pack_config)
    except CheckError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    write_output(RENDERERS[args.format](report), output)
    where = "above" if args.format == "table" and output is None else f"in {output or 'the report'}"
    if report.blocked_commands:
        print(
            f"error: mandatory policy violations would stop {' and '.join(report.blocked_commands)}; "
            f"each finding {where} names its fix",
            file=sys.stderr,
        )
    if failed := report.failed_access_tests:
        print(
            f"error: {len(failed)} access test(s) failed: "
            + ", ".join(f"{result.key} ({result.test.principal} {result.test.action})" for result in failed)
            + f"; each names {where} the statement that decided it and the promise it keeps",
            file=sys.stderr,
        )
    return report.exit_code
