"""Exemptions that expire, judged by a pack whose clock is fixed (`IAMTIERS_TODAY`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from iam_guard import types

from offline.judging.analyzer_client import PACK_DIR, Diagnostic, PolicyConfigError, PolicyPackProcess
from tests.policypack.conftest import FakeResource

TODAY = "2026-06-30"
USER_POLICY = {"user": "alice", "name": "alice-inline", "policy": '{"Version":"2012-10-17","Statement":[]}'}


@pytest.fixture(scope="module")
def pack_on_a_fixed_day() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK_DIR, env={"IAMTIERS_TODAY": TODAY}) as pack:
        yield pack


def exemption(expires: str, **extra: Any) -> dict[str, Any]:
    return {"resource": "alice-inline", "reason": "migration ticket SEC-1234", "expires": expires, **extra}


def user_policy_findings(pack: PolicyPackProcess, *exemptions: dict[str, Any]) -> list[Diagnostic]:
    pack.configure({"no-user-policies": {"exemptions": list(exemptions)}} if exemptions else {})
    try:
        resource = FakeResource(types.USER_POLICY, "alice-inline", USER_POLICY)
        return [d for d in pack.analyze(resource.registration()) if d.policy_name == "no-user-policies"]
    finally:
        pack.configure({})


def test_without_an_exemption_the_finding_stands(pack_on_a_fixed_day: PolicyPackProcess) -> None:
    assert [d.finding[:14] for d in user_policy_findings(pack_on_a_fixed_day)] == ["[IAM-USER-001]"]


def test_an_exemption_applies_up_to_and_including_its_expiry(pack_on_a_fixed_day: PolicyPackProcess) -> None:
    assert user_policy_findings(pack_on_a_fixed_day, exemption(TODAY)) == []
    assert user_policy_findings(pack_on_a_fixed_day, exemption("2026-12-27", owner="secops")) == []  # day 180


def test_after_its_expiry_the_violation_comes_back_saying_when(
    pack_on_a_fixed_day: PolicyPackProcess,
) -> None:
    (found,) = user_policy_findings(pack_on_a_fixed_day, exemption("2026-06-29", owner="secops"))
    assert found.enforcement_level == "mandatory"
    assert found.finding.startswith("[IAM-USER-001]")
    assert "its exemption for 'alice-inline', owner secops expired on 2026-06-29" in found.message


def test_an_exemption_in_force_wins_over_an_expired_one(pack_on_a_fixed_day: PolicyPackProcess) -> None:
    assert user_policy_findings(pack_on_a_fixed_day, exemption("2026-01-31"), exemption("2026-07-31")) == []


def test_expiry_is_judged_at_stack_level_too(pack_on_a_fixed_day: PolicyPackProcess) -> None:
    group = FakeResource(types.GROUP, "Ops", {"name": "Ops"})
    attachment = FakeResource(
        types.GROUP_POLICY_ATTACHMENT,
        "Ops-admin",
        {"group": "Ops", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        depends_on=(group,),
        property_dependencies={"group": (group,)},
    )

    def findings(expires: str) -> list[Diagnostic]:
        entry = {"resource": "Ops-admin", "reason": "vendor bootstrap, SEC-5", "expires": expires}
        pack_on_a_fixed_day.configure({"no-privileged-managed-policy": {"exemptions": [entry]}})
        try:
            stack = pack_on_a_fixed_day.analyze_stack([group.registration(), attachment.registration()])
            return [d for d in stack if d.policy_name == "no-privileged-managed-policy"]
        finally:
            pack_on_a_fixed_day.configure({})

    assert findings("2026-07-01") == []
    (expired,) = findings("2026-06-01")
    assert "expired on 2026-06-01" in expired.message


def test_a_clock_that_is_not_a_date_fails_closed() -> None:
    with (
        PolicyPackProcess(PACK_DIR, env={"IAMTIERS_TODAY": "tomorrow"}) as pack,
        pytest.raises(PolicyConfigError, match=r"IAMTIERS_TODAY='tomorrow' is not an ISO date"),
    ):
        pack.configure({"no-user-policies": {"exemptions": [exemption("2026-06-29")]}})
