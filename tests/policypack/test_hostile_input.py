"""Hostile documents and requests, sent through the real pack process: each fails closed, in
bounded time, and the process keeps answering."""

from __future__ import annotations

import json
import re
from typing import Any

import grpc
import pytest
from iam_guard import types as t
from pulumi.runtime.proto import analyzer_pb2

from offline.judging.analyzer_client import Diagnostic, PolicyPackProcess
from tests.policypack.conftest import IN_FORCE, FakeResource, PackAnalyzer, fake_urn

ACCOUNT = "123456789012"
FINDING_ID = re.compile(r"\b(?:IAM|PACK)-[A-Z]+-\d{3}\b")
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def findings(diagnostics: list[Diagnostic], level: str = "mandatory") -> set[tuple[str, str]]:
    """(policy, finding ID) of each diagnostic at `level`."""
    return {
        (d.policy_name, match.group(0))
        for d in diagnostics
        if d.enforcement_level == level and (match := FINDING_ID.search(d.finding))
    }


def messages(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(d.finding for d in diagnostics)


def trust(principal: Any, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- duplicate keys --------------------------------------------------------------------------------

DUPLICATE_KEY_DOCUMENTS = {
    "Action": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "*", "Action": "s3:GetObject", "Resource": "*"}]}',
    "Effect": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", '
    '"Action": "*", "Resource": "*"}]}',
    "Statement": '{"Version": "2012-10-17", '
    '"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}], '
    '"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
}


@pytest.mark.parametrize("key", sorted(DUPLICATE_KEY_DOCUMENTS))
def test_a_repeated_key_is_malformed_and_names_the_key(analyzer: PackAnalyzer, key: str) -> None:
    diagnostics = analyzer.resource(t.GROUP_POLICY, {"group": "g", "policy": DUPLICATE_KEY_DOCUMENTS[key]})
    assert ("iam-policy-document-valid", "IAM-DOC-001") in findings(diagnostics)
    assert f"duplicate key '{key}'" in messages(diagnostics)


@pytest.mark.parametrize("key", sorted(DUPLICATE_KEY_DOCUMENTS))
def test_a_repeated_key_is_read_for_the_wider_grant(analyzer: PackAnalyzer, key: str) -> None:
    group = FakeResource(t.GROUP, "g", {"name": "g"})
    policy = FakeResource(
        t.GROUP_POLICY,
        "g-inline",
        {"group": "g", "policy": DUPLICATE_KEY_DOCUMENTS[key]},
        property_dependencies={"group": [group]},
    )
    # The admin grant counts wherever a JSON reader could have found it.
    assert ("no-full-admin-access", "IAM-ADMIN-001") in findings(analyzer.stack([group, policy]))


# --- trust principals ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Service", "Federated"])
def test_a_wildcard_service_or_federated_principal_is_mandatory(analyzer: PackAnalyzer, kind: str) -> None:
    role = {"name": "r", "assumeRolePolicy": trust({kind: "*"})}
    diagnostics = analyzer.resource(t.ROLE, role)
    assert ("role-trust-safe", "IAM-TRUST-001") in findings(diagnostics)
    assert f"{kind}: *" in messages(diagnostics)


def test_a_thirteen_digit_account_in_a_principal_is_malformed(analyzer: PackAnalyzer) -> None:
    for principal in ("1234567890123", "arn:aws:iam::1234567890123:root"):
        role = {"name": "r", "assumeRolePolicy": trust({"AWS": principal}, MFA)}
        diagnostics = analyzer.resource(t.ROLE, role)
        assert ("iam-policy-document-valid", "IAM-DOC-001") in findings(diagnostics), principal
        assert "'1234567890123' is not an account id (12 digits)" in messages(diagnostics)


def test_a_twelve_digit_account_in_a_principal_is_well_formed(analyzer: PackAnalyzer) -> None:
    role = {"name": "r", "assumeRolePolicy": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, MFA)}
    assert findings(analyzer.resource(t.ROLE, role)) == set()


# --- admin for roles outside the stack -------------------------------------------------------------


def _role_policy(role: str) -> FakeResource:
    document = json.dumps({"Version": "2012-10-17", "Statement": [ADMIN]})
    return FakeResource(t.ROLE_POLICY, f"{role}-admin", {"role": role, "policy": document})


def test_admin_for_an_admin_tier_outside_the_stack_fails_closed(analyzer: PackAnalyzer) -> None:
    policy = _role_policy("SOC_Administrator")
    with analyzer.configured({"no-full-admin-access": {"admin_tiers": ["SOC_Administrator"]}}):
        diagnostics = analyzer.stack([policy])
    assert ("no-full-admin-access", "IAM-ADMIN-002") in findings(diagnostics)
    [admin] = [d for d in diagnostics if d.policy_name == "no-full-admin-access"]
    assert admin.urn == policy.urn
    assert "not managed in this stack" in admin.finding and "MFA" in admin.finding


def test_admin_for_any_other_role_outside_the_stack_is_reported(analyzer: PackAnalyzer) -> None:
    policy = _role_policy("Contractor")
    diagnostics = analyzer.stack([policy])
    [admin] = [d for d in diagnostics if d.policy_name == "no-full-admin-access"]
    assert admin.enforcement_level == "mandatory" and admin.urn == policy.urn
    assert "role 'Contractor' has full admin" in admin.finding


# --- an exemption from one rule never disables another ---------------------------------------------

ESCALATING_TYPO = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "s3:GetObjekt"], "Resource": "*"}
        ],
    }
)


def test_exempting_the_validity_rule_keeps_every_other_rule(analyzer: PackAnalyzer) -> None:
    props = {"role": "ci", "policy": ESCALATING_TYPO}
    before = findings(analyzer.resource(t.ROLE_POLICY, props, name="legacy"))
    assert ("iam-policy-document-valid", "IAM-DOC-001") in before
    assert ("no-privilege-escalation", "IAM-ESC-001") in before
    exemption = {
        "resource": "legacy",
        "reason": "imported as-is, rewritten in TICKET-42",
        "expires": IN_FORCE,
    }
    with analyzer.configured({"iam-policy-document-valid": {"exemptions": [exemption]}}):
        after = findings(analyzer.resource(t.ROLE_POLICY, props, name="legacy"))
    assert after == before - {("iam-policy-document-valid", "IAM-DOC-001")}


# --- size and depth ----------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _nested_properties(depth: int) -> bytes:
    """A `policy` property nested `depth` objects deep, in wire form, built without recursion.

    Each level is Value{struct_value: Struct{fields: {"a": Value}}}: all its bytes come before the
    inner value, so the message is the levels' prefixes, outermost first, then the innermost value.
    """
    core = b"\x1a\x01x"  # Value{string_value: "x"}
    prefixes: list[bytes] = []
    length = len(core)
    for _ in range(depth):
        entry_prefix = b"\x0a\x01a" + b"\x12" + _varint(length)  # map entry: key "a", value (field 2)
        entry_length = len(entry_prefix) + length
        struct_prefix = b"\x0a" + _varint(entry_length)  # Struct.fields (field 1)
        struct_length = len(struct_prefix) + entry_length
        value_prefix = b"\x2a" + _varint(struct_length)  # Value.struct_value (field 5)
        prefixes.append(value_prefix + struct_prefix + entry_prefix)
        length = len(value_prefix) + struct_length
    value = b"".join(reversed(prefixes)) + core
    entry = b"\x0a\x06policy" + b"\x12" + _varint(len(value)) + value
    return b"\x0a" + _varint(len(entry)) + entry  # Struct.fields


def _raw_request(type_token: str, name: str, properties: bytes) -> bytes:
    urn = fake_urn(type_token, name).encode()

    def field(number: int, payload: bytes) -> bytes:
        return _varint((number << 3) | 2) + _varint(len(payload)) + payload

    return field(1, type_token.encode()) + field(2, properties) + field(3, urn) + field(4, name.encode())


def _call_raw(pack: PolicyPackProcess, method: str, request: bytes, response_type: Any) -> Any:
    call = pack._channel.unary_unary(
        f"/pulumirpc.Analyzer/{method}",
        request_serializer=lambda data: data,
        response_deserializer=response_type.FromString,
    )
    return call(request, timeout=30)


@pytest.mark.parametrize("depth", [200, 1_000, 10_000, 100_000])
def test_deeply_nested_inputs_are_refused_and_the_pack_survives(
    policy_pack: PolicyPackProcess, analyzer: PackAnalyzer, depth: int
) -> None:
    request = _raw_request(t.USER_POLICY, "deep", _nested_properties(depth))
    response = _call_raw(policy_pack, "Analyze", request, analyzer_pb2.AnalyzeResponse)
    [diagnostic] = response.diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "[PACK-INPUT-001]" in diagnostic.message and "64 levels" in diagnostic.message
    assert diagnostic.urn == fake_urn(t.USER_POLICY, "deep")
    assert policy_pack._process.poll() is None
    # Remediate answers too (nothing to remediate), and the next ordinary request is judged as usual.
    assert not _call_raw(policy_pack, "Remediate", request, analyzer_pb2.RemediateResponse).remediations
    assert findings(analyzer.resource(t.GROUP_POLICY, {"group": "g", "policy": "{"})) == {
        ("iam-policy-document-valid", "IAM-DOC-001")
    }


def test_a_deep_resource_in_a_stack_is_refused_and_the_rest_still_judged(
    policy_pack: PolicyPackProcess,
) -> None:
    deep = _raw_request(t.USER_POLICY, "deep", _nested_properties(5_000))
    group = FakeResource(t.GROUP, "admins", {"name": "admins"})
    admin_policy = FakeResource(
        t.GROUP_POLICY,
        "admins-inline",
        {"group": "admins", "policy": json.dumps({"Version": "2012-10-17", "Statement": [ADMIN]})},
    )
    request = analyzer_pb2.AnalyzeStackRequest()
    for resource in (group, admin_policy):
        entry = request.resources.add(type=resource.type, urn=resource.urn, name=resource.name)
        entry.properties.update(dict(resource.props))
    # AnalyzerResource shares AnalyzeRequest's first four field numbers: type, properties, urn, name.
    raw = request.SerializeToString() + b"\x0a" + _varint(len(deep)) + deep
    response = _call_raw(policy_pack, "AnalyzeStack", raw, analyzer_pb2.AnalyzeResponse)
    by_urn = {d.urn: d.message for d in response.diagnostics}
    assert "[PACK-INPUT-001]" in by_urn[fake_urn(t.USER_POLICY, "deep")]
    assert "[IAM-ADMIN-001]" in by_urn[group.urn]


def _statements(count: int) -> list[dict[str, Any]]:
    return [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
        for i in range(count)
    ]


def test_a_hundred_thousand_statement_document_is_refused_before_parsing(analyzer: PackAnalyzer) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": _statements(100_000)})
    diagnostics = analyzer.resource(t.POLICY, {"policy": text})
    # Refused by the request limits (the resource is over 256 KiB), before any rule parses it.
    assert findings(diagnostics) == {("iam-policy-document-valid", "PACK-INPUT-001")}
    assert "no IAM resource is over 262,144" in messages(diagnostics)


def test_a_document_just_over_the_largest_quota_is_malformed(analyzer: PackAnalyzer) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": _statements(200)})
    assert 10_240 < len(re.sub(r"\s", "", text)) < 16 * 10_240
    diagnostics = analyzer.resource(t.ROLE_POLICY, {"role": "r", "policy": text})
    assert "characters without whitespace; IAM accepts no document over 10240" in messages(diagnostics)


def test_an_oversized_iam_resource_in_object_form_is_refused(analyzer: PackAnalyzer) -> None:
    document = {"Version": "2012-10-17", "Statement": _statements(20_000)}
    diagnostics = analyzer.resource(t.POLICY, {"policy": document})
    assert findings(diagnostics) == {("iam-policy-document-valid", "PACK-INPUT-001")}
    assert "no IAM resource is over 262,144" in messages(diagnostics)


def test_a_document_nested_in_its_own_json_text_is_malformed(analyzer: PackAnalyzer) -> None:
    text = '{"Version": "2012-10-17", "Statement": ' + "[" * 5_000 + "]" * 5_000 + "}"
    diagnostics = analyzer.resource(t.GROUP_POLICY, {"group": "g", "policy": text})
    assert findings(diagnostics) == {("iam-policy-document-valid", "IAM-DOC-001")}
    assert "nested more than 16 levels deep" in messages(diagnostics)


def test_the_channel_still_answers_after_every_refusal(policy_pack: PolicyPackProcess) -> None:
    assert policy_pack._process.poll() is None
    grpc.channel_ready_future(policy_pack._channel).result(timeout=5)
    assert policy_pack.info().name == "iamtiers-guardrails"
