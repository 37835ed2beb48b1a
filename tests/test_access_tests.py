"""`iamtiers:access_tests`, `iamtiers can` and `iamtiers who-can`: positive access questions asked of
the pack's evaluator on the update-mode run (docs/access-tests.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import offline.access.questions
import offline.cli
import offline.operations.check
from components.config import ConfigError, parse_stack_config
from offline.judging.access_tests import read_access_tests, run_access_tests
from offline.judging.principals import Subjects, subjects_of
from offline.judging.requests import request_time
from offline.reporting.check_report import report_document
from offline.reporting.markdown import render_markdown
from offline.reporting.sarif import sarif_log
from offline.running.engine import StackRun
from offline.running.stack_files import load_stack_settings
from tests.conftest import PROJECT_DIR, stack_config, stack_run

MINIMUM_TESTS = {"dev": 25, "prod": 10}


def subjects(stack: str) -> Subjects:
    return subjects_of(stack_run(stack, preview=False), load_stack_settings(PROJECT_DIR, stack).account_id)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_keep_every_promise(stack: str) -> None:
    tests = read_access_tests(load_stack_settings(PROJECT_DIR, stack).config)
    assert len(tests) >= MINIMUM_TESTS[stack]
    results = run_access_tests(tests, subjects(stack), when=request_time())
    failed = [f"{r.key}: {r.request}: {r.outcome}" for r in results if not r.passed]
    assert failed == []
    # Both verdicts are promised, so a broken evaluator that always answers one way cannot pass.
    assert {r.test.expect for r in results} == {"allowed", "denied"}


def test_dev_covers_first_sign_in_of_users_with_a_path() -> None:
    tests = read_access_tests(load_stack_settings(PROJECT_DIR, "dev").config)
    users = {u["name"]: u for u in stack_config("dev")["iamtiers:users"]["items"]}
    first_sign_in = {
        (t.principal, t.action, t.expect) for t in tests if not t.mfa and t.principal.startswith("user/")
    }
    for group in ("SOC_Admins", "LabAdmin", "LabUser", "LabGuest"):
        member = next(
            name for name, u in users.items() if group in u.get("groups", []) and not u.get("disabled")
        )
        assert users[member]["path"] != "/"
        assert (f"user/{member}", "iam:ChangePassword", "allowed") in first_sign_in
        assert (f"user/{member}", "iam:EnableMFADevice", "allowed") in first_sign_in
        assert (f"user/{member}", "s3:ListAllMyBuckets", "denied") in first_sign_in


# --- a broken promise exits 1, naming the test and the statement that decided -------------------------


def project_with(directory: Path, stack_text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (directory / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    (directory / "Pulumi.test.yaml").write_text(stack_text)
    return directory


def test_a_stack_change_that_breaks_a_promise_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
    # SOC_Analyst may now terminate what it may start and stop.
    broken = text.replace(
        "actions: [ec2:StartInstances, ec2:StopInstances]",
        "actions: [ec2:StartInstances, ec2:StopInstances, ec2:TerminateInstances]",
    )
    assert broken != text
    project = project_with(tmp_path / "project", broken)
    dev_pack_config = str(PROJECT_DIR / "policypack" / "config" / "dev.json")  # dev's exemptions
    code = offline.cli.main(
        ["check", "--stack", "test", "--project-dir", str(project), "--pack-config", dev_pack_config]
    )
    out, err = capsys.readouterr()
    assert code == 1, err
    line = (
        next(
            i + 1
            for i, text_line in enumerate(broken.splitlines())
            if "action: ec2:TerminateInstances" in text_line and "SOC_Analyst" in broken.splitlines()[i - 1]
        )
        - 1
    )  # the test's `- principal:` line
    assert re.search(rf"FAILED  tier/SOC_Analyst ec2:TerminateInstances .*\(Pulumi.test.yaml:{line}\)", out)
    assert "expected denied, got Allowed: role SOC_Analyst" in out
    assert "StartStopInstances" in out  # the statement that decided
    assert "why: SOC_Analyst never terminates instances" in out
    assert "1 access test(s) failed: iamtiers:access_tests[" in err
    assert "0 mandatory" in out  # the pack itself had nothing to say: only the promise caught it


# --- bad tests stop before anything runs ---------------------------------------------------------------


def _problems(tests: list[Any]) -> list[str]:
    raw = {
        key.split(":", 1)[1]: value
        for key, value in stack_config("dev").items()
        if key.startswith("iamtiers:")
    }
    raw["access_tests"] = tests
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return caught.value.problems


def test_bad_access_tests_name_the_key_and_the_fix() -> None:
    problems = _problems(
        [
            {
                "principal": "user/alice.nguyn",
                "action": "iam:ChangePassword",
                "expect": "allowed",
                "why": "x",
            },
            {"principal": "alice", "action": "s3:*", "resource": "bucket", "expect": "denied", "why": "y"},
            {"principal": "tier/SOC_Analyst", "action": "ec2:StartInstancs", "expect": "maybe", "why": " "},
        ]
    )
    assert problems == [
        "iamtiers:access_tests[1].principal: 'alice' is not a principal; write user/<name>, group/<name> or "
        "tier/<name> (e.g. user/alice.nguyen)",
        "iamtiers:access_tests[1].action: 's3:*': an access test asks about one action; write it out without "
        "wildcards",
        "iamtiers:access_tests[1].resource: 'bucket' is not a resource ARN; write an ARN "
        "(arn:aws:s3:::bucket/key) or '*'",
        "iamtiers:access_tests[2].action: unknown action 'ec2:StartInstancs' "
        "(did you mean 'ec2:StartInstances'?)",
        "iamtiers:access_tests[2].expect: Input should be 'allowed' or 'denied'; "
        "use one of the listed values",
        "iamtiers:access_tests[2].why: empty; say which promise the test keeps "
        "(it is shown when the test fails)",
        "iamtiers:access_tests[0].principal: unknown user 'alice.nguyn' (did you mean 'alice.nguyen'?)",
    ]


def test_context_values_are_read_as_aws_writes_them() -> None:
    raw = {
        key.split(":", 1)[1]: value
        for key, value in stack_config("dev").items()
        if key.startswith("iamtiers:")
    }
    raw["access_tests"] = [
        {
            "principal": "group/LabUser",
            "action": "s3:GetObject",
            "context": {
                "aws:SecureTransport": False,
                "aws:MultiFactorAuthAge": 30,
                "aws:TagKeys": ["a", "b"],
            },
            "expect": "allowed",
            "why": "read as written",
        }
    ]
    [test] = parse_stack_config(raw).access_tests
    assert dict(test.context) == {
        "aws:SecureTransport": "false",
        "aws:MultiFactorAuthAge": "30",
        "aws:TagKeys": ("a", "b"),
    }
    assert (test.resource, test.mfa) == ("*", True)


# --- can / who-can -------------------------------------------------------------------------------------


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Questions answered on the session's update-mode run of each shipped stack (the real run)."""

    def run_stack(project_dir: Path, stack: str, *, preview: bool) -> StackRun:
        assert not preview  # questions are asked of what `pulumi up` would create
        return stack_run(stack, preview=False)

    monkeypatch.setattr(offline.access.questions, "run_stack", run_stack)
    yield


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = offline.cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.usefixtures("asked")
def test_can_allowed_names_the_statement_and_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(
        capsys, "can", "--stack", "dev", "user/dmitri.ivanov", "s3:PutObject",
        "--resource", "arn:aws:s3:::lab-datasets/runs/out.parquet",
    )  # fmt: skip
    assert code == 0, err
    head, *reasons = out.splitlines()
    assert head == (
        "ALLOWED  user/dmitri.ivanov  s3:PutObject on arn:aws:s3:::lab-datasets/runs/out.parquet with MFA"
    )
    assert any(
        re.fullmatch(r"  allowed by group LabUser: .*AmazonS3FullAccess.* \(Pulumi\.dev\.yaml:\d+\)", r)
        for r in reasons
    ), reasons


@pytest.mark.usefixtures("asked")
def test_can_without_mfa_is_denied_explicitly_by_the_guard(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(
        capsys, "can", "--stack", "dev", "user/dmitri.ivanov", "s3:ListAllMyBuckets", "--no-mfa"
    )
    assert code == 1
    assert out.startswith("DENIED (explicit)  user/dmitri.ivanov  s3:ListAllMyBuckets on * without MFA\n")
    assert "denied by group LabUser: " in out and "mfa-guard" in out.lower()


@pytest.mark.usefixtures("asked")
def test_can_implicit_denial_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(
        capsys, "can", "--stack", "dev", "user/farah.haddad", "s3:DeleteObject",
        "--resource", "arn:aws:s3:::lab-datasets/x", "--format", "json",
    )  # fmt: skip
    assert code == 1
    document = json.loads(out)
    assert document["decision"] == "ImplicitlyDenied"
    assert document["caller"] == "arn:aws:iam::111111111111:user/lab/farah.haddad"
    assert (document["principal"], document["mfa"]) == ("user/farah.haddad", True)


@pytest.mark.usefixtures("asked")
def test_who_can_follows_tier_switches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "who-can", "--stack", "dev", "iam:CreateUser", "--format", "json")
    assert code == 0, err
    allowed = {(a["principal"], tuple(a["via"])) for a in json.loads(out)["allowed"]}
    assert ("tier/SOC_Administrator", ()) in allowed
    assert ("user/alice.nguyen", ("group SOC_Admins", "tier SOC_Administrator")) in allowed
    assert ("user/carmen.diaz", ("group LabAdmin", "tier LabAdministrator")) in allowed
    principals = {principal for principal, _ in allowed}
    assert not principals & {"user/gina.wolfe", "user/dmitri.ivanov", "group/LabUser", "tier/ReadOnly"}


@pytest.mark.usefixtures("asked")
def test_who_can_without_mfa_reaches_no_tier(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, "who-can", "--stack", "dev", "iam:CreateUser", "--no-mfa", "--format", "json")
    assert code == 0
    assert all(not a["via"] or not a["via"][-1].startswith("tier ") for a in json.loads(out)["allowed"])


@pytest.mark.usefixtures("asked")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["can", "user/nobody", "s3:GetObject"], "no principal 'user/nobody' in this stack"),
        (["can", "user/alice.nguyen", "s3:GetObjct"], "ACTION: unknown action 's3:GetObjct'"),
        (["can", "user/alice.nguyen", "s3:Get*"], "ACTION: 's3:Get*': an access test asks about one action"),
        (["who-can", "s3:GetObject", "--resource", "bucket"], "--resource: 'bucket' is not a resource ARN"),
        (["who-can", "s3:GetObject", "--context", "SourceIp"], "--context 'SourceIp': write KEY=VALUE"),
    ],
)
def test_bad_questions_exit_2_with_one_clean_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = ask(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_every_report_format_shows_the_broken_promise_on_its_line(tmp_path: Path) -> None:
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
    broken = text.replace("actions: [ec2:StartInstances, ec2:StopInstances]", "actions: [ec2:*]")
    project = project_with(tmp_path / "project", broken)
    report = offline.operations.check.run_check(
        "test", project, PROJECT_DIR / "policypack", PROJECT_DIR / "policypack" / "config" / "dev.json"
    )
    failed = {result.test.action for result in report.failed_access_tests}
    assert "ec2:TerminateInstances" in failed  # ec2:* on instances: SOC_Analyst terminates now
    assert report.exit_code == 1
    [terminate] = [
        r for r in report.failed_access_tests
        if (r.test.principal, r.test.action) == ("tier/SOC_Analyst", "ec2:TerminateInstances")
    ]  # fmt: skip
    lines = broken.splitlines()
    line = next(
        i + 1
        for i in range(len(lines))
        if lines[i].strip() == "- principal: tier/SOC_Analyst"
        and lines[i + 1].strip() == "action: ec2:TerminateInstances"
    )
    sarif = sarif_log(report, {})["runs"][0]
    [result] = [
        r for r in sarif["results"]
        if r["ruleId"] == "access-test" and r["properties"]["configKey"] == terminate.key
    ]  # fmt: skip
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.test.yaml"
    assert "SOC_Analyst never terminates instances" in result["message"]["text"]
    document = report_document(report)
    [entry] = [t for t in document["access_tests"] if t["location"]["key"] == terminate.key]
    assert (entry["passed"], entry["decision"], entry["location"]["line"]) == (False, "Allowed", line)
    assert any("inline policy 'tier-SOC_Analyst-inline'" in d for d in entry["deciding"])
    markdown = render_markdown(report)
    assert f"`Pulumi.test.yaml:{line}`" in markdown and "| **FAILED** | " in markdown


@pytest.mark.usefixtures("asked")
def test_a_question_that_fails_unexpectedly_is_exit_2_not_denied(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> Subjects:
        raise TypeError("a defect")

    monkeypatch.setattr(offline.access.questions, "subjects_of", broken)
    code, out, err = ask(capsys, "can", "--stack", "dev", "user/dmitri.ivanov", "s3:GetObject")
    assert (code, out) == (2, "")
    assert err == "error: could not answer: TypeError: a defect\n"


@pytest.mark.usefixtures("asked")
def test_the_account_password_setting_lets_every_user_change_their_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`allow_users_to_change: true` (the default) is an account-level grant AWS adds to every user."""
    code, out, _ = ask(
        capsys, "can", "--stack", "dev", "user/lab-metrics-publisher", "iam:ChangePassword", "--no-mfa",
        "--resource", "arn:aws:iam::111111111111:user/automation/lab-metrics-publisher",
    )  # fmt: skip
    assert code == 0
    assert re.search(
        r"allowed by account password policy 'baseline-password-policy' \(allowUsersToChangePassword\) "
        r"Statement\[0\]  \(Pulumi\.dev\.yaml:\d+\)",
        out,
    ), out
