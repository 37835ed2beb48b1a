"""One stack's check: run the program in preview and update modes and judge both runs with the policy
pack, as `pulumi preview/up --policy-pack policypack` would.

Enters: a stack name, the project and pack directories, an optional pack config path. Leaves: a
`CheckReport` (offline/reporting/check_report.py), or `CheckError` with one line per problem when the
check cannot run.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from components.config_variable import config_size_problem
from offline.judging.access_tests import (
    ACCESS_TESTS_KEY,
    AccessTestError,
    read_access_tests,
    run_access_tests,
)
from offline.judging.analyzer_client import (
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    cli_environment,
)
from offline.judging.gate import analyze_run
from offline.judging.pack_config import PackConfigError, default_pack_config, load_pack_config
from offline.judging.principals import subjects_of
from offline.judging.requests import request_time
from offline.reporting.check_report import (
    CheckReport,
    ReportError,
    exemptions_in_force,
    policy_summaries,
    source_root,
    today_override,
)
from offline.reporting.origins import access_test_origins, trace_origins
from offline.reporting.plan import render_plan
from offline.running.engine import ProgramError, run_stack
from offline.running.stack_files import StackFileError, load_stack_config_nodes, load_stack_settings


class CheckError(Exception):
    """The check could not run; `problems` holds one line per problem, each naming the file or key."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _shown(path: Path) -> str:
    """A path as short as it is unambiguous: relative when it lies under the working directory."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def run_check(stack: str, project_dir: Path, policy_pack: Path, pack_config: Path | None) -> CheckReport:
    """Run `stack` in preview and update modes through the policy pack, as `pulumi preview/up
    --policy-pack` would; raise `CheckError` when the check cannot run."""
    config_path = pack_config if pack_config is not None else default_pack_config(policy_pack, stack)
    try:
        override = today_override(policy_pack)  # before anything starts: a bad day stops the check
    except ReportError as error:
        raise CheckError(str(error)) from None
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
    try:
        tests = read_access_tests(settings.config)
        # Principals are read only for a stack that has tests: a generated 5,000-person stack has none.
        access_tests = (
            run_access_tests(tests, subjects_of(update, settings.account_id), when=request_time(today))
            if tests
            else ()
        )
    except AccessTestError as error:
        raise CheckError(f"stack '{stack}': {error}") from None
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
        access_tests=access_tests,
        access_test_origins=access_test_origins(nodes, ACCESS_TESTS_KEY),
        today_override=override,
    )
