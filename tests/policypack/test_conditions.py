"""Conditions that can never hold, read directly: a statement under one grants nothing.

The pack's "today" is the exemptions' clock (`IAMTIERS_TODAY`, else the UTC date); every test here
fixes it, so that a grant which expired "yesterday" stays expired whenever the suite runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam_guard.conditions import never_holds
from iam_guard.documents import Condition, parse_policy
from iam_guard.escalation import completed_methods
from iam_guard.evaluation import evaluate

TODAY = "2026-06-30"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", TODAY)


def conditions(block: dict[str, dict[str, Any]]) -> tuple[Condition, ...]:
    """A statement's `Condition` block as the parser reads it."""
    statement = {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*", "Condition": block}
    (parsed,) = parse_policy({"Version": "2012-10-17", "Statement": [statement]}).statements
    return parsed.conditions


DEAD: dict[str, dict[str, dict[str, Any]]] = {
    "current-time-before-yesterday": {"DateLessThan": {"aws:CurrentTime": "2026-06-29T00:00:00Z"}},
    "current-time-before-the-start-of-today": {"DateLessThan": {"aws:CurrentTime": "2026-06-30"}},
    "current-time-up-to-last-night": {"DateLessThanEquals": {"aws:CurrentTime": "2026-06-29T23:59:59Z"}},
    "current-time-with-an-offset": {"DateLessThan": {"aws:CurrentTime": "2026-06-30T01:00:00+02:00"}},
    "current-time-equal-to-a-past-day": {"DateEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
    "every-value-in-the-past": {"DateLessThan": {"aws:CurrentTime": ["2025-01-01", "2026-03-31"]}},
    "epoch-time-as-a-date": {"DateLessThan": {"aws:EpochTime": "2023-11-14T22:13:20Z"}},
    "epoch-time-in-seconds-under-a-date-operator": {"DateLessThan": {"aws:EpochTime": "1700000000"}},
    "epoch-time-numeric-less-than": {"NumericLessThan": {"aws:EpochTime": "1700000000"}},
    "epoch-time-numeric-less-than-equals": {"NumericLessThanEquals": {"aws:EpochTime": "1782777599"}},
    "epoch-time-numeric-equals": {"NumericEquals": {"aws:EpochTime": "1700000000"}},
    "token-issued-before-the-longest-session": {
        "DateLessThan": {"aws:TokenIssueTime": "2026-06-28T00:00:00Z"}
    },
    "key-name-in-any-case": {"DateLessThan": {"AWS:currenttime": "2020-01-01"}},
    "date-range-that-is-empty": {
        "DateGreaterThan": {"aws:CurrentTime": "2099-01-01"},
        "DateLessThan": {"aws:CurrentTime": "2098-01-01"},
    },
    "ip-address-with-no-range": {"IpAddress": {"aws:SourceIp": []}},
    "ip-ranges-taken-back-by-not-ip-address": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/25", "203.0.113.128/25"]},
    },
    "bool-on-neither-true-nor-false": {"Bool": {"aws:SecureTransport": "yes"}},
    "null-true-and-compared": {"Null": {"aws:SourceIp": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
}

LIVE: dict[str, dict[str, dict[str, Any]]] = {
    "current-time-later-today": {"DateLessThan": {"aws:CurrentTime": "2026-06-30T12:00:00Z"}},
    "current-time-up-to-the-start-of-today": {"DateLessThanEquals": {"aws:CurrentTime": "2026-06-30"}},
    "current-time-until-next-year": {"DateLessThan": {"aws:CurrentTime": "2027-06-30"}},
    # A grant that starts in the future grants then: it is not dead, whatever its date.
    "current-time-from-far-in-the-future": {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01"}},
    "current-time-after-a-past-day": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}},
    "one-value-still-to-come": {"DateLessThan": {"aws:CurrentTime": ["2020-01-01", "2099-01-01"]}},
    "date-not-equals-a-past-day": {"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}},
    "epoch-time-until-2099": {"NumericLessThan": {"aws:EpochTime": "4070908800"}},
    # Credentials issued yesterday (GetSessionToken: up to 36 hours) still sign requests today.
    "token-issued-yesterday-may-still-be-valid": {
        "DateLessThan": {"aws:TokenIssueTime": "2026-06-29T12:00:00Z"}
    },
    # Long-term keys carry no aws:TokenIssueTime, and ...IfExists holds when the key is absent.
    "token-issue-time-if-exists": {"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01"}},
    "current-time-if-exists-is-left-alone": {"DateLessThanIfExists": {"aws:CurrentTime": "2020-01-01"}},
    # ForAllValues passes on an empty set of values.
    "for-all-values": {"ForAllValues:DateLessThan": {"aws:CurrentTime": "2020-01-01"}},
    "numeric-operator-on-a-date-key-is-not-read": {"NumericLessThan": {"aws:CurrentTime": "1"}},
    "a-date-the-pack-cannot-read": {"DateLessThan": {"aws:CurrentTime": "last year"}},
    "a-date-among-others-the-pack-cannot-read": {"DateLessThan": {"aws:CurrentTime": ["2020-01-01", "soon"]}},
    "past-date-on-another-key": {"DateLessThan": {"aws:MultiFactorAuthAge": "2020-01-01"}},
    "ip-range-partly-taken-back": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "NotIpAddress": {"aws:SourceIp": "203.0.113.0/25"},
    },
    "ip-range-taken-back-only-if-the-key-exists-elsewhere": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "NotIpAddress": {"aws:VpcSourceIp": "203.0.113.0/24"},
    },
    "ipv6-not-taken-back-by-ipv4": {
        "IpAddress": {"aws:SourceIp": "2001:db8::/32"},
        "NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"},
    },
    "date-range-with-room": {
        "DateGreaterThan": {"aws:CurrentTime": "2026-01-01"},
        "DateLessThan": {"aws:CurrentTime": "2099-01-01"},
    },
}


@pytest.mark.parametrize("block", DEAD.values(), ids=DEAD.keys())
def test_condition_that_can_no_longer_hold(block: dict[str, dict[str, Any]]) -> None:
    assert never_holds(conditions(block))


@pytest.mark.parametrize("block", LIVE.values(), ids=LIVE.keys())
def test_condition_that_may_still_hold(block: dict[str, dict[str, Any]]) -> None:
    assert not never_holds(conditions(block))


def test_the_clock_is_the_exemptions_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    until_new_year = conditions({"DateLessThan": {"aws:CurrentTime": "2027-01-01"}})
    assert not never_holds(until_new_year)
    monkeypatch.setenv("IAMTIERS_TODAY", "2027-01-01")
    assert never_holds(until_new_year)
    monkeypatch.delenv("IAMTIERS_TODAY")  # the UTC date: 2020 has passed, 2999 has not
    assert never_holds(conditions({"DateLessThan": {"aws:CurrentTime": "2020-01-01"}}))
    assert not never_holds(conditions({"DateLessThan": {"aws:CurrentTime": "2999-01-01"}}))


def test_without_a_sure_clock_the_grant_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", "tomorrow")
    assert not never_holds(conditions({"DateLessThan": {"aws:CurrentTime": "2020-01-01"}}))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(-3 * 86400, 3 * 86400))
def test_current_time_bound_is_dead_exactly_when_it_is_at_or_before_today(day: date, shift: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IAMTIERS_TODAY", day.isoformat())
        bound = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=shift)
        value = bound.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert never_holds(conditions({"DateLessThan": {"aws:CurrentTime": value}})) is (shift <= 0)
        assert never_holds(conditions({"DateLessThanEquals": {"aws:CurrentTime": value}})) is (shift < 0)
        assert not never_holds(conditions({"DateGreaterThan": {"aws:CurrentTime": value}}))


def test_an_expired_grant_grants_nothing_and_completes_no_method() -> None:
    def grant(condition: dict[str, dict[str, Any]]) -> dict[str, Any]:
        statement = {
            "Effect": "Allow",
            "Action": "iam:AttachUserPolicy",
            "Resource": "*",
            "Condition": condition,
        }
        return {"Version": "2012-10-17", "Statement": [statement]}

    expired = evaluate([parse_policy(grant({"DateLessThan": {"aws:CurrentTime": "2026-01-01"}}))])
    assert not expired.allowed()
    assert not completed_methods(expired)
    later = evaluate([parse_policy(grant({"DateGreaterThan": {"aws:CurrentTime": "2099-01-01"}}))])
    assert [m.name for m in completed_methods(later)] == ["AttachUserPolicy"]
