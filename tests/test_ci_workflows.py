"""The GitHub workflows (.github/workflows): valid for GitHub, calling only commands this repository
has, with no long-lived AWS key, least-privilege tokens, and the trust the CI tiers pin."""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, stack_config

WORKFLOWS_DIR = PROJECT_DIR / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.y*ml"))
PACK_DIR_NAME = "policypack"
AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials"
PULUMI_ACTION = "pulumi/actions"
UPLOAD_SARIF_ACTION = "github/codeql-action/upload-sarif"
LONG_LIVED_KEY_MARKERS = (
    "aws_secret_access_key",
    "aws_access_key_id",
    "aws_session_token",
    "aws-access-key-id",
    "aws-secret-access-key",
    "aws-session-token",
)
# Read scopes any job may hold; a write scope only where the job's own steps need it.
WRITE_SCOPE_NEEDS = {"id-token": AWS_CREDENTIALS_ACTION, "security-events": UPLOAD_SARIF_ACTION}
CI_TIER_SUBJECTS = {"GitHubDeploy": "environment:{stack}", "GitHubPreview": "pull_request"}


class WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads a workflow: only true/false are booleans, so `on:` stays the key `on`."""


WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_workflow(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(), Loader=WorkflowLoader)  # noqa: S506 (a SafeLoader subclass)
    assert isinstance(loaded, dict), path
    return loaded


@cache
def workflow_schema_validator() -> jsonschema.Draft7Validator:
    """The GitHub workflow schema check-jsonschema vendors (SchemaStore's github-workflow.json)."""
    vendored = importlib.resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    schema = json.loads((vendored / "github-workflows.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def schema_errors(workflow: dict[str, Any]) -> list[str]:
    errors = workflow_schema_validator().iter_errors(workflow)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)


def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load_workflow(path) for path in WORKFLOW_FILES}


def jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(workflow file, job id, job) for every job of every workflow."""
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            yield name, job_id, job


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).split("@")[0] == action]


def test_the_workflows_are_there() -> None:
    assert {path.name for path in WORKFLOW_FILES} >= {"pull-request.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[path.name for path in WORKFLOW_FILES])
def test_workflow_is_valid_for_github(path: Path) -> None:
    assert schema_errors(load_workflow(path)) == []


def test_the_schema_rejects_a_broken_workflow() -> None:
    """The validation above is not vacuous: the same workflow with GitHub-breaking edits fails it."""
    workflow = load_workflow(WORKFLOWS_DIR / "deploy.yml")
    job = workflow["jobs"]["dev"]
    job["runs_on"] = job.pop("runs-on")
    job["permissions"]["id-token"] = "admin"
    errors = schema_errors(workflow)
    assert any("runs_on" in error for error in errors), errors
    assert any("id-token" in error for error in errors), errors
    assert schema_errors({"jobs": {}}) != []  # no `on`


def test_the_loader_reads_on_as_github_does() -> None:
    assert "on" in load_workflow(WORKFLOWS_DIR / "pull-request.yml")
    assert yaml.safe_load("on: push") == {True: "push"}  # why a plain YAML 1.1 loader would not do


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[path.name for path in WORKFLOW_FILES])
def test_no_long_lived_aws_key(path: Path) -> None:
    text = path.read_text().lower()
    assert [marker for marker in LONG_LIVED_KEY_MARKERS if marker in text] == []


# --- The commands the workflows run exist -------------------------------------------------------------

_MAKE = re.compile(r"(?:^|[\s;&|(])(make\s[^;&|()<>\n]*)")
# The command, or its synonym (`python -m offline`, which the base commit of a pull request may need).
_COMMAND = re.compile(r"(?:^|[\s;&|(/])((?:iamtiers|python\s+-m\s+offline)\s[^;&|()<>\n]*)")
IAMTIERS = Path(sys.executable).parent / "iamtiers"  # installed into .venv by the first `make`
_MATRIX_STACK = "${{ matrix.stack }}"


def run_scripts() -> Iterator[tuple[str, str, str]]:
    """(where, script) for every `run:` of every job, once per value of the job's stack matrix."""
    for name, job_id, job in jobs():
        stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [None])
        for step in job.get("steps", []):
            if "run" not in step:
                continue
            for stack in stacks:
                script = step["run"] if stack is None else step["run"].replace(_MATRIX_STACK, stack)
                yield f"{name} {job_id} {step.get('name', '')} [{stack}]", script, step["run"]


def invocations(pattern: re.Pattern[str]) -> list[tuple[str, list[str]]]:
    found = []
    for where, script, _ in run_scripts():
        for line in script.splitlines():
            for match in pattern.finditer(line.split(" #", 1)[0]):
                found.append((where, shlex.split(match.group(1))))
    return found


def subcommand_argv(argv: list[str]) -> list[str]:
    """`iamtiers SUB ...` or `python -m offline SUB ...` as `[SUB, ...]`."""
    return argv[1:] if argv[0] == "iamtiers" else argv[3:]


@cache
def command_help(subcommand: str) -> str:
    result = subprocess.run(
        [str(IAMTIERS), subcommand, "--help"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"`iamtiers {subcommand}` does not exist: {result.stderr}"
    return result.stdout


def assert_command_accepts(argv: list[str], where: str) -> None:
    """`argv` (`SUB ...`) names a subcommand and options `iamtiers` has, with accepted values."""
    subcommand = argv[0]
    help_text = command_help(subcommand)
    for option in (token.split("=", 1)[0] for token in argv[1:] if token.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text), (where, option)
    # argparse checks choices and arity while parsing, before `--help` ends the run.
    parsed = subprocess.run(
        [str(IAMTIERS), *argv, "--help"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    assert parsed.returncode == 0, (where, argv, parsed.stderr)


@pytest.mark.parametrize("subcommand", ["check", "check-all", "report", "migrate-memberships"])
def test_the_command_and_its_synonym_are_one_command_line(subcommand: str) -> None:
    synonym = subprocess.run(
        [sys.executable, "-m", "offline", subcommand, "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert synonym.returncode == 0, synonym.stderr
    assert synonym.stdout == command_help(subcommand)
    assert command_help(subcommand).startswith(f"usage: iamtiers {subcommand} ")


def test_the_workflows_run_make_targets_the_makefile_has() -> None:
    calls = invocations(_MAKE)
    targets = {argv[1] for _, argv in calls}
    assert {"check", ".venv/.installed"} <= targets
    for where, argv in calls:
        dry_run = subprocess.run(
            [*argv[:1], "-n", *argv[1:]], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        assert dry_run.returncode == 0, (where, argv, dry_run.stderr)
        if argv[1] != "check":
            continue
        # Every variable reaches the CLI, and the CLI takes what make passes it.
        (offline,) = [line for line in dry_run.stdout.splitlines() if "/iamtiers check " in line]
        command = shlex.split(offline)
        assert command[0] == ".venv/bin/iamtiers", (where, command)
        assert_command_accepts(command[1:], where)
        for assignment in argv[2:]:
            variable, value = assignment.split("=", 1)
            flag = {"STACK": "--stack", "FORMAT": "--format", "OUTPUT": "--output"}[variable]
            assert f"{flag} {value}" in offline, (where, assignment, offline)


def test_the_workflows_run_offline_commands_the_cli_has() -> None:
    calls = invocations(_COMMAND)
    assert {subcommand_argv(argv)[0] for _, argv in calls} == {"report"}
    for where, argv in calls:
        assert_command_accepts(subcommand_argv(argv), where)


def test_the_check_job_asks_for_sarif_and_markdown_for_every_stack() -> None:
    checks = {
        (argv[2], argv[3], argv[4]) for _, argv in invocations(_MAKE) if argv[1] == "check" and len(argv) == 5
    }
    assert checks == {
        (f"STACK={stack}", f"FORMAT={fmt}", f"OUTPUT=check-{stack}.{suffix}")
        for stack in SHIPPED_STACKS
        for fmt, suffix in (("sarif", "sarif"), ("markdown", "md"))
    }
    reports = {tuple(subcommand_argv(argv)) for _, argv in invocations(_COMMAND)}
    assert reports == {("report", "--stack", stack, "--output", "-") for stack in SHIPPED_STACKS}


# --- Least privilege, and the trust the CI tiers pin ---------------------------------------------------


def test_no_token_scope_by_default_and_only_the_writes_a_job_uses() -> None:
    for name, workflow in workflows().items():
        assert workflow["permissions"] == {}, name
    for name, job_id, job in jobs():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{name} {job_id}: declare the job's permissions"
        for scope, level in permissions.items():
            assert level in ("read", "write", "none"), (name, job_id, scope)
            if level == "write":
                assert scope in WRITE_SCOPE_NEEDS, (name, job_id, scope)
                assert steps_using(job, WRITE_SCOPE_NEEDS[scope]), (name, job_id, scope)
        for scope, action in WRITE_SCOPE_NEEDS.items():
            if steps_using(job, action):
                assert permissions.get(scope) == "write", (name, job_id, scope)


def test_pull_requests_never_run_with_a_write_token_from_a_fork() -> None:
    triggers = workflows()["pull-request.yml"]["on"]
    assert set(triggers) == {"pull_request"}  # never pull_request_target
    assert set(workflows()["deploy.yml"]["on"]) == {"push"}
    assert workflows()["deploy.yml"]["on"]["push"]["branches"] == ["main"]


def test_every_action_is_pinned_to_a_major_version() -> None:
    for name, job_id, job in jobs():
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+", step["uses"]), (name, job_id, step)


def role_variable(job: dict[str, Any]) -> str:
    (step,) = steps_using(job, AWS_CREDENTIALS_ACTION)
    match = re.fullmatch(r"\$\{\{ vars\.([A-Z0-9_]+) \}\}", step["with"]["role-to-assume"])
    assert match, step
    return match.group(1)


def pulumi_runs() -> dict[tuple[str, str, str], tuple[str, dict[str, Any]]]:
    """(workflow, command, stack) -> (job id, job) for every pulumi/actions step."""
    runs = {}
    for name, job_id, job in jobs():
        for step in steps_using(job, PULUMI_ACTION):
            runs[(name, step["with"]["command"], step["with"]["stack-name"])] = (job_id, job)
    return runs


def test_pulumi_runs_with_the_pack_and_oidc_credentials_only() -> None:
    runs = pulumi_runs()
    assert set(runs) == {
        *(("pull-request.yml", "preview", stack) for stack in SHIPPED_STACKS),
        *(("deploy.yml", "up", stack) for stack in SHIPPED_STACKS),
    }
    for (name, _command, stack), (job_id, job) in runs.items():
        (step,) = steps_using(job, PULUMI_ACTION)
        assert step["with"]["policyPacks"] == PACK_DIR_NAME, (name, job_id)
        assert step["with"]["policyPackConfigs"] == f"{PACK_DIR_NAME}/config/{stack}.json", (name, job_id)
        assert (PROJECT_DIR / step["with"]["policyPackConfigs"]).is_file()
        assert step["env"] == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
        # A deploy reads AWS first, so group membership stays exclusive; a preview's role reads nothing.
        assert step["with"].get("refresh") is (True if _command == "up" else None), (name, job_id)
        # AWS credentials come from the job's OIDC token, for a role the repository names per stack; a
        # stack whose role is not configured is skipped rather than failed.
        variable = role_variable(job)
        assert f"vars.{variable} != ''" in job["if"], (name, job_id)
        assert variable.endswith(f"_{stack.upper()}"), (name, job_id, variable)
        steps = job["steps"]
        assert steps.index(steps_using(job, AWS_CREDENTIALS_ACTION)[0]) < steps.index(step)


def ci_tier_subjects(stack: str) -> dict[str, list[str]]:
    tiers = stack_config(stack)["iamtiers:role_tiers"]["items"]
    account = stack_config(stack)["iamtiers:account"]["id"]
    subjects = {}
    for tier in tiers:
        if tier["name"] in CI_TIER_SUBJECTS:
            (oidc,) = tier["trust"]["oidc"]
            provider = f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
            assert oidc["provider_arn"] == provider, (stack, tier["name"])
            assert oidc["audiences"] == ["sts.amazonaws.com"], (stack, tier["name"])
            subjects[tier["name"]] = oidc["subjects"]
    return subjects


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_each_job_runs_where_its_role_trusts_it(stack: str) -> None:
    """The deploy job's environment and the preview job's pull request are exactly the OIDC subjects
    the stack's GitHubDeploy and GitHubPreview tiers pin; a pull request never gets the deploy role."""
    subjects = ci_tier_subjects(stack)
    assert set(subjects) == set(CI_TIER_SUBJECTS)
    repositories = {subject.split(":")[1] for pinned in subjects.values() for subject in pinned}
    (repository,) = repositories  # one repository, whatever its real name
    for tier, claim in CI_TIER_SUBJECTS.items():
        assert subjects[tier] == [f"repo:{repository}:{claim.format(stack=stack)}"], (stack, tier)

    runs = pulumi_runs()
    _, deploy = runs[("deploy.yml", "up", stack)]
    assert deploy["environment"] == stack
    assert role_variable(deploy) == f"AWS_DEPLOY_ROLE_ARN_{stack.upper()}"
    _, preview = runs[("pull-request.yml", "preview", stack)]
    assert "environment" not in preview  # its token's subject is then repo:<owner>/<repo>:pull_request
    assert role_variable(preview) == f"AWS_PREVIEW_ROLE_ARN_{stack.upper()}"
    # Forks and Dependabot get no OIDC token or secrets: their pull requests skip the preview.
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]


def test_prod_deploys_only_after_dev() -> None:
    deploy = workflows()["deploy.yml"]
    assert deploy["jobs"]["prod"]["needs"] == "dev"
    assert deploy["concurrency"] == {"group": "deploy", "cancel-in-progress": False}


def test_the_check_fails_the_job_only_after_its_findings_are_out() -> None:
    job = workflows()["pull-request.yml"]["jobs"]["check"]
    steps = job["steps"]
    (sarif,) = [step for step in steps if "FORMAT=sarif" in step.get("run", "")]
    assert "|| status=$?" in sarif["run"] and 'echo "exit-code=$status" >> "$GITHUB_OUTPUT"' in sarif["run"]
    later = steps[steps.index(sarif) + 1 :]
    assert later and all("always()" in step.get("if", "") for step in later)
    (upload,) = steps_using(job, UPLOAD_SARIF_ACTION)
    assert upload in later
    assert upload["with"] == {
        "sarif_file": "check-${{ matrix.stack }}.sarif",
        "category": "iamtiers-policy-check-${{ matrix.stack }}",
    }
    # A fork's read-only token cannot upload: the step is skipped there instead of failing the job.
    assert "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]
    assert "github.actor != 'dependabot[bot]'" in upload["if"]
    last = later[-1]
    assert last["if"] == f"always() && steps.{sarif['id']}.outputs.exit-code != '0'"
    assert last["run"].rstrip().endswith("exit 1")
    summaries = [step for step in later if "$GITHUB_STEP_SUMMARY" in step.get("run", "")]
    assert len(summaries) == 2  # the findings, and the access change
