"""Break-glass in the access model: each break-glass user and tier, and the alarms of the stack that
watch its use.

Judged from the registered resources' content with the policy pack's own `break-glass-alarmed` rule
(policypack/iam_guard/rules/break_glass_alarmed.py): a principal is break-glass by its tag
`iamtiers:break-glass=true` (or the pack config's `break_glass_principals`), and an EventBridge rule or
a metric filter watches it when its pattern matches the principal's console sign-in (a role's
`sts:AssumeRole`), never by names. Whether each watch alarms (an enabled rule with a target, a filter
whose metric has an alarm firing on one use) is the rule's reading too. Names and facts, no Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard

# isort: split
from iam_guard.alarm_patterns import UnreadablePatternError, event_pattern_matches, filter_pattern_matches
from iam_guard.rule_support import string_list
from iam_guard.rules import break_glass_alarmed as rule
from iam_guard.stack_model import StackModel, StackResource

RULE = "break-glass-alarmed"


@dataclass(frozen=True)
class AlarmWatch:
    """One EventBridge rule or metric filter whose pattern matches a break-glass principal's use."""

    kind: str  # "EventBridge rule" or "metric filter"
    name: str  # the rule's or the filter's name
    region: str | None  # the resource's own region, when it sets one
    pattern: str  # what it matches, summarised (a rule) or as written (a filter)
    alarms: tuple[str, ...]  # a filter's metric alarms, by name
    why_not: str | None  # None when it alarms; else why not, in the rule's words


@dataclass(frozen=True)
class BreakGlassPrincipal:
    kind: str  # "user" or "role"
    name: str
    why: str  # how it is marked break-glass
    use: str  # "console sign-in" or "sts:AssumeRole"
    watches: tuple[AlarmWatch, ...]

    @property
    def alarmed(self) -> bool:
        return any(watch.why_not is None for watch in self.watches)


def _name(resource: StackResource) -> str:
    return resource.iam_name or resource.name


def _region(resource: StackResource) -> str | None:
    region = resource.props.get("region")
    return region if isinstance(region, str) and region else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _summary(pattern: Any) -> str:
    """An event pattern as `source: detail-type: eventName …` plus the names and ARNs it filters on."""
    try:
        parsed = json.loads(pattern) if isinstance(pattern, str) else None
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        return str(pattern)
    detail = _mapping(parsed.get("detail"))
    parts = [", ".join(map(str, parsed.get("source") or [])) or "any source"]
    parts.append(", ".join(map(str, detail.get("eventName") or [])) or "any event")
    identity, request = _mapping(detail.get("userIdentity")), _mapping(detail.get("requestParameters"))
    if users := identity.get("userName"):
        parts.append("users " + ", ".join(map(str, users)))
    if roles := request.get("roleArn"):
        parts.append("role " + ", ".join(map(str, roles)))
    return "; ".join(parts)


def _filter_alarms(metric_filter: StackResource, model: StackModel) -> tuple[str, ...]:
    metrics = {(t.get("name"), t.get("namespace")) for t in rule._transformations(metric_filter)}
    return tuple(
        sorted(
            _name(alarm)
            for alarm in model.of_type(rule.METRIC_ALARM)
            if (alarm.props.get("metricName"), alarm.props.get("namespace")) in metrics
        )
    )


def _watches(principal: rule.BreakGlassPrincipal, model: StackModel, accounts: set[str]) -> list[AlarmWatch]:
    events = principal.events(accounts)
    sources: list[tuple[str, str, Callable[[str, Mapping[str, Any]], bool], str]] = [
        (rule.EVENT_RULE, "EventBridge rule", event_pattern_matches, "eventPattern"),
        (rule.LOG_METRIC_FILTER, "metric filter", filter_pattern_matches, "pattern"),
    ]
    watches = []
    for type_token, kind, matcher, key in sources:
        # A metric filter reads the CloudTrail record, which is the EventBridge event's detail.
        samples = events if type_token == rule.EVENT_RULE else [event["detail"] for event in events]
        for resource in model.of_type(type_token):
            pattern = resource.props.get(key)
            try:
                if not rule._matches(matcher, pattern, samples):
                    continue
            except UnreadablePatternError:
                continue  # the pack reports a pattern it cannot judge; the document shows what matches
            alarms: tuple[str, ...] = ()
            if type_token == rule.EVENT_RULE:
                why_not, summary = rule._rule_alarms(resource, model), _summary(pattern)
            else:
                why_not, summary = rule._filter_alarms(resource, model), str(pattern)
                alarms = _filter_alarms(resource, model)
            watches.append(AlarmWatch(kind, _name(resource), _region(resource), summary, alarms, why_not))
    return sorted(watches, key=lambda watch: (watch.kind, watch.name))


def break_glass_access(model: StackModel, pack_config: Mapping[str, Any]) -> tuple[BreakGlassPrincipal, ...]:
    """Every break-glass principal of the stack with what watches it; empty when there is none."""
    settings = pack_config.get(RULE)
    named = (
        set(string_list(dict(settings), "break_glass_principals")) if isinstance(settings, Mapping) else set()
    )
    accounts = rule._accounts(model)
    principals = [
        BreakGlassPrincipal(
            principal.kind,
            principal.name,
            principal.why,
            principal.use,
            tuple(_watches(principal, model, accounts)),
        )
        for principal in rule._marked(model, named)
    ]
    return tuple(sorted(principals, key=lambda p: (p.kind != "user", p.name)))
