"""Grants that used to pass every mandatory rule, each sent through the real pack process: an admin tier
managed in another stack, a document over IAM's size limit, a condition operator IAM does not have, a
role without a trust policy."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from iam_guard import aws_managed
from iam_guard import types as t
from iam_guard.condition_operators import compile_condition
from iam_guard.documents import Condition, parse_lenient
from iam_guard.operator_names import CONDITION_OPERATORS

from components.iam_limits import CONDITION_OPERATORS as PROGRAM_OPERATORS
from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import IN_FORCE, UNKNOWN, FakeResource, PackAnalyzer

ACCOUNT = "123456789012"
FINDING_ID = re.compile(r"\b(?:IAM|PACK)-[A-Z]+-\d{3}\b")
MFA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
)
NO_MFA_TRUST = MFA_TRUST.replace(', "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}', "")
# Every rule that spares admin tiers, told that SOC_Administrator is one.
ADMIN_TIER_RULES = (
    "no-full-admin-access",
    "no-privilege-escalation",
    "no-privilege-escalation-across-policies",
    "no-compute-takeover",
    "no-service-wildcard",
    "no-privileged-managed-policy",
    "risky-actions-unconstrained",
)
SOC_TIERS = {rule: {"admin_tiers": ["SOC_Administrator"]} for rule in ADMIN_TIER_RULES}
VALIDITY_EXEMPT = {
    "iam-policy-document-valid": {
        "exemptions": [
            {
                "resource": "legacy",
                "reason": "imported as-is, rewritten in TICKET-42",
                "expires": IN_FORCE,
            }
        ]
    }
}
VALIDITY_ADVISORY = {"iam-policy-document-valid": "advisory"}


def document(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def mandatory(diagnostics: list[Diagnostic]) -> set[tuple[str, str]]:
    """(policy, finding ID) of each mandatory diagnostic."""
    return {
        (d.policy_name, match.group(0))
        for d in diagnostics
        if d.enforcement_level == "mandatory" and (match := FINDING_ID.search(d.finding))
    }


def of_rule(diagnostics: list[Diagnostic], policy: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.policy_name == policy]


def role_policy(
    role: str, policy: str, name: str | None = None, owner: FakeResource | None = None
) -> FakeResource:
    return FakeResource(
        t.ROLE_POLICY,
        name or f"{role}-inline",
        {"role": role, "policy": policy},
        depends_on=(owner,) if owner else (),
        property_dependencies={"role": (owner,)} if owner else {},
    )


def soc_role(trust: Any = MFA_TRUST) -> FakeResource:
    return FakeResource(t.ROLE, "SOC_Administrator", {"name": "SOC_Administrator", "assumeRolePolicy": trust})


# --- 1. an admin tier managed in another stack -------------------------------------------------------

ADMIN_LIKE_GRANTS = {
    "iam-star-without-pass-role": document(allow("iam:*"), deny("iam:PassRole")),
    "five-services-without-pass-role": document(
        allow(["iam:*", "sts:*", "ec2:*", "s3:*", "lambda:*"]), deny("iam:PassRole")
    ),
    "attach-role-policy-on-star": document(allow("iam:AttachRolePolicy")),
}


@pytest.mark.parametrize("grant", sorted(ADMIN_LIKE_GRANTS))
def test_admin_like_grant_to_an_admin_tier_outside_the_stack_is_mandatory(
    analyzer: PackAnalyzer, grant: str
) -> None:
    policy = role_policy("SOC_Administrator", ADMIN_LIKE_GRANTS[grant])
    with analyzer.configured(SOC_TIERS):
        diagnostics = analyzer.stack([policy])
    assert ("no-full-admin-access", "IAM-ADMIN-002") in mandatory(diagnostics)
    [finding] = of_rule(diagnostics, "no-full-admin-access")
    assert finding.urn == policy.urn
    assert "admin tier role 'SOC_Administrator' is not managed in this stack" in finding.finding
    assert "iam:attachrolepolicy" in finding.finding and "SOC_Administrator-inline" in finding.finding


@pytest.mark.parametrize("grant", sorted(ADMIN_LIKE_GRANTS))
def test_the_same_grant_to_any_other_role_outside_the_stack_is_blocked_too(
    analyzer: PackAnalyzer, grant: str
) -> None:
    policy = role_policy("SOC_Analyst", ADMIN_LIKE_GRANTS[grant])
    with analyzer.configured(SOC_TIERS):
        assert mandatory(analyzer.stack([policy]) + analyzer.resource(policy.type, policy.props))


@pytest.mark.parametrize("grant", sorted(ADMIN_LIKE_GRANTS))
def test_the_same_grant_to_an_mfa_gated_admin_tier_in_the_stack_passes(
    analyzer: PackAnalyzer, grant: str
) -> None:
    tier = soc_role()
    policy = role_policy("SOC_Administrator", ADMIN_LIKE_GRANTS[grant], owner=tier)
    with analyzer.configured(SOC_TIERS):
        diagnostics = analyzer.stack([tier, policy])
        diagnostics += analyzer.resource(policy.type, policy.props, name=policy.name)
    assert mandatory(diagnostics) == set()


def test_the_same_grant_to_an_admin_tier_in_the_stack_without_mfa_is_mandatory(
    analyzer: PackAnalyzer,
) -> None:
    tier = soc_role(NO_MFA_TRUST)
    policy = role_policy("SOC_Administrator", ADMIN_LIKE_GRANTS["attach-role-policy-on-star"], owner=tier)
    with analyzer.configured(SOC_TIERS):
        diagnostics = analyzer.stack([tier, policy])
    [finding] = of_rule(diagnostics, "no-full-admin-access")
    assert finding.enforcement_level == "mandatory" and finding.urn == tier.urn
    assert "[IAM-ADMIN-002]" in finding.finding and "can be assumed without MFA" in finding.finding


def test_a_read_only_grant_to_an_admin_tier_outside_the_stack_passes(analyzer: PackAnalyzer) -> None:
    policy = role_policy("SOC_Administrator", document(allow(["iam:Get*", "iam:List*", "s3:GetObject"])))
    with analyzer.configured(SOC_TIERS):
        assert of_rule(analyzer.stack([policy]), "no-full-admin-access") == []


# --- 2. a document over IAM's size limit --------------------------------------------------------------

PAD = 22_000
PADDED_ADMIN = {
    "long-sid": document({"Sid": "A" * PAD, **allow("*")}),
    "long-resource-list": document(
        allow("*", ["*"] + [f"arn:aws:s3:::bucket-{i}" for i in range(PAD // 24)])
    ),
    "long-condition-values": document(
        allow(
            "*",
            Condition={"StringEquals": {"aws:RequestedRegion": [f"region-{i}" for i in range(PAD // 10)]}},
        )
    ),
}


def _size(text: str) -> int:
    return len(re.sub(r"\s", "", text))


@pytest.mark.parametrize("padding", sorted(PADDED_ADMIN))
@pytest.mark.parametrize("validity", [VALIDITY_EXEMPT, VALIDITY_ADVISORY], ids=["exempted", "advisory"])
def test_star_on_star_padded_past_the_limit_is_mandatory_without_the_validity_rule(
    analyzer: PackAnalyzer, padding: str, validity: Mapping[str, Any]
) -> None:
    text = PADDED_ADMIN[padding]
    assert 20_000 < _size(text) < 16 * 10_240
    policy = role_policy("ci", text, name="legacy")
    with analyzer.configured(validity):
        stack = analyzer.stack([policy])
        resource = analyzer.resource(policy.type, policy.props, name=policy.name)
    found = mandatory(stack + resource)
    assert ("no-full-admin-access", "IAM-ADMIN-001") in found
    assert ("no-privilege-escalation", "IAM-ESC-001") in found
    assert ("no-service-wildcard", "IAM-WILDCARD-001") in found
    assert not any(policy == "iam-policy-document-valid" for policy, _ in found)
    [admin] = of_rule(stack, "no-full-admin-access")
    assert "over IAM's limit of 10,240 characters" in admin.finding and "split it" in admin.finding


def test_the_validity_rule_says_the_document_is_over_the_limit_and_how_to_fix(analyzer: PackAnalyzer) -> None:
    diagnostics = analyzer.resource(t.ROLE_POLICY, {"role": "ci", "policy": PADDED_ADMIN["long-sid"]})
    [valid] = of_rule(diagnostics, "iam-policy-document-valid")
    assert valid.enforcement_level == "mandatory"
    assert "IAM accepts no document over 10240" in valid.finding and "split it into policies" in valid.finding


def _sagemaker_text() -> str:
    policy = aws_managed.lookup("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    assert policy is not None
    return policy.document_text


def test_a_customer_copy_of_a_large_aws_managed_policy_is_mandatory(analyzer: PackAnalyzer) -> None:
    text = _sagemaker_text()
    assert _size(text) > 10_240
    copy = FakeResource(t.POLICY, "legacy", {"name": "SageMakerCopy", "policy": text})
    with analyzer.configured(VALIDITY_EXEMPT):
        stack = analyzer.stack([copy])
        resource = analyzer.resource(copy.type, copy.props, name=copy.name)
    found = mandatory(stack + resource)
    assert ("no-full-admin-access", "IAM-ADMIN-001") in found
    assert ("no-privilege-escalation", "IAM-ESC-001") in found


def test_the_aws_managed_policy_itself_is_read_as_written(analyzer: PackAnalyzer) -> None:
    # AWS's own documents count against no customer quota: attaching it is no admin grant.
    group = FakeResource(t.GROUP, "scientists", {"name": "scientists"})
    attachment = FakeResource(
        t.GROUP_POLICY_ATTACHMENT,
        "scientists-sagemaker",
        {"group": "scientists", "policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"},
        property_dependencies={"group": (group,)},
    )
    diagnostics = analyzer.stack([group, attachment])
    assert of_rule(diagnostics, "no-full-admin-access") == []
    assert of_rule(diagnostics, "policy-size-quota") == []


# --- 3. a condition operator IAM does not have ----------------------------------------------------------

BAD_OPERATORS = {
    "StringEqualsX": "StringEquals",
    "ForAnyValue:Bogus": "ForAnyValue:Bool",
    "IfExistsStringEquals": "StringEqualsIfExists",
    "StringIfExistsEquals": "StringEqualsIfExists",
    "NullIfExists": "Null",
    "stringEquals": "StringEquals",
}


@pytest.mark.parametrize("operator", sorted(BAD_OPERATORS))
def test_an_unknown_condition_operator_in_another_programs_document_is_mandatory(
    analyzer: PackAnalyzer, operator: str
) -> None:
    policy = document(
        allow("s3:GetObject", "arn:aws:s3:::reports/*"),
        allow("s3:ListBucket", "arn:aws:s3:::reports", Condition={operator: {"s3:prefix": "x"}}),
    )
    diagnostics = analyzer.resource(t.ROLE_POLICY, {"role": "reader", "policy": policy}, name="reader-inline")
    assert ("iam-policy-document-valid", "IAM-DOC-001") in mandatory(diagnostics)
    [valid] = of_rule(diagnostics, "iam-policy-document-valid")
    assert (
        f"reader-inline.policy: Statement[1].Condition: unknown condition operator '{operator}'"
        in valid.finding
    )
    assert f"did you mean '{BAD_OPERATORS[operator]}'?" in valid.finding


def test_a_condition_under_an_unknown_operator_narrows_nothing(analyzer: PackAnalyzer) -> None:
    # Read as written, iam:PolicyARN would bind the attachable policy to ReadOnlyAccess.
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    props = {
        "role": "ci",
        "policy": document(
            allow("iam:AttachRolePolicy", Condition={"ArnEqualsX": {"iam:PolicyARN": readonly}})
        ),
    }
    with analyzer.configured(VALIDITY_ADVISORY):
        found = mandatory(analyzer.resource(t.ROLE_POLICY, props, name="legacy"))
    assert ("no-privilege-escalation", "IAM-ESC-001") in found
    spelt_right = {**props, "policy": props["policy"].replace("ArnEqualsX", "ArnEquals")}
    assert mandatory(analyzer.resource(t.ROLE_POLICY, spelt_right, name="legacy")) == set()


def test_a_deny_under_an_unknown_operator_denies_nothing() -> None:
    parsed = parse_lenient(
        document(
            allow("s3:*"), deny("s3:DeleteObject", Condition={"BoolX": {"aws:SecureTransport": "false"}})
        )
    )
    assert [statement.effect for statement in parsed.statements] == ["Allow"]
    assert parsed.problems == (
        "Statement[1].Condition: unknown condition operator 'BoolX'; did you mean 'Bool'? (IAM refuses the "
        "document: use an operator such as StringEquals, with an optional IfExists suffix or "
        "ForAllValues:/ForAnyValue: prefix)",
    )


def test_the_pack_knows_the_operators_the_program_knows_and_evaluates_each() -> None:
    assert CONDITION_OPERATORS == PROGRAM_OPERATORS
    for operator in sorted(CONDITION_OPERATORS):
        compile_condition(Condition(operator, "aws:username", ("1",)))  # raises for an operator it lacks


# --- 4. a role without a trust policy ----------------------------------------------------------------


@pytest.mark.parametrize("trust", [None, "", "  ", {}], ids=["absent", "empty", "blank", "empty-object"])
def test_a_role_without_a_trust_policy_is_mandatory(analyzer: PackAnalyzer, trust: Any) -> None:
    props: dict[str, Any] = {"name": "orphan"}
    if trust is not None:
        props["assumeRolePolicy"] = trust
    diagnostics = analyzer.resource(t.ROLE, props, name="orphan")
    assert ("role-trust-safe", "IAM-TRUST-006") in mandatory(diagnostics)
    [missing] = [d for d in of_rule(diagnostics, "role-trust-safe") if "IAM-TRUST-006" in d.finding]
    assert "orphan has" in missing.finding and "assumeRolePolicy" in missing.finding


def test_a_trust_policy_unknown_in_preview_waits_for_the_update(analyzer: PackAnalyzer) -> None:
    role = FakeResource(t.ROLE, "later", {"name": "later", "assumeRolePolicy": UNKNOWN})
    diagnostics = analyzer.resource(role.type, role.props, name=role.name) + analyzer.stack([role])
    assert of_rule(diagnostics, "role-trust-safe") == []
    [preview] = of_rule(diagnostics, "preview-unresolved-values")
    assert preview.enforcement_level == "advisory" and "assumeRolePolicy" in preview.finding


def test_a_trust_policy_over_the_limit_is_read_as_trusting_anyone(analyzer: PackAnalyzer) -> None:
    padded = json.loads(MFA_TRUST)
    padded["Statement"][0]["Sid"] = "A" * PAD
    with analyzer.configured(VALIDITY_ADVISORY):
        diagnostics = analyzer.resource(t.ROLE, {"name": "ops", "assumeRolePolicy": json.dumps(padded)})
    assert ("role-trust-safe", "IAM-TRUST-001") in mandatory(diagnostics)
