"""`iamtiers migrate-memberships`: the state migration that keeps users in their groups.

The export is built here the way `pulumi stack export` writes a dev stack deployed by the previous
version: today's resources (without the GroupMemberships, which that version did not have) and one
UserGroupMembership under each enabled user's User component.
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import offline.cli
from offline.operations.migrate_memberships import USER_GROUP_MEMBERSHIP, migrate
from offline.running.engine import STACK_TYPE, StackRun
from tests.conftest import PROJECT_DIR, stack_run

GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
PROVIDER_URN = "urn:pulumi:dev::iamtiers::pulumi:providers:aws::default_7_51_1"
PROVIDER_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STAMP = "2026-05-04T10:11:12.345678Z"


def _state_resource(registration: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"urn": registration.urn, "custom": registration.custom}
    if registration.custom:
        resource["id"] = registration.outputs.get("id") or registration.name
    resource["type"] = registration.type
    if registration.custom:
        resource["inputs"] = registration.inputs
        resource["outputs"] = registration.outputs
    if registration.parent:
        resource["parent"] = registration.parent
    if registration.custom:
        resource["provider"] = f"{PROVIDER_URN}::{PROVIDER_ID}"
        resource["propertyDependencies"] = registration.property_dependencies
    if registration.dependencies:
        resource["dependencies"] = registration.dependencies
    resource["created"] = resource["modified"] = STAMP
    return resource


def old_export(run: StackRun) -> dict[str, Any]:
    """A version 3 `pulumi stack export` of `run`'s stack as the previous version deployed it."""
    stack = next(r for r in run.registrations if r.type == STACK_TYPE)
    resources = [
        {"urn": stack.urn, "custom": False, "type": STACK_TYPE, "created": STAMP, "modified": STAMP},
        {
            "urn": PROVIDER_URN,
            "custom": True,
            "id": PROVIDER_ID,
            "type": "pulumi:providers:aws",
            "inputs": {"region": "eu-west-1", "version": "7.51.1"},
            "outputs": {"region": "eu-west-1", "version": "7.51.1"},
            "created": STAMP,
            "modified": STAMP,
        },
    ]
    resources += [_state_resource(r) for r in run.resources if r.type != GROUP_MEMBERSHIP]
    group_urns = {r.inputs["name"]: r.urn for r in run.by_type("aws:iam/group:Group")}
    groups_of: dict[str, list[str]] = {}
    for membership in run.by_type(GROUP_MEMBERSHIP):
        for user_name in membership.inputs["users"]:
            groups_of.setdefault(user_name, []).append(membership.inputs["group"])
    for user in run.by_type("aws:iam/user:User"):
        name = user.inputs["name"]
        if name not in groups_of:
            continue  # the disabled user had no membership
        inputs = {"user": name, "groups": sorted(groups_of[name])}
        groups = [group_urns[group] for group in inputs["groups"]]
        resources.append(
            {
                "urn": f"{user.parent.rsplit('::', 1)[0]}${USER_GROUP_MEMBERSHIP}::{user.name}-groups",
                "custom": True,
                "id": f"{user.name}-groups-20250101000000000000000001",
                "type": USER_GROUP_MEMBERSHIP,
                "inputs": inputs,
                "outputs": {**inputs, "id": f"{user.name}-groups-20250101000000000000000001"},
                "parent": user.parent,
                "dependencies": [user.urn, *groups],
                "provider": f"{PROVIDER_URN}::{PROVIDER_ID}",
                "propertyDependencies": {"user": [user.urn], "groups": groups},
                "created": STAMP,
                "modified": STAMP,
            }
        )
    export = {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": STAMP,
                "magic": "2ad6e1e6d93f4b8a8ab5ce7a0b6fab2c2b3cbb5ed4fb3d7f6f9e2d61e1d5ac6a",
                "version": "v3.160.0",
                "plugins": [
                    {
                        "name": "aws",
                        "path": "/home/ci/.pulumi/plugins",
                        "type": "resource",
                        "version": "7.51.1",
                    }
                ],
            },
            "secrets_providers": {
                "type": "service",
                "state": {"url": "https://api.pulumi.com", "stack": "dev"},
            },
            "resources": resources,
            "metadata": {},
        },
    }
    return dict(json.loads(real_urns(json.dumps(export))))


def real_urns(text: str) -> str:
    """URNs as the CLI writes them: the mock monitor puts the root stack's type in its children's URNs."""
    return text.replace(f"::{STACK_TYPE}$", "::")


@pytest.fixture(scope="module")
def dev() -> StackRun:
    return stack_run("dev", preview=False)


@pytest.fixture
def export(dev: StackRun) -> dict[str, Any]:
    return old_export(dev)


def memberships_of(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == USER_GROUP_MEMBERSHIP]


def test_removes_every_membership_of_a_user_component_and_nothing_else(export: dict[str, Any]) -> None:
    before = export["deployment"]["resources"]
    old = memberships_of(before)
    assert len(old) == 7  # every enabled user of dev; the disabled one had none
    migration = migrate(copy.deepcopy(export))
    after = migration.export["deployment"]["resources"]
    assert migration.removed == tuple(r["urn"] for r in old)
    assert memberships_of(after) == []
    assert after == [r for r in before if r["type"] != USER_GROUP_MEMBERSHIP]  # the rest as it was
    assert {k: v for k, v in migration.export["deployment"].items() if k != "resources"} == {
        k: v for k, v in export["deployment"].items() if k != "resources"
    }
    assert migration.export["version"] == 3


def test_after_the_migration_up_deletes_nothing_and_keeps_every_membership(
    export: dict[str, Any], dev: StackRun
) -> None:
    """Every URN left in the state is one the new program registers, so `pulumi up` deletes nothing
    (no RemoveUserFromGroup), and its GroupMemberships list the same users in the same groups."""
    old = {
        (r["inputs"]["user"], g)
        for r in memberships_of(export["deployment"]["resources"])
        for g in r["inputs"]["groups"]
    }
    after = migrate(export).export["deployment"]["resources"]
    registered = {real_urns(r.urn) for r in dev.registrations}
    assert {r["urn"] for r in after if r["type"] != "pulumi:providers:aws"} <= registered
    new = {(user, r.inputs["group"]) for r in dev.by_type(GROUP_MEMBERSHIP) for user in r.inputs["users"]}
    assert new == old


def test_keeps_hand_written_memberships_and_unlinks_the_removed_urns(export: dict[str, Any]) -> None:
    resources = export["deployment"]["resources"]
    stack_urn = resources[0]["urn"]
    removed_urn = memberships_of(resources)[0]["urn"]
    hand_written = {
        "urn": f"urn:pulumi:dev::iamtiers::{USER_GROUP_MEMBERSHIP}::contractor-groups",
        "custom": True,
        "id": "contractor-groups",
        "type": USER_GROUP_MEMBERSHIP,
        "inputs": {"user": "contractor", "groups": ["LabGuest"]},
        "parent": stack_urn,
        "dependencies": [removed_urn],
        "propertyDependencies": {"user": [], "groups": [removed_urn, PROVIDER_URN]},
        "deletedWith": removed_urn,
    }
    pending_delete = {**memberships_of(resources)[1], "delete": True}
    resources += [hand_written, pending_delete]
    migration = migrate(export)
    after = migration.export["deployment"]["resources"]
    assert memberships_of(after) == [
        {
            **{k: v for k, v in hand_written.items() if k != "deletedWith"},
            "dependencies": [],
            "propertyDependencies": {"user": [], "groups": [PROVIDER_URN]},
        }
    ]
    assert len(migration.removed) == 8  # the 7, and the one also pending deletion
    assert migrate(migration.export).removed == ()  # a second run removes nothing


def run_main(monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return offline.cli.main(["migrate-memberships", *args])


def test_cli_reads_stdin_and_writes_stdout(
    export: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(monkeypatch, json.dumps(export)) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == migrate(copy.deepcopy(export)).export
    assert "removed 7 UserGroupMembership resource(s) of User components" in err
    assert run_main(monkeypatch, out) == 0
    again, err = capsys.readouterr()
    assert json.loads(again) == json.loads(out)
    assert "removed 0 resources" in err


def test_cli_input_and_output_files(export: dict[str, Any], tmp_path: Path) -> None:
    source, target = tmp_path / "dev.json", tmp_path / "dev-migrated.json"
    source.write_text(json.dumps(export))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "offline",
            "migrate-memberships",
            "--input",
            str(source),
            "--output",
            str(target),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(target.read_text()) == migrate(export).export
    assert "removed 7 " in result.stderr


def _pending(export: dict[str, Any]) -> str:
    membership = memberships_of(export["deployment"]["resources"])[0]
    export["deployment"]["pending_operations"] = [{"resource": membership, "type": "deleting"}]
    return json.dumps(export)


BROKEN: list[tuple[str, Any, str]] = [
    ("empty", lambda _: "", "stdin is empty; expected the output of `pulumi stack export`"),
    ("not JSON", lambda _: "{'version': 3", "stdin: not valid JSON: "),
    ("a list", lambda _: "[]", "not a `pulumi stack export` document"),
    ("no deployment", lambda _: '{"version": 3}', "not a `pulumi stack export` document"),
    (
        "version 2",
        lambda _: '{"version": 2, "deployment": {}}',
        "stack export version 2: this migration reads version 3",
    ),
    (
        "resources not a list",
        lambda _: '{"version": 3, "deployment": {"resources": {}}}',
        "'deployment.resources' is not a list",
    ),
    (
        "resource without a URN",
        lambda _: '{"version": 3, "deployment": {"resources": [{"type": "x"}]}}',
        "deployment.resources[0]: 'urn' is missing or not a string",
    ),
    ("pending operation", _pending, "pending 'deleting' operation on urn:pulumi:dev::iamtiers::"),
    (
        "resources twice",
        lambda e: json.dumps(e)[:-2] + ', "resources": []}}',  # the second would hide the first
        "stdin: duplicate key 'resources' at deployment.resources: an object holds it twice",
    ),
    (
        "a key twice deep down",
        lambda e: json.dumps(e).replace('"custom": false,', '"custom": false, "custom": true,', 1),
        "stdin: duplicate key 'custom' at deployment.resources[0].custom: ",
    ),
    (
        "a key twice at the top",
        lambda e: '{"version": 3, "version": 3, "deployment": {}}',
        "stdin: duplicate key 'version' at version: ",
    ),
    ("NaN", lambda e: json.dumps(e)[:-1] + ', "x": NaN}', "stdin: 'NaN' is not a JSON value"),
    ("Infinity", lambda e: '{"version": 3, "deployment": {"x": Infinity}}', "stdin: 'Infinity' is not a "),
    ("-Infinity", lambda e: '{"version": -Infinity}', "stdin: '-Infinity' is not a JSON value"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(text, expected) for _, text, expected in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_refuses_what_it_cannot_rewrite(
    text: Any,
    expected: str,
    export: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.json"
    assert run_main(monkeypatch, text(export), "--output", str(target)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: migrate-memberships: ") and expected in err, err
    assert "Traceback" not in err
    assert not target.exists()  # nothing written


def test_missing_input_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert offline.cli.main(["migrate-memberships", "--input", str(tmp_path / "nosuch.json")]) == 2
    assert f"--input {tmp_path / 'nosuch.json'}: file not found" in capsys.readouterr().err


def test_a_parent_missing_from_the_state_is_known_by_its_urn() -> None:
    user = "urn:pulumi:dev::iamtiers::iamtiers:index:User::user-x"
    stray = {
        "urn": f"{user.rsplit('::', 1)[0]}${USER_GROUP_MEMBERSHIP}::user-x-groups",
        "type": USER_GROUP_MEMBERSHIP,
    }
    export = {"version": 3, "deployment": {"resources": [{**stray, "parent": user}]}}
    assert migrate(export).removed == (stray["urn"],)
    assert migrate(export).export["deployment"]["resources"] == []


def test_a_closed_stdin_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python makes of a closed descriptor 0 (`<&-`)
    assert offline.cli.main(["migrate-memberships"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "error: migrate-memberships: stdin is closed; pipe the stack export in or pass --input FILE: "
        "pulumi stack export | iamtiers migrate-memberships | pulumi stack import\n"
    )
