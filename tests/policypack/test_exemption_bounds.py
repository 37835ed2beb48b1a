"""Exemptions name one resource, expire on a strict ISO day within the pack-wide bound, are stale when
the stack has no such resource, and are judged on a clock that a real engine's start cannot turn back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from iam_guard import types
from iam_guard.exemptions import ExemptionError, parse_exemptions

from offline.judging.analyzer_client import PACK_DIR, Diagnostic, PolicyConfigError, PolicyPackProcess
from offline.reporting.check_report import ReportError, exemptions_in_force
from tests.policypack.conftest import UNKNOWN, FakeResource

TODAY = "2026-06-30"  # the replayed day; 180 days later is 2026-12-27
USER_POLICY = {"user": "alice", "name": "alice-inline", "policy": '{"Version":"2012-10-17","Statement":[]}'}
ALICE_INLINE = FakeResource(types.USER_POLICY, "alice-inline", USER_POLICY)
NOT_ISO_DAYS = [
    "20270401",
    "2027-W13-4",
    "2027-4-1",
    "2027-04-01T00:00",
    "2027-02-30",
    "\uff12\uff10\uff12\uff17-04-01",
]  # the last: full-width digits


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK_DIR, env={"IAMTIERS_TODAY": TODAY}) as started:
        yield started


def exemption(expires: str, resource: str = "alice-inline") -> dict[str, Any]:
    return {"resource": resource, "reason": "migration ticket SEC-1234", "expires": expires}


def refusal(pack: PolicyPackProcess, config: dict[str, Any]) -> str:
    try:
        with pytest.raises(PolicyConfigError) as refused:
            pack.configure(config)
    finally:
        pack.configure({})
    return str(refused.value)


# --- strict ISO days ----------------------------------------------------------------------------


@pytest.mark.parametrize("expires", NOT_ISO_DAYS)
def test_the_pack_reads_only_strict_iso_days(expires: str) -> None:
    with pytest.raises(ExemptionError, match=r"must be the ISO date \(YYYY-MM-DD\)"):
        parse_exemptions([exemption(expires)])


@pytest.mark.parametrize("expires", NOT_ISO_DAYS)
def test_the_offline_reports_read_only_strict_iso_days(expires: str) -> None:
    config = {"no-user-policies": {"exemptions": [exemption(expires)]}}
    with pytest.raises(
        ReportError, match=r"no-user-policies\.exemptions\[0\]\.expires' must be the ISO date"
    ):
        exemptions_in_force(PACK_DIR, config)


# --- at most max_exemption_days ahead -----------------------------------------------------------


def test_an_exemption_far_in_the_future_is_refused_naming_policy_resource_date_and_latest_day(
    pack: PolicyPackProcess,
) -> None:
    message = refusal(pack, {"no-user-policies": {"exemptions": [exemption("9999-12-31")]}})
    assert message == (
        "no-user-policies: the exemption for 'alice-inline' expires on 9999-12-31, more than 180 days after "
        f"{TODAY} (exemptions-current.max_exemption_days); the latest allowed is 2026-12-27: renew it then, "
        "with a reason that still holds"
    )


def test_day_180_is_accepted_and_day_181_refused(pack: PolicyPackProcess) -> None:
    pack.configure({"no-user-policies": {"exemptions": [exemption("2026-12-27")]}})
    try:
        assert [
            d for d in pack.analyze(ALICE_INLINE.registration()) if d.policy_name == "no-user-policies"
        ] == []
    finally:
        pack.configure({})
    assert "the latest allowed is 2026-12-27" in refusal(
        pack, {"no-user-policies": {"exemptions": [exemption("2026-12-28")]}}
    )


def test_the_bound_is_pack_wide_and_set_once(pack: PolicyPackProcess) -> None:
    config = {
        "exemptions-current": {"max_exemption_days": 30},
        "no-user-policies": {"exemptions": [exemption("2026-08-01")]},
    }
    assert "more than 30 days after 2026-06-30" in refusal(pack, config)
    too_long = {"exemptions-current": {"max_exemption_days": 3650}}
    assert "exemptions-current: max_exemption_days" in refusal(pack, too_long)


def test_the_offline_reports_apply_the_same_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", TODAY)
    config = {"no-user-policies": {"exemptions": [exemption("2026-12-28")]}}
    with pytest.raises(ReportError, match="the latest allowed is 2026-12-27"):
        exemptions_in_force(PACK_DIR, config)
    config = {"no-user-policies": {"exemptions": [exemption("2026-12-27")]}}
    assert [e.resource for e in exemptions_in_force(PACK_DIR, config)[1]] == ["alice-inline"]


# --- one resource, exactly ----------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["*", "group-*", "alice-inlin?"])
def test_a_wildcard_resource_is_refused(pack: PolicyPackProcess, resource: str) -> None:
    message = refusal(pack, {"no-user-policies": {"exemptions": [exemption("2026-07-31", resource)]}})
    assert f"'no-user-policies.exemptions[0].resource' {resource!r} has a wildcard" in message
    assert "an exemption names one resource exactly" in message


# --- stale exemptions ---------------------------------------------------------------------------


def stale_findings(pack: PolicyPackProcess, resources: list[FakeResource], resource: str) -> list[Diagnostic]:
    pack.configure({"no-user-policies": {"exemptions": [exemption("2026-07-31", resource)]}})
    try:
        found = pack.analyze_stack([r.registration() for r in resources])
    finally:
        pack.configure({})
    return [d for d in found if d.policy_name == "exemptions-current"]


def test_an_exemption_that_names_no_resource_is_a_mandatory_stale_finding(pack: PolicyPackProcess) -> None:
    (stale,) = stale_findings(pack, [ALICE_INLINE], "no-such-resource")
    assert stale.enforcement_level == "mandatory"
    assert stale.finding.startswith(
        "[PACK-EXEMPT-001] Stale exemption: no-user-policies: the exemption for 'no-such-resource' names no "
        "resource of the stack"
    )
    assert "Remove it from the pack config" in stale.finding


@pytest.mark.parametrize("resource", ["alice-inline", ALICE_INLINE.urn])
def test_an_exemption_naming_a_resource_of_the_stack_is_current(
    pack: PolicyPackProcess, resource: str
) -> None:
    assert stale_findings(pack, [ALICE_INLINE], resource) == []


def test_an_exemption_may_name_a_resource_by_its_iam_name(pack: PolicyPackProcess) -> None:
    renamed = FakeResource(types.USER_POLICY, "logical-name", USER_POLICY)  # IAM name alice-inline
    assert stale_findings(pack, [renamed], "alice-inline") == []
    assert len(stale_findings(pack, [renamed], "alice-inlined")) == 1


def test_a_name_still_unknown_in_preview_leaves_the_question_to_the_update(pack: PolicyPackProcess) -> None:
    pending = FakeResource(types.USER_POLICY, "logical-name", {**USER_POLICY, "name": UNKNOWN})
    assert stale_findings(pack, [pending], "alice-inline") == []


# --- the clock under a real engine --------------------------------------------------------------

ENGINE_ENV = {
    "PULUMI_PROJECT": "iamtiers",
    "PULUMI_STACK": "dev",
    "PULUMI_DRY_RUN": "false",
    "PULUMI_ORGANIZATION": "organization",
    "IAMTIERS_TODAY": "1970-01-01",  # an attempt to bring expired exemptions back
}
EXPIRED = "2026-01-31"  # long past on the UTC date; in force on 1970-01-01


def test_the_clock_cannot_be_turned_back_under_a_real_engine() -> None:
    assert datetime.now(UTC).date() > date.fromisoformat(EXPIRED)
    # As the CLI starts a Python pack: `python -u -m pulumi.policy <engine address> .`, with PULUMI_* set.
    with PolicyPackProcess(PACK_DIR, env=ENGINE_ENV, engine_address="127.0.0.1:1") as engine_pack:
        engine_pack.configure({"no-user-policies": {"exemptions": [exemption(EXPIRED)]}})
        engine_pack.configure_stack(project="iamtiers", stack="dev", dry_run=False)
        (finding,) = [
            d for d in engine_pack.analyze(ALICE_INLINE.registration()) if d.policy_name == "no-user-policies"
        ]
        clock = [
            d for d in engine_pack.analyze_stack([ALICE_INLINE.registration()]) if "PACK-CLOCK" in d.message
        ]
    assert f"expired on {EXPIRED}" in finding.message
    (override,) = clock
    assert override.enforcement_level == "mandatory"
    assert override.finding.startswith(
        "[PACK-CLOCK-001] Clock override under a real engine: IAMTIERS_TODAY=1970-01-01 set where the Pulumi "
        "engine started the pack; it was ignored"
    )


def test_the_offline_harness_still_replays_a_past_day(tmp_path: Path) -> None:
    env = {key: value for key, value in ENGINE_ENV.items() if key != "PULUMI_DRY_RUN"}
    env["IAMTIERS_TODAY"] = "2026-01-15"
    with PolicyPackProcess(PACK_DIR, env=env) as offline_pack:
        offline_pack.configure({"no-user-policies": {"exemptions": [exemption(EXPIRED)]}})
        found = offline_pack.analyze(ALICE_INLINE.registration())
        clock = [
            d for d in offline_pack.analyze_stack([ALICE_INLINE.registration()]) if "PACK-CLOCK" in d.message
        ]
    assert [d for d in found if d.policy_name == "no-user-policies"] == []
    assert clock == []
