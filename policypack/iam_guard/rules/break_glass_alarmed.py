"""Break-glass principals alarm on every use and sign in only to the console.

A user or role is break-glass when it is tagged `iamtiers:break-glass=true` or named in the config's
`break_glass_principals`. Its use must raise an alarm built in the same stack: an enabled EventBridge
rule whose pattern matches the user's console sign-in (the role's `sts:AssumeRole`) and that has a
target, or a CloudWatch Logs metric filter whose pattern matches it and whose metric has an alarm that
fires on one event with its actions on. A break-glass user may have no access key. Patterns are
judged by what they match (iam_guard/alarm_patterns.py), never by names; a pattern or setting known
only after the update is reported, not assumed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.alarm_patterns import (
    UnreadablePatternError,
    assume_role,
    console_sign_in,
    event_pattern_matches,
    filter_pattern_matches,
)
from iam_guard.rule_support import stack_rule, string_list
from iam_guard.stack_model import STAND_IN_ACCOUNT, StackModel, StackResource

Report = Callable[[str, str, "str | None"], None]

BREAK_GLASS_TAG = "iamtiers:break-glass"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
LOG_METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


@dataclass(frozen=True)
class BreakGlassPrincipal:
    resource: StackResource
    kind: str  # "user" or "role"
    name: str
    why: str  # how it was marked

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'"

    @property
    def use(self) -> str:
        return "console sign-in" if self.kind == "user" else "sts:AssumeRole"

    def events(self, accounts: set[str]) -> list[dict[str, Any]]:
        """Its use as an event, in each account the stack could place it in."""
        path = self.resource.props.get("path")
        path = path if isinstance(path, str) and path and not types.is_unknown(path) else "/"
        arn = self.resource.props.get("arn")
        arns = [arn] if isinstance(arn, str) and arn.startswith("arn:") else []
        arns += [f"arn:aws:iam::{account}:{self.kind}{path}{self.name}" for account in sorted(accounts)]
        if self.kind == "user":
            return [console_sign_in(self.name, each) for each in arns]
        return [assume_role(each) for each in arns]


def _marked(model: StackModel, named: set[str]) -> Iterator[BreakGlassPrincipal]:
    for type_token, kind in ((types.USER, "user"), (types.ROLE, "role")):
        for resource in model.of_type(type_token):
            name = resource.iam_name
            if name is None:
                continue
            tags = resource.props.get("tags")
            tagged = isinstance(tags, dict) and str(tags.get(BREAK_GLASS_TAG, "")).lower() == "true"
            if tagged:
                yield BreakGlassPrincipal(resource, kind, name, f"tag {BREAK_GLASS_TAG}=true")
            elif name in named:
                yield BreakGlassPrincipal(resource, kind, name, "named in break_glass_principals")


def _known(value: Any) -> bool:
    if isinstance(value, list):
        return all(_known(item) for item in value)
    if isinstance(value, dict):
        return all(_known(item) for item in value.values())
    return not types.is_unknown(value)


def _matches(
    matcher: Callable[[str, dict[str, Any]], bool], pattern: Any, events: list[dict[str, Any]]
) -> bool:
    if not isinstance(pattern, str) or not _known(pattern):
        raise UnreadablePatternError("known only after the update")
    return any(matcher(pattern, event) for event in events)


def _rule_alarms(rule: StackResource, model: StackModel) -> str | None:
    """None when the matching rule alarms; else why not."""
    state, enabled = rule.props.get("state"), rule.props.get("isEnabled")
    if not _known(state) or not _known(enabled):
        return f"whether rule '{rule.name}' is enabled is known only after the update"
    if enabled is False or (state is not None and not str(state).startswith("ENABLED")):
        return f"rule '{rule.name}' is disabled"
    name = rule.iam_name
    for target in model.of_type(EVENT_TARGET):
        names_it = name is not None and target.props.get("rule") == name
        if names_it or rule.urn in target.property_dependencies.get("rule", []):
            return None
    return f"rule '{rule.name}' has no target"


def _transformations(metric_filter: StackResource) -> list[dict[str, Any]]:
    value = metric_filter.props.get("metricTransformation")
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, dict)]


def _fires_on_one_event(alarm: StackResource) -> bool:
    operator, threshold = alarm.props.get("comparisonOperator"), alarm.props.get("threshold")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        return False
    return (operator == "GreaterThanOrEqualToThreshold" and threshold <= 1) or (
        operator == "GreaterThanThreshold" and threshold < 1
    )


def _filter_alarms(metric_filter: StackResource, model: StackModel) -> str | None:
    """None when the matching filter's metric has an alarm that fires on one use; else why not."""
    reasons: list[str] = []
    for transformation in _transformations(metric_filter):
        metric = (transformation.get("name"), transformation.get("namespace"))
        for alarm in model.of_type(METRIC_ALARM):
            if (alarm.props.get("metricName"), alarm.props.get("namespace")) != metric:
                continue
            actions = alarm.props.get("alarmActions")
            if alarm.props.get("actionsEnabled") is False:
                reasons.append(f"alarm '{alarm.name}' has its actions disabled")
            elif not _known(actions) or not _known(alarm.props.get("actionsEnabled")):
                reasons.append(f"the actions of alarm '{alarm.name}' are known only after the update")
            elif not isinstance(actions, list) or not actions:
                reasons.append(f"alarm '{alarm.name}' has no alarm action")
            elif not _fires_on_one_event(alarm):
                reasons.append(f"alarm '{alarm.name}' does not fire on a single use")
            else:
                return None
    return "; ".join(reasons) or f"no alarm watches the metric of filter '{metric_filter.name}'"


def _why_not_alarmed(
    principal: BreakGlassPrincipal, model: StackModel, accounts: set[str]
) -> list[str] | None:
    """None when some alarm covers the principal's use; else what came closest, for the finding."""
    events = principal.events(accounts)
    notes: list[str] = []
    sources: list[tuple[str, Callable[[str, dict[str, Any]], bool], str, Callable[..., str | None]]] = [
        (EVENT_RULE, event_pattern_matches, "eventPattern", _rule_alarms),
        (LOG_METRIC_FILTER, filter_pattern_matches, "pattern", _filter_alarms),
    ]
    for type_token, matcher, key, alarmed in sources:
        for resource in model.of_type(type_token):
            # A metric filter reads the CloudTrail record, which is the EventBridge event's detail.
            samples = events if type_token == EVENT_RULE else [event["detail"] for event in events]
            try:
                if not _matches(matcher, resource.props.get(key), samples):
                    continue
            except UnreadablePatternError as error:
                notes.append(f"the {key} of '{resource.name}' cannot be judged: {error}")
                continue
            why = alarmed(resource, model)
            if why is None:
                return None
            notes.append(why)
    return notes


def _accounts(model: StackModel) -> set[str]:
    """Every account the stack's alarm patterns and IAM ARNs name, so an ARN in a pattern can match."""
    found: set[str] = set()
    for resource in model.resources:
        if resource.type in (EVENT_RULE, LOG_METRIC_FILTER):
            found.update(
                _ACCOUNT.findall(str(resource.props.get("eventPattern") or resource.props.get("pattern")))
            )
    return found or {STAND_IN_ACCOUNT}


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    named = set(string_list(config, "break_glass_principals"))
    accounts = _accounts(model)
    for principal in _marked(model, named):
        notes = _why_not_alarmed(principal, model, accounts)
        if notes is not None:
            detail = (
                "; ".join(notes) or "no EventBridge rule or CloudWatch metric filter of the stack matches it"
            )
            report(
                "IAM-BREAKGLASS-001",
                f"{principal.label} is break-glass ({principal.why}) and nothing in this stack alarms on its "
                f"{principal.use}: {detail}",
                principal.resource.urn,
            )
        if principal.kind == "user":
            for key in model.principal("user", principal.name).access_keys:
                report(
                    "IAM-BREAKGLASS-002",
                    f"{principal.label} is break-glass ({principal.why}) and has access key '{key.name}'",
                    key.urn,
                )


POLICY = stack_rule(
    name="break-glass-alarmed",
    description="Every break-glass user or tier raises an alarm on each use, and no break-glass user has an access key.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Add an enabled EventBridge rule with a target matching the principal's console sign-in or sts:AssumeRole, or a CloudWatch metric filter on the trail's log group with an alarm (threshold 1, actions on); delete any access key of a break-glass user.",
    config_properties={
        "break_glass_principals": {
            "type": "array",
            "description": "IAM names of users and roles that are break-glass without the iamtiers:break-glass tag.",
            "items": {"type": "string", "minLength": 1},
            "default": [],
        }
    },
)
