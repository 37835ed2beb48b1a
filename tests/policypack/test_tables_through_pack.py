"""Every entry of every risky-action table, sent through the real pack over the protocol."""

from __future__ import annotations

import json

import pytest
from iam_guard import types
from iam_guard.catalog import PERMISSIONS_MANAGEMENT, changes_permissions, is_unrestrictable
from iam_guard.data.access_level_overrides import ACCESS_LEVEL_OVERRIDES
from iam_guard.data.credentials_exposure import CREDENTIALS_EXPOSURE_ACTIONS
from iam_guard.data.data_exfiltration import DATA_EXFILTRATION_ACTIONS
from iam_guard.data.managed_policies import PRIVILEGED_MANAGED_POLICIES
from iam_guard.data.privilege_escalation import PRIVILEGE_ESCALATION_METHODS, EscalationMethod
from iam_guard.escalation import HIJACK_CATEGORY, method_actions

from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import FakeResource, PackAnalyzer


def policy_json(actions: list[str], resource: str = "*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}
    )


# Methods that gain privileges outright, and takeovers of existing compute (P3), each under its own rule.
ESCALATION_FINDING = "[IAM-ESC-001]"
TAKEOVER_FINDING = "[IAM-ESC-005]"


def escalations(analyzer: PackAnalyzer, actions: list[str], resource: str = "*") -> list[Diagnostic]:
    """The escalation findings on one group policy: methods that gain privileges outright
    (no-privilege-escalation), and takeovers of existing compute (no-compute-takeover); both block."""
    found = analyzer.resource(types.GROUP_POLICY, {"group": "g", "policy": policy_json(actions, resource)})
    return [d for d in found if d.finding.startswith((ESCALATION_FINDING, TAKEOVER_FINDING))]


def cited_ids(diagnostics: list[Diagnostic]) -> set[str]:
    return {
        m.method_id
        for m in PRIVILEGE_ESCALATION_METHODS
        for d in diagnostics
        if f"{m.method_id} " in d.message
    }


@pytest.mark.parametrize("method", PRIVILEGE_ESCALATION_METHODS, ids=lambda m: m.method_id)
def test_each_escalation_method_is_blocked(analyzer: PackAnalyzer, method: EscalationMethod) -> None:
    found = escalations(analyzer, sorted(method.actions))
    assert {d.enforcement_level for d in found} == {"mandatory"}, found
    # A method may contain a takeover too (CreateProject + StartBuild holds StartBuild): its own finding.
    expected = TAKEOVER_FINDING if method.category == HIJACK_CATEGORY else ESCALATION_FINDING
    found = [d for d in found if d.finding.startswith(expected)]
    assert len(found) == 1, found
    # The pack names the smallest completed methods: this one, or one whose actions it contains.
    cited = [m for m in PRIVILEGE_ESCALATION_METHODS if m.method_id in cited_ids(found)]
    assert cited and all(method_actions(m) <= method_actions(method) for m in cited), (
        method.method_id,
        found[0].message,
    )


@pytest.mark.parametrize(
    "method", [m for m in PRIVILEGE_ESCALATION_METHODS if len(m.actions) > 1], ids=lambda m: m.method_id
)
def test_each_escalation_method_needs_all_of_its_actions(
    analyzer: PackAnalyzer, method: EscalationMethod
) -> None:
    for missing in sorted(method.actions):
        found = escalations(analyzer, sorted(method.actions - {missing}))
        assert method.method_id not in cited_ids(found), (missing, [d.message for d in found])


@pytest.mark.parametrize(
    "method",
    [m for m in PRIVILEGE_ESCALATION_METHODS if len(m.actions) == 1 and not m.is_pattern],
    ids=lambda m: m.method_id,
)
def test_escalation_scoped_to_the_callers_own_user_is_blocked_only_for_own_permissions(
    analyzer: PackAnalyzer, method: EscalationMethod
) -> None:
    own = "arn:aws:iam::111111111111:user/${aws:username}"
    found = escalations(analyzer, sorted(method.actions), own)
    # Changing one's own permissions (attach, put, delete a boundary) escalates; a key or password of
    # one's own does not. The catalog's access level tells the two apart.
    (action,) = method.actions
    mandatory = [d for d in found if d.enforcement_level == "mandatory"]
    assert bool(mandatory) is changes_permissions(action), [d.message for d in found]


RISKY_READS = sorted(CREDENTIALS_EXPOSURE_ACTIONS | DATA_EXFILTRATION_ACTIONS)


@pytest.mark.parametrize("action", RISKY_READS)
def test_each_credentials_or_exfiltration_action_on_everything_is_reported(
    analyzer: PackAnalyzer, action: str
) -> None:
    found = analyzer.resource(types.ROLE_POLICY, {"role": "r", "policy": policy_json([action])})
    risky = [
        d
        for d in found
        if d.policy_name == "risky-actions-unconstrained" and d.finding.startswith("[IAM-RISK-001]")
    ]
    assert len(risky) == 1 and action in risky[0].message
    assert risky[0].enforcement_level == "advisory"
    scoped = analyzer.resource(
        types.ROLE_POLICY, {"role": "r", "policy": policy_json([action], "arn:aws:s3:::one/x")}
    )
    assert not [d for d in scoped if d.finding.startswith("[IAM-RISK-001]")]


@pytest.mark.parametrize("action", sorted(ACCESS_LEVEL_OVERRIDES))
def test_each_access_level_override_decides_the_modify_finding(analyzer: PackAnalyzer, action: str) -> None:
    found = analyzer.resource(types.ROLE_POLICY, {"role": "r", "policy": policy_json([action])})
    modify = [d for d in found if d.finding.startswith("[IAM-RISK-002]")]
    expected = ACCESS_LEVEL_OVERRIDES[action] in ("Write", PERMISSIONS_MANAGEMENT) and not is_unrestrictable(
        action
    )
    assert bool(modify) is expected
    if expected:
        assert action in modify[0].message


@pytest.mark.parametrize("policy_name", sorted(PRIVILEGED_MANAGED_POLICIES))
def test_each_privileged_managed_policy_is_blocked_on_a_group(
    analyzer: PackAnalyzer, policy_name: str
) -> None:
    group = FakeResource(types.GROUP, "ops", {"name": "ops"})
    attachment = FakeResource(
        types.GROUP_POLICY_ATTACHMENT,
        "ops-attach",
        {"group": "ops", "policyArn": f"arn:aws:iam::aws:policy/{policy_name}"},
        depends_on=(group,),
        property_dependencies={"group": (group,)},
    )
    found = [
        d for d in analyzer.stack([group, attachment]) if d.policy_name == "no-privileged-managed-policy"
    ]
    assert [(d.urn, d.enforcement_level) for d in found] == [(attachment.urn, "mandatory")]
    assert policy_name in found[0].message
