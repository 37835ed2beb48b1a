"""Property-based tests: generated documents, garbage included, sent through the real pack process.

Invariants, whatever the document:
- the process never dies and never answers with an RPC error (the client raises on either);
- a document that cannot be analysed draws a mandatory finding;
- adding an Allow statement never removes a finding.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from iam_guard import types as t

from offline.judging.analyzer_client import Diagnostic, PolicyPackProcess
from tests.policypack.conftest import FakeResource, PackAnalyzer

FINDING_ID = re.compile(r"\b(?:IAM|PACK)-[A-Z]+-\d{3}\b")
PROPERTY_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=24,
)
# Real actions and patterns, risky and harmless, plus one that does not exist.
ACTIONS = st.sampled_from(
    [
        "*",
        "iam:*",
        "iam:PassRole",
        "iam:CreatePolicyVersion",
        "iam:AttachUserPolicy",
        "iam:CreateAccessKey",
        "ec2:RunInstances",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
        "s3:GetObject",
        "s3:*",
        "sts:AssumeRole",
        "kms:Decrypt",
        "s3:GetObjekt",
    ]
)
RESOURCES = st.sampled_from(
    ["*", "arn:aws:s3:::reports/*", "arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:user/*"]
)
CONDITIONS = st.sampled_from(
    [
        None,
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    ]
)


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(st.lists(ACTIONS, min_size=1, max_size=3)),
        draw(st.sampled_from(["Resource", "Resource", "NotResource"])): draw(
            st.lists(RESOURCES, min_size=1, max_size=2)
        ),
    }
    if (condition := draw(CONDITIONS)) is not None:
        statement["Condition"] = condition
    return statement


def policy_document(statement_list: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statement_list})


def findings(diagnostics: list[Diagnostic]) -> set[tuple[str, str, str]]:
    """(policy, finding ID, level) of each diagnostic: what a finding is, without its wording."""
    found = set()
    for diagnostic in diagnostics:
        match = FINDING_ID.search(diagnostic.finding)
        found.add((diagnostic.policy_name, match.group(0) if match else "", diagnostic.enforcement_level))
    return found


def analysed_everywhere(analyzer: PackAnalyzer, document: Any) -> set[tuple[str, str, str]]:
    """Findings for the document as a group's inline policy: Analyze, then AnalyzeStack with the group."""
    group = FakeResource(t.GROUP, "g", {"name": "g"})
    inline = FakeResource(t.GROUP_POLICY, "g-inline", {"group": "g", "policy": document})
    return findings(analyzer.resource(t.GROUP_POLICY, inline.props, name="g-inline")) | findings(
        analyzer.stack([group, inline])
    )


def _is_policy_shaped(value: Any) -> bool:
    text_value = value
    if isinstance(value, str):
        try:
            text_value = json.loads(value)
        except ValueError:
            return False
    return isinstance(text_value, dict) and text_value.get("Version") == "2012-10-17"


@PROPERTY_SETTINGS
@given(garbage=st.one_of(JSON_VALUES, JSON_VALUES.map(json.dumps), st.text(max_size=200)))
def test_garbage_draws_a_mandatory_finding_and_the_pack_lives(
    analyzer: PackAnalyzer, policy_pack: PolicyPackProcess, garbage: Any
) -> None:
    # Without Version "2012-10-17" nothing is a policy document AWS would analyse as one.
    assume(garbage is not None and not _is_policy_shaped(garbage))
    found = analysed_everywhere(analyzer, garbage)
    assert any(level == "mandatory" for _, _, level in found), found
    assert policy_pack._process.poll() is None


@PROPERTY_SETTINGS
@given(
    statement_list=st.lists(statements(), min_size=1, max_size=4),
    mangled=st.dictionaries(
        st.sampled_from(["Effect", "Action", "Resource", "Condition", "Principal", "Effects"]),
        JSON_VALUES,
        min_size=1,
        max_size=2,
    ),
    position=st.integers(min_value=0, max_value=3),
)
def test_a_mangled_statement_draws_a_mandatory_finding(
    analyzer: PackAnalyzer,
    statement_list: list[dict[str, Any]],
    mangled: dict[str, Any],
    position: int,
) -> None:
    index = position % len(statement_list)
    broken = {**statement_list[index], **mangled}
    # Only keep manglings that make the statement one IAM refuses: a value of the wrong shape.
    assume(
        broken.get("Effect") not in ("Allow", "Deny")
        or "Effects" in broken
        or "Principal" in broken
        or not isinstance(broken.get("Action", broken.get("NotAction")), (str, list))
    )
    statement_list = [*statement_list[:index], broken, *statement_list[index + 1 :]]
    found = analysed_everywhere(analyzer, policy_document(statement_list))
    assert ("iam-policy-document-valid", "IAM-DOC-001", "mandatory") in found


@PROPERTY_SETTINGS
@given(
    statement_list=st.lists(statements(), min_size=1, max_size=4),
    extra=statements(effect="Allow"),
    as_object=st.booleans(),
)
def test_adding_an_allow_never_removes_a_finding(
    analyzer: PackAnalyzer, statement_list: list[dict[str, Any]], extra: dict[str, Any], as_object: bool
) -> None:
    def sent(statements_sent: list[dict[str, Any]]) -> Any:
        text = policy_document(statements_sent)
        return json.loads(text) if as_object else text

    before = analysed_everywhere(analyzer, sent(statement_list))
    after = analysed_everywhere(analyzer, sent([*statement_list, extra]))
    assert before <= after, f"removed by adding {extra}: {sorted(before - after)}"
