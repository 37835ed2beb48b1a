"""The Analyzer protocol against the real pack process: info, Analyze, AnalyzeStack, Configure.

These pin the harness (what is sent, how answers are attributed), not the rules: assertions on
findings look only at `no-user-policies`, so rules added to the pack do not break them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from offline.judging.analyzer_client import (
    PACK_DIR,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    analyze_request,
    analyze_stack_request,
)
from offline.running.engine import StackRun
from tests.policypack.conftest import UNKNOWN, FakeResource, PackAnalyzer, fake_urn, secret

USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP = "aws:iam/group:Group"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
NO_USER_POLICIES = "no-user-policies"
READ_ONE_BUCKET = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
    }
)
USER_POLICY_PROPS = {"user": "alice", "name": "alice-inline", "policy": READ_ONE_BUCKET}


def no_user_policies(analyzer: PackAnalyzer) -> list[str]:
    """The enforcement levels `no-user-policies` reports for alice's inline policy."""
    diagnostics = analyzer.resource(USER_POLICY, USER_POLICY_PROPS, name="alice-inline")
    return [d.enforcement_level for d in diagnostics if d.policy_name == NO_USER_POLICIES]


# --- GetAnalyzerInfo ---


def test_info_lists_no_user_policies_as_mandatory(policy_pack: PolicyPackProcess) -> None:
    info = policy_pack.info()
    assert info.name == "iamtiers-guardrails"
    assert info.supportsConfig
    policies = {policy.name: policy for policy in info.policies}
    assert policies[NO_USER_POLICIES].enforcementLevel == analyzer_pb2.MANDATORY
    assert policies[NO_USER_POLICIES].policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE


def test_version_comes_from_pulumi_policy_yaml(policy_pack: PolicyPackProcess) -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert policy_pack.version == str(manifest["version"])


# --- Analyze ---


def test_policy_on_a_user_is_one_mandatory_diagnostic(analyzer: PackAnalyzer) -> None:
    diagnostics = analyzer.resource(USER_POLICY, USER_POLICY_PROPS, name="alice-inline")
    [finding] = [d for d in diagnostics if d.policy_name == NO_USER_POLICIES]
    assert finding.enforcement_level == "mandatory"
    assert finding.urn == fake_urn(USER_POLICY, "alice-inline")
    assert (finding.resource_type, finding.resource_name) == (USER_POLICY, "alice-inline")
    assert finding.description and finding.message.startswith(finding.description + "\n")
    assert "alice-inline" in finding.finding


def test_group_has_no_diagnostic(analyzer: PackAnalyzer) -> None:
    assert analyzer.resource(GROUP, {"name": "SOC_Admins", "path": "/"}, name="SOC_Admins") == []


def test_unknowns_and_secrets_reach_the_pack_in_wire_form(analyzer: PackAnalyzer) -> None:
    # A preview-time registration: the policy text is unknown, the user name a secret.
    diagnostics = analyzer.resource(USER_POLICY, {"user": secret("alice"), "policy": UNKNOWN}, name="p")
    assert [d.policy_name for d in diagnostics].count(NO_USER_POLICIES) == 1


def test_diagnostics_are_attributed_to_the_analyzed_resource(analyzer: PackAnalyzer) -> None:
    urn = "urn:pulumi:dev::iamtiers::pulumi:pulumi:Stack$iamtiers:index:User$" + USER_POLICY + "::x"
    diagnostics = analyzer.resource(USER_POLICY, USER_POLICY_PROPS, name="x", urn=urn)
    assert diagnostics and {d.urn for d in diagnostics} == {urn}


def test_analyze_request_carries_parent_and_drops_internal_keys() -> None:
    child = FakeResource(
        USER_POLICY, "p", {"user": "alice", "__defaults": []}, parent=FakeResource(GROUP, "g")
    )
    request = analyze_request(child.registration())
    assert (request.type, request.name, request.urn) == (USER_POLICY, "p", child.urn)
    assert request.options.parent == fake_urn(GROUP, "g")
    assert request.options.HasField("customTimeouts")
    assert json_format.MessageToDict(request.properties) == {"user": "alice"}
    remediate = analyze_request(child.registration(), internal_keys=True)
    assert "__defaults" in json_format.MessageToDict(remediate.properties)


# --- AnalyzeStack ---


def graph() -> list[FakeResource]:
    group = FakeResource(GROUP, "admins", {"name": "admins", "arn": "arn:aws:iam::111111111111:group/admins"})
    policy = FakeResource(
        GROUP_POLICY,
        "admins-inline",
        {"group": "admins", "policy": READ_ONE_BUCKET},
        parent=group,
        depends_on=(group,),
        property_dependencies={"group": (group,), "policy": ()},
    )
    return [group, policy]


def test_analyze_stack_request_round_trips_the_graph() -> None:
    group, policy = graph()
    request = analyze_stack_request([group.registration(), policy.registration()])
    sent = analyzer_pb2.AnalyzeStackRequest.FromString(request.SerializeToString())
    assert [r.urn for r in sent.resources] == [group.urn, policy.urn]
    child = sent.resources[1]
    assert (child.type, child.name, child.parent) == (GROUP_POLICY, "admins-inline", group.urn)
    assert list(child.dependencies) == [group.urn]
    assert {key: list(deps.urns) for key, deps in child.propertyDependencies.items()} == {
        "group": [group.urn]
    }
    assert child.options.parent == ""  # the engine puts the parent in the top-level field only
    assert json_format.MessageToDict(child.properties) == dict(policy.props)
    assert sent.resources[0].parent == ""


def test_analyze_stack_runs_on_a_small_stack(analyzer: PackAnalyzer) -> None:
    resources = graph()
    diagnostics = analyzer.stack(resources)
    known = {resource.urn: resource.name for resource in resources}
    for diagnostic in diagnostics:
        if diagnostic.urn in known:
            assert diagnostic.resource_name == known[diagnostic.urn]


# --- Configure ---


def test_configure_downgrades_and_the_default_comes_back(analyzer: PackAnalyzer) -> None:
    with analyzer.configured({NO_USER_POLICIES: "advisory"}):
        assert no_user_policies(analyzer) == ["advisory"]
    assert no_user_policies(analyzer) == ["mandatory"]


@pytest.mark.parametrize(
    ("config", "levels"),
    [
        ({NO_USER_POLICIES: {"enforcementLevel": "disabled"}}, []),
        ({"all": "advisory"}, ["advisory"]),
        ({"all": "advisory", NO_USER_POLICIES: "mandatory"}, ["mandatory"]),
        ({NO_USER_POLICIES: "remediate"}, ["mandatory"]),  # a violation left after remediation
    ],
    ids=["object-form-disabled", "all", "policy-beats-all", "remediate"],
)
def test_configure_shapes(analyzer: PackAnalyzer, config: dict[str, object], levels: list[str]) -> None:
    with analyzer.configured(config):
        assert no_user_policies(analyzer) == levels


def test_unknown_policy_name_is_a_clear_error(analyzer: PackAnalyzer) -> None:
    with pytest.raises(ValueError, match="unknown policy 'no-user-policy'") as raised:
        analyzer.pack.configure({"no-user-policy": "advisory"})
    assert isinstance(raised.value, PolicyConfigError)
    assert "did you mean 'no-user-policies'?" in str(raised.value)
    assert NO_USER_POLICIES in str(raised.value).split("has: ")[1].split(", ")
    assert no_user_policies(analyzer) == ["mandatory"]  # nothing was sent


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({NO_USER_POLICIES: "Advisory"}, "no-user-policies: 'Advisory' is not a valid enforcement level"),
        ({NO_USER_POLICIES: {"enforcementLevel": 1}}, "no-user-policies.enforcementLevel: 1 is not"),
        ({NO_USER_POLICIES: ["advisory"]}, "no-user-policies: ['advisory'] is not valid"),
    ],
    ids=["level-case", "level-type", "value-type"],
)
def test_bad_config_values_name_the_key(
    analyzer: PackAnalyzer, config: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyConfigError) as raised:
        analyzer.pack.configure(config)
    assert message in str(raised.value)


# --- the shipped stack ---


def test_dev_stack_runs_through_the_gate(analyzer: PackAnalyzer, dev_run: StackRun) -> None:
    result = analyzer.run(dev_run)
    assert result.mode == ("preview" if dev_run.preview else "update")
    assert result.analyzed == len(dev_run.registrations)  # components and the stack included
    urns = {registration.urn for registration in dev_run.registrations}
    assert {d.urn for d in result.diagnostics} <= urns
    assert [d for d in result.diagnostics if d.policy_name == NO_USER_POLICIES] == []


# --- process lifecycle ---


def fake_pack(tmp_path: Path, main: str) -> Path:
    (tmp_path / "__main__.py").write_text(main)
    return tmp_path


def test_pack_that_dies_reports_its_stderr(tmp_path: Path) -> None:
    pack = fake_pack(
        tmp_path, "import sys\nsys.stderr.write('ModuleNotFoundError: iam_guard\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(PolicyPackError, match="exited with code 3") as raised:
        PolicyPackProcess(pack)
    assert "ModuleNotFoundError: iam_guard" in str(raised.value)


def test_pack_that_prints_no_port_times_out(tmp_path: Path) -> None:
    pack = fake_pack(tmp_path, "import sys, time\nsys.stderr.write('still importing\\n')\ntime.sleep(60)\n")
    with pytest.raises(PolicyPackError, match="printed no port within 1s") as raised:
        PolicyPackProcess(pack, start_timeout=1)
    assert "still importing" in str(raised.value)


def test_pack_that_prints_something_else(tmp_path: Path) -> None:
    pack = fake_pack(tmp_path, "print('hello')\n")
    with pytest.raises(PolicyPackError, match="printed 'hello' where its port was expected"):
        PolicyPackProcess(pack)


def test_directory_without_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"__main__\.py: file not found"):
        PolicyPackProcess(tmp_path)
