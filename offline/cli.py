"""Command line of the offline check: run a stack in preview and update modes, print the plan, then
run both modes through the policy pack as `pulumi preview/up --policy-pack policypack` would.

Output, in order: the plan; then, per mode, a heading `Policy check (preview): ...` /
`Policy check (update): ...`, the violations grouped by resource (mandatory first) and a count
line `N mandatory, M advisory violation(s)`.

Exit codes: 0 clean (advisory findings allowed), 1 a mandatory violation in either mode, 2 the
check could not run: a bad stack file or stack config, a missing or malformed pack config, a pack
config its policies' schemas reject (one `error:` line per problem), a pack that does not start or
dies, or any unexpected error (`error: could not run the check: <type>: <message>`; the traceback
is logged at debug level). Never 1 for a failure to run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from offline.analyzer_client import (
    PACK_DIR,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    cli_environment,
)
from offline.engine import ProgramError, run_stack
from offline.gate import HEADING, GateResult, analyze_run, render_violations
from offline.plan import render_plan
from offline.stack_files import StackFileError, load_stack_settings

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
_COMMANDS = {"preview": "`pulumi preview`", "update": "`pulumi up`"}


class PackConfigError(Exception):
    """A pack config file that cannot be used; the message names the file."""


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
    check.add_argument("--debug", action="store_true", help="log at debug level (pack output, tracebacks)")
    return parser


def _shown(path: Path) -> str:
    """A path as short as it is unambiguous: relative when it lies under the working directory."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return str(path.relative_to(Path.cwd()))
    return str(path)


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


def _heading(result: GateResult, config_path: Path | None) -> str:
    config = _shown(config_path) if config_path else "none (policy defaults)"
    pack = f"pack {result.pack_name} {result.pack_version}"
    analyzed = f"{result.analyzed} registrations analyzed"
    return f"{HEADING.format(mode=result.mode)}: {pack}, {analyzed}, config: {config}"


def main(argv: list[str] | None = None) -> int:
    """Run `check`; the exit code is 0, 1 (a mandatory violation) or 2 (the check could not run)."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _check(args)
    except Exception as error:  # a check that could not run must not look like a finding (exit 1)
        logger.debug("the check failed unexpectedly", exc_info=True)
        print(f"error: could not run the check: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    config_path: Path | None = args.pack_config
    if config_path is None and (args.policy_pack / "config" / f"{args.stack}.json").is_file():
        config_path = args.policy_pack / "config" / f"{args.stack}.json"
    try:
        pack_config = load_pack_config(config_path) if config_path else {}
    except PackConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        settings = load_stack_settings(args.project_dir, args.stack)
        preview = run_stack(args.project_dir, args.stack, preview=True)
        update = run_stack(args.project_dir, args.stack, preview=False)
    except (ProgramError, StackFileError) as error:
        print(f"error: stack '{args.stack}': {error}", file=sys.stderr)
        return 2

    # One pack process for both modes; ConfigureStack tells it which mode each run is.
    env = cli_environment(settings.project, settings.stack, settings.config)
    try:
        with PolicyPackProcess(args.policy_pack, env=env) as pack:
            try:
                pack.configure(pack_config)
            except PolicyConfigError as error:
                where = f"pack config {_shown(config_path)}" if config_path else "pack config"
                for problem in error.problems:
                    print(f"error: {where}: {problem}", file=sys.stderr)
                return 2
            results = [analyze_run(pack, run, stack_config=settings.config) for run in (preview, update)]
    except PolicyPackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    print(render_plan(preview, update))
    for result in results:
        print(_heading(result, config_path))
        print(render_violations(result))
    blocked = [_COMMANDS[result.mode] for result in results if result.blocking]
    if blocked:
        print(
            f"error: mandatory policy violations would stop {' and '.join(blocked)}; "
            "each finding above names its fix",
            file=sys.stderr,
        )
        return 1
    return 0
