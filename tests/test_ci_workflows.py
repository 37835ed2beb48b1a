"""The GitHub workflows (.github/workflows): valid for GitHub, calling only commands this repository
has, with no long-lived AWS key, least-privilege tokens, and the trust the CI tiers pin."""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import CI_DEPLOYED_STACKS, PROJECT_DIR, SHIPPED_STACKS, stack_config

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
CI_TIER_SUBJECTS = {"GitHubDeploy": "environment:{stack}", "GitHubPreview": "environment:preview-{stack}"}
# What a pull request's own code runs under: it must hold no secret and no cloud identity.
BASE_PACK = "base/policypack"  # the base commit's pack, checked out beside the pull request
PULL_REQUEST_EVENTS = {"pull_request", "pull_request_target", "merge_group"}
# `uses: owner/repo[/path]@<commit SHA> # vX.Y.Z`: a tag can be moved to other code, a commit cannot.
PINNED_USES = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+(?:/[\w./-]+)?)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


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
    assert {path.name for path in WORKFLOW_FILES} >= {"pull-request.yml", "preview.yml", "deploy.yml"}


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
IAMTIERS = Path(sys.executable).parent / "iamtiers"
BASH = (
    shutil.which("bash") or "/bin/bash"
)  # the runner's shell, for the workflows' own scripts  # installed into .venv by the first `make`
_MATRIX_STACK = "${{ matrix.stack }}"
_STACK_VARIABLE = ('"$STACK"', "${STACK}", "$STACK")  # the job's `env: STACK: ${{ matrix.stack }}`


def run_scripts() -> Iterator[tuple[str, str, str]]:
    """(where, script) for every `run:` of every job, once per value of the job's stack matrix."""
    for name, job_id, job in jobs():
        stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [None])
        for step in job.get("steps", []):
            if "run" not in step:
                continue
            for stack in stacks:
                script = step["run"]
                if stack is not None:
                    script = script.replace(_MATRIX_STACK, stack)
                    if job.get("env", {}).get("STACK") == _MATRIX_STACK:
                        for spelling in _STACK_VARIABLE:
                            script = script.replace(spelling, stack)
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
            flag = {
                "STACK": "--stack",
                "POLICY_PACK": "--policy-pack",
                "FORMAT": "--format",
                "OUTPUT": "--output",
            }[variable]
            assert f"{flag} {value}" in offline, (where, assignment, offline)


def test_the_workflows_run_offline_commands_the_cli_has() -> None:
    calls = invocations(_COMMAND)
    assert {subcommand_argv(argv)[0] for _, argv in calls} == {"report"}
    for where, argv in calls:
        assert_command_accepts(subcommand_argv(argv), where)


def test_the_check_job_asks_for_sarif_and_markdown_for_every_stack() -> None:
    checks = {tuple(argv[2:]) for _, argv in invocations(_MAKE) if argv[1] == "check"}
    assert checks == {
        (f"STACK={stack}", f"POLICY_PACK={BASE_PACK}", f"FORMAT={fmt}", f"OUTPUT=check-{stack}.{suffix}")
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
    assert set(triggers) == {"pull_request", "merge_group"}  # never pull_request_target
    assert set(workflows()["preview.yml"]["on"]) == {"merge_group"}
    assert set(workflows()["deploy.yml"]["on"]) == {"push"}
    assert workflows()["deploy.yml"]["on"]["push"]["branches"] == ["main"]


def uses_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if re.match(r"^\s*(?:- )?uses:", line)]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[path.name for path in WORKFLOW_FILES])
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    """A tag can be moved to other code; a commit SHA cannot. The comment names the version pinned."""
    lines = uses_lines(path)
    steps = [step for job in load_workflow(path)["jobs"].values() for step in job.get("steps", [])]
    assert len(lines) == len([step for step in steps if "uses" in step])  # one `uses:` a line, none missed
    assert [line for line in lines if not PINNED_USES.match(line)] == []


def test_one_action_is_pinned_to_one_commit_throughout() -> None:
    """So that Dependabot's bump of an action (SHA and comment together) leaves no older pin behind."""
    pins: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES:
        for line in uses_lines(path):
            if match := PINNED_USES.match(line):
                pins.setdefault("/".join(match.group(1).split("/")[:2]), set()).add(match.group(2))
    assert pins and {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


def test_the_pin_check_refuses_a_tag() -> None:
    assert not PINNED_USES.match("      - uses: actions/checkout@v6")
    assert not PINNED_USES.match("        uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd")
    pinned = "        uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"
    assert PINNED_USES.match(pinned)


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
        *(("preview.yml", "preview", stack) for stack in CI_DEPLOYED_STACKS),
        *(("deploy.yml", "up", stack) for stack in CI_DEPLOYED_STACKS),
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


@pytest.mark.parametrize("stack", CI_DEPLOYED_STACKS)
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
    _, preview = runs[("preview.yml", "preview", stack)]
    # Its own environment (an approval, the token), so its OIDC subject is that environment's.
    assert preview["environment"] == f"preview-{stack}"
    assert role_variable(preview) == f"AWS_PREVIEW_ROLE_ARN_{stack.upper()}"


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


# --- The gate comes from the protected branch; no secret reaches pull-request code ----------------------


def runs_pull_request_code(workflow: dict[str, Any]) -> bool:
    return bool(set(workflow["on"]) & PULL_REQUEST_EVENTS)


def test_no_job_running_pull_request_code_holds_a_secret_or_a_cloud_identity() -> None:
    """A token that can preview a stack can decrypt its secrets (README, CI): the pull request's code
    never runs beside one, except in the merge queue's preview, behind an environment's approval."""
    for name, workflow in workflows().items():
        if not runs_pull_request_code(workflow):
            continue
        for job_id, job in workflow["jobs"].items():
            if set(workflow["on"]) & {"pull_request", "pull_request_target"}:
                assert "secrets." not in json.dumps(job), (name, job_id)
                assert job["permissions"].get("id-token", "none") == "none", (name, job_id)
                assert "environment" not in job, (name, job_id)
            elif "secrets." in json.dumps(job) or job["permissions"].get("id-token") == "write":
                assert job.get("environment"), (name, job_id)  # its secret lives there, behind a reviewer
    assert "secrets." not in (WORKFLOWS_DIR / "pull-request.yml").read_text()


def test_the_old_pull_request_workflow_would_fail_the_secret_rule() -> None:
    """The rule above is not vacuous: a preview job in a pull_request workflow is caught."""
    workflow = load_workflow(WORKFLOWS_DIR / "pull-request.yml")
    workflow["jobs"]["preview"] = load_workflow(WORKFLOWS_DIR / "preview.yml")["jobs"]["preview-dev"]
    del workflow["jobs"]["preview"]["environment"]
    job = workflow["jobs"]["preview"]
    assert runs_pull_request_code(workflow) and "secrets." in json.dumps(job)


def test_the_pull_request_check_is_judged_by_the_base_branchs_pack() -> None:
    job = workflows()["pull-request.yml"]["jobs"]["check"]
    (base,) = [step for step in steps_using(job, "actions/checkout") if step["with"].get("path") == "base"]
    assert base["with"]["ref"] == (
        "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}"
    )
    checks = [argv for where, argv in invocations(_MAKE) if argv[1] == "check"]
    assert checks and all(f"POLICY_PACK={BASE_PACK}" in argv for argv in checks)
    # The pack config follows the pack (<pack>/config/<stack>.json): none is named from the pull request.
    assert not [argv for argv in checks if any(a.startswith("PACK_CONFIG=") for a in argv)]


def test_the_check_uses_the_named_pack_and_its_config(tmp_path: Path) -> None:
    """`--policy-pack` (make POLICY_PACK) is the pack the check starts, and its own config/<stack>.json
    the config: a pack whose config names an unknown policy is refused, naming that file."""
    pack = tmp_path / "policypack"
    shutil.copytree(
        PROJECT_DIR / PACK_DIR_NAME, pack, ignore=shutil.ignore_patterns("__pycache__", "venv", ".venv")
    )
    (pack / "config" / "prod.json").write_text('{"no-such-policy": "mandatory"}')
    result = subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "prod", "--policy-pack", str(pack)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 2, result.stdout
    assert "no-such-policy" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_summary_shows_a_change_to_the_gate() -> None:
    job = workflows()["pull-request.yml"]["jobs"]["check"]
    (step,) = [step for step in job["steps"] if step.get("name") == "Show the changes to the gate"]
    script = step["run"]
    assert "git diff --no-index --name-only base/policypack policypack" in script
    assert "git diff --no-index --name-only base/.github .github" in script  # workflows and CODEOWNERS
    assert '>> "$GITHUB_STEP_SUMMARY"' in script


def test_the_gate_change_summary_lists_changed_files(tmp_path: Path) -> None:
    """The step's own script, run on a base and a head that differ in the pack config and CODEOWNERS."""
    job = workflows()["pull-request.yml"]["jobs"]["check"]
    (step,) = [step for step in job["steps"] if step.get("name") == "Show the changes to the gate"]
    for root in (tmp_path, tmp_path / "base"):
        (root / "policypack" / "config").mkdir(parents=True)
        (root / ".github").mkdir()
        (root / "policypack" / "config" / "dev.json").write_text("{}")
        (root / ".github" / "CODEOWNERS").write_text("/policypack/ @a\n")
    (tmp_path / "policypack" / "config" / "dev.json").write_text('{"x": "disabled"}')
    (tmp_path / ".github" / "CODEOWNERS").write_text("")
    summary = tmp_path / "summary.md"
    env = {"PATH": "/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(
        [BASH, "-e", "-c", step["run"]], cwd=tmp_path, env={**env, "STACK": "dev"}, check=False
    )
    assert result.returncode == 0
    text = summary.read_text()
    assert "- policypack/config/dev.json" in text and "- .github/CODEOWNERS" in text, text


def test_codeowners_gives_the_gate_to_the_security_team() -> None:
    lines = (PROJECT_DIR / ".github" / "CODEOWNERS").read_text().splitlines()
    owners = dict(line.split(None, 1) for line in lines if line.strip() and not line.startswith("#"))
    assert {path: owner.strip() for path, owner in owners.items()} == {
        path: "@your-org/security-team"
        for path in ("/policypack/", "/policypack/config/", "/.github/", "/Pulumi.*.yaml")
    }


def test_dependabot_keeps_the_pins_current() -> None:
    config = yaml.safe_load((PROJECT_DIR / ".github" / "dependabot.yml").read_text())
    ecosystems = {(update["package-ecosystem"], update["directory"]) for update in config["updates"]}
    assert {("github-actions", "/"), ("pip", "/"), ("pip", "/policypack")} <= ecosystems


@pytest.mark.parametrize("job_id", ["dev", "prod"])
def test_the_deploy_refuses_iamtiers_today(job_id: str, tmp_path: Path) -> None:
    """The deploy's first step, run as the runner would: it fails, naming the fix, when the replay day
    is set in the job's environment or as a repository variable, and passes otherwise."""
    job = workflows()["deploy.yml"]["jobs"][job_id]
    first = job["steps"][0]
    assert first["env"] == {"IAMTIERS_TODAY_VARIABLE": "${{ vars.IAMTIERS_TODAY }}"}

    def run(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BASH, "-e", "-c", first["run"]],
            env={"PATH": "/usr/bin:/bin", "IAMTIERS_TODAY_VARIABLE": "", **env},
            capture_output=True,
            text=True,
            check=False,
        )

    assert run().returncode == 0
    for refused in (run(IAMTIERS_TODAY="2026-06-30"), run(IAMTIERS_TODAY_VARIABLE="2026-06-30")):
        assert refused.returncode == 1
        assert "::error title=IAMTIERS_TODAY is set::" in refused.stdout
        assert "remove it" in refused.stdout


def test_zizmor_finds_nothing_above_low() -> None:
    """The workflows' audit: no finding at all today; the Makefile's lint fails on any above low."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "zizmor"),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "json",
            str(PROJECT_DIR / ".github"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings = json.loads(result.stdout)
    severe = [
        (finding["ident"], finding["determinations"]["severity"])
        for finding in findings
        if finding["determinations"]["severity"] not in ("Informational", "Low")
    ]
    assert severe == [], result.stdout[:4000]
    assert (
        "zizmor --offline --persona auditor --min-severity medium .github"
        in (PROJECT_DIR / "Makefile").read_text()
    )
