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
import json
import logging
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from components.config_variable import config_size_problem
from offline import migrate_memberships
from offline.analyzer_client import (
    PACK_DIR,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    cli_environment,
)
from offline.check_report import (
    FORMATS,
    CheckReport,
    ReportError,
    exemptions_in_force,
    policy_summaries,
    render_json,
    render_table,
    source_root,
)
from offline.engine import ProgramError, run_stack
from offline.gate import analyze_run
from offline.markdown import render_markdown
from offline.origins import trace_origins
from offline.output_file import missing_directory, write_output
from offline.plan import render_plan
from offline.sarif import render_sarif
from offline.stack_files import StackFileError, load_stack_config_nodes, load_stack_settings

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "markdown": render_markdown,
}


class PackConfigError(Exception):
    """A pack config file that cannot be used; the message names the file."""


class CheckError(Exception):
    """The check could not run; `problems` holds one line per problem, each naming the file or key."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__.split("\n\n")[0])
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
    return parser


def _add_check_all_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`check-all`: every stack's check in parallel processes (offline/check_all.py)."""
    check_all = commands.add_parser("check-all", help="check every Pulumi.<stack>.yaml in parallel processes")
    check_all.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    check_all.add_argument("--stacks", help="comma-separated stacks (default: every Pulumi.<stack>.yaml)")
    check_all.add_argument("--policy-pack", type=Path, help="policy pack directory (default: policypack/)")
    check_all.add_argument("--jobs", type=int, help="parallel checks (default: the CPUs available)")
    check_all.add_argument("--debug", action="store_true", help="log at debug level")


def _add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`report`: write the stack's access document (offline/access_docs.py)."""
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


def _shown(path: Path) -> str:
    """A path as short as it is unambiguous: relative when it lies under the working directory."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def default_pack_config(policy_pack: Path, stack: str) -> Path | None:
    """The pack's own config for the stack (`<pack>/config/<stack>.json`), when it has one."""
    path = policy_pack / "config" / f"{stack}.json"
    return path if path.is_file() else None


def load_pack_config(path: Path) -> dict[str, Any]:
    """Read a `--policy-pack-config` JSON document; raise `PackConfigError` naming the file."""
    if not path.is_file():
        raise PackConfigError(f"pack config {path}: file not found")
    text = path.read_text()
    if not text.strip():
        return {}  # the CLI accepts an empty file as "no config"
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise PackConfigError(f"pack config {path}: not valid JSON: {error}") from None
    if not isinstance(loaded, dict):
        raise PackConfigError(f"pack config {path}: expected a JSON object of policy name -> config")
    return loaded


def main(argv: list[str] | None = None) -> int:
    """Run `check`; the exit code is 0, 1 (a mandatory violation) or 2 (the check could not run)."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "report":
        from offline.access_docs import run_report  # only `report` needs the pack's analysis

        return run_report(args)
    if args.command == "migrate-memberships":
        return migrate_memberships.run_migration(args)
    if args.command == "check-all":
        from offline.check_all import check_all, default_workers, shipped_stacks

        stacks = args.stacks.split(",") if args.stacks else shipped_stacks(args.project_dir)
        return check_all(args.project_dir, stacks, args.policy_pack, args.jobs or default_workers())
    try:
        return _check(args)
    except Exception as error:  # a check that could not run must not look like a finding (exit 1)
        logger.debug("the check failed unexpectedly", exc_info=True)
        print(f"error: could not run the check: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def run_check(stack: str, project_dir: Path, policy_pack: Path, pack_config: Path | None) -> CheckReport:
    """Run `stack` in preview and update modes through the policy pack, as `pulumi preview/up
    --policy-pack` would; raise `CheckError` when the check cannot run."""
    config_path = pack_config if pack_config is not None else default_pack_config(policy_pack, stack)
    try:
        config = load_pack_config(config_path) if config_path else {}
    except PackConfigError as error:
        raise CheckError(str(error)) from None
    try:
        settings = load_stack_settings(project_dir, stack)
    except StackFileError as error:
        raise CheckError(f"stack '{stack}': {error}") from None
    # Before anything starts: the CLI could not hand this config to the program or the pack.
    too_large = config_size_problem(settings.config, settings.project, stack)
    if too_large:
        raise CheckError(f"stack '{stack}': {too_large}")
    # The two modes are independent: the update runs in a second process while this one runs the
    # preview, and the pack starts meanwhile and judges the preview while the update still runs.
    env = cli_environment(settings.project, settings.stack, settings.config)
    try:
        with (
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool,
            PolicyPackProcess(policy_pack, env=env) as pack,
        ):
            pending_update = pool.submit(run_stack, project_dir, stack, preview=False)
            try:
                preview = run_stack(project_dir, stack, preview=True)
            except (ProgramError, StackFileError) as error:
                pending_update.cancel()
                raise CheckError(f"stack '{stack}': {error}") from None
            try:
                resolved = pack.configure(config)
            except PolicyConfigError as error:
                where = f"pack config {_shown(config_path)}" if config_path else "pack config"
                raise CheckError(*(f"{where}: {problem}" for problem in error.problems)) from None
            policies = policy_summaries(pack.info(), resolved)
            preview_result = analyze_run(pack, preview, stack_config=settings.config)
            try:
                # Read with line marks for the report while the update program still runs.
                nodes = load_stack_config_nodes(project_dir, stack, settings.project)
                update = pending_update.result()
            except (ProgramError, StackFileError) as error:
                raise CheckError(f"stack '{stack}': {error}") from None
            results = (preview_result, analyze_run(pack, update, stack_config=settings.config))
    except PolicyPackError as error:
        raise CheckError(str(error)) from None
    try:
        today, exemptions = exemptions_in_force(policy_pack, config)  # after Configure accepted them
    except ReportError as error:
        raise CheckError(str(error)) from None
    return CheckReport(
        project=settings.project,
        stack=settings.stack,
        stack_file=nodes.path,
        source_root=source_root(project_dir),
        pack_name=results[0].pack_name,
        pack_version=results[0].pack_version,
        pack_config=_shown(config_path) if config_path else None,
        policies=policies,
        results=results,
        origins=trace_origins(nodes, (update, preview)),  # update first: all its values are known
        exemptions=exemptions,
        today=today,
        plan=render_plan(preview, update),
    )


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
    if report.blocked_commands:
        where = "above" if args.format == "table" and output is None else f"in {output or 'the report'}"
        print(
            f"error: mandatory policy violations would stop {' and '.join(report.blocked_commands)}; "
            f"each finding {where} names its fix",
            file=sys.stderr,
        )
    return report.exit_code
