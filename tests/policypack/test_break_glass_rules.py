"""`break-glass-alarmed` over the Analyzer protocol: break-glass users and tiers must alarm on every use.

Each stack is written by hand, as the engine sends it; the pack decides. The alarm resources are the
ones this project's program builds (components/break_glass_alarms.py builds the patterns), so a change
there that stops covering a user is caught here too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from iam_guard import types as t

from components.break_glass_alarms import (
    sign_in_event_pattern,
    sign_in_filter_pattern,
    tier_event_pattern,
    tier_filter_pattern,
)
from tests.policypack.conftest import UNKNOWN, FakeResource, PackAnalyzer

POLICY = "break-glass-alarmed"
ACCOUNT = "444444444444"
TIER_ARN = f"arn:aws:iam::{ACCOUNT}:role/BreakGlassAdministrator"
MARKED = {"iamtiers:break-glass": "true"}
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def bg_user(name: str = "break-glass-1", tags: dict[str, str] | None = None) -> FakeResource:
    return FakeResource(t.USER, name, {"name": name, "path": "/", "tags": MARKED if tags is None else tags})


def bg_tier(tags: dict[str, str] | None = None) -> FakeResource:
    return FakeResource(
        t.ROLE,
        "tier",
        {"name": "BreakGlassAdministrator", "path": "/", "tags": MARKED if tags is None else tags},
    )


def rule(name: str, pattern: Any, *, target: bool = True, **props: Any) -> list[FakeResource]:
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    resource = FakeResource(EVENT_RULE, name, {"name": name, "eventPattern": text, **props})
    if not target:
        return [resource]
    return [
        resource,
        FakeResource(
            EVENT_TARGET,
            f"{name}-target",
            {"rule": UNKNOWN, "arn": UNKNOWN},
            property_dependencies={"rule": (resource,)},
        ),
    ]


def metric_alarm(name: str, metric: str, **props: Any) -> list[FakeResource]:
    settings = {
        "name": f"{name}-filter",
        "logGroupName": "/aws/cloudtrail/baseline-trail",
        "pattern": props.pop("pattern"),
        "metricTransformation": {"name": metric, "namespace": "IamTiers/BreakGlass", "value": "1"},
    }
    alarm = {
        "metricName": metric,
        "namespace": "IamTiers/BreakGlass",
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": 1,
        "alarmActions": ["arn:aws:sns:eu-west-1:444444444444:break-glass-alarms"],
        **props,
    }
    return [
        FakeResource(METRIC_FILTER, f"{name}-filter", settings),
        FakeResource(METRIC_ALARM, f"{name}-alarm", alarm),
    ]


def found(
    analyzer: PackAnalyzer, resources: Sequence[FakeResource], config: dict[str, Any] | None = None
) -> list[str]:
    if config is None:
        diagnostics = analyzer.stack(resources)
    else:
        with analyzer.configured({POLICY: config}):
            diagnostics = analyzer.stack(resources)
    return [d.finding for d in diagnostics if d.policy_name == POLICY]


def test_the_programs_rules_cover_the_users_and_the_tier(analyzer: PackAnalyzer) -> None:
    users = [bg_user("break-glass-1"), bg_user("break-glass-2")]
    stack = [*users, bg_tier()]
    stack += rule("sign-in", sign_in_event_pattern(["break-glass-1", "break-glass-2"]))
    stack += rule("tier", tier_event_pattern(TIER_ARN))
    assert found(analyzer, stack) == []


def test_the_programs_metric_filters_alone_cover_them(analyzer: PackAnalyzer) -> None:
    stack = [bg_user(), bg_tier()]
    stack += metric_alarm("sign-in", "SignIn", pattern=sign_in_filter_pattern(["break-glass-1"]))
    stack += metric_alarm("tier", "Tier", pattern=tier_filter_pattern(TIER_ARN))
    assert found(analyzer, stack) == []


def test_no_alarm_at_all_blocks_each_principal(analyzer: PackAnalyzer) -> None:
    findings = found(analyzer, [bg_user(), bg_tier()])
    assert len(findings) == 2
    assert all(f.startswith("[IAM-BREAKGLASS-001]") for f in findings)
    assert any("user 'break-glass-1'" in f and "console sign-in" in f for f in findings)
    assert any("role 'BreakGlassAdministrator'" in f and "sts:AssumeRole" in f for f in findings)


def test_a_rule_for_other_users_does_not_count(analyzer: PackAnalyzer) -> None:
    stack = [bg_user("break-glass-1"), *rule("sign-in", sign_in_event_pattern(["someone-else"]))]
    [finding] = found(analyzer, stack)
    assert "no EventBridge rule or CloudWatch metric filter of the stack matches it" in finding


def test_a_rule_on_every_console_sign_in_counts(analyzer: PackAnalyzer) -> None:
    pattern = {
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {"eventName": [{"prefix": "Console"}]},
    }
    assert found(analyzer, [bg_user(), *rule("all-sign-ins", pattern)]) == []


@pytest.mark.parametrize("switch", [{"state": "DISABLED"}, {"isEnabled": False}])
def test_a_disabled_rule_is_no_alarm(analyzer: PackAnalyzer, switch: dict[str, Any]) -> None:
    stack = [bg_user(), *rule("sign-in", sign_in_event_pattern(["break-glass-1"]), **switch)]
    [finding] = found(analyzer, stack)
    assert "rule 'sign-in' is disabled" in finding


def test_a_rule_without_a_target_is_no_alarm(analyzer: PackAnalyzer) -> None:
    stack = [bg_user(), *rule("sign-in", sign_in_event_pattern(["break-glass-1"]), target=False)]
    [finding] = found(analyzer, stack)
    assert "rule 'sign-in' has no target" in finding


def test_an_alarm_with_its_actions_off_is_no_alarm(analyzer: PackAnalyzer) -> None:
    stack = [
        bg_tier(),
        *metric_alarm("tier", "Tier", pattern=tier_filter_pattern(TIER_ARN), actionsEnabled=False),
    ]
    [finding] = found(analyzer, stack)
    assert "alarm 'tier-alarm' has its actions disabled" in finding


def test_an_alarm_that_needs_several_uses_is_no_alarm(analyzer: PackAnalyzer) -> None:
    stack = [bg_tier(), *metric_alarm("tier", "Tier", pattern=tier_filter_pattern(TIER_ARN), threshold=3)]
    [finding] = found(analyzer, stack)
    assert "does not fire on a single use" in finding


def test_a_filter_on_another_role_does_not_count(analyzer: PackAnalyzer) -> None:
    other = f"arn:aws:iam::{ACCOUNT}:role/ReadOnly"
    stack = [bg_tier(), *metric_alarm("tier", "Tier", pattern=tier_filter_pattern(other))]
    assert len(found(analyzer, stack)) == 1


def test_an_unknown_pattern_in_preview_fails_closed(analyzer: PackAnalyzer) -> None:
    [finding] = found(analyzer, [bg_user(), *rule("sign-in", UNKNOWN)])
    assert "cannot be judged: known only after the update" in finding


def test_an_unreadable_pattern_fails_closed(analyzer: PackAnalyzer) -> None:
    pattern = {"detail": {"userIdentity": {"userName": [{"numeric": [">", 0]}]}}}
    [finding] = found(analyzer, [bg_user(), *rule("sign-in", pattern)])
    assert "is not read by the pack" in finding


def test_a_principal_named_in_the_config_is_break_glass_without_the_tag(analyzer: PackAnalyzer) -> None:
    untagged = bg_user("emergency", tags={})
    assert found(analyzer, [untagged]) == []
    [finding] = found(analyzer, [untagged], {"break_glass_principals": ["emergency"]})
    assert "named in break_glass_principals" in finding


def test_an_access_key_of_a_break_glass_user_is_refused(analyzer: PackAnalyzer) -> None:
    user = bg_user()
    key = FakeResource(t.ACCESS_KEY, "bg-key", {"user": UNKNOWN}, property_dependencies={"user": (user,)})
    stack = [user, key, *rule("sign-in", sign_in_event_pattern(["break-glass-1"]))]
    [finding] = found(analyzer, stack)
    assert finding.startswith("[IAM-BREAKGLASS-002]") and "access key 'bg-key'" in finding
