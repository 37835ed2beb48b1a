"""The alarms on break-glass use: EventBridge rules in us-east-1 and a CloudWatch alarm on the trail.

Console sign-in events (`ConsoleLogin`, `SwitchRole`) are delivered to EventBridge in us-east-1, and so
are calls to STS's global endpoint; the rules live there (each resource's own `region`, pulumi_aws 7),
with an SNS topic of their own. A call to a regional STS endpoint reaches only that region's
EventBridge, so a metric filter on the multi-region trail's log group (in the stack's region) catches
every use wherever it happens, and its alarm notifies a topic in that region (the same topic when the
stack's region is us-east-1). Each topic's policy lets only EventBridge and CloudWatch of this account
publish. The patterns are built here from config alone, so the policy pack can read them at preview.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.account_baseline import email_key
from components.policy_documents import document, to_json

SIGN_IN_REGION = "us-east-1"  # where AWS delivers console sign-in events
METRIC_NAMESPACE = "IamTiers/BreakGlass"
SIGN_IN_METRIC = "BreakGlassSignIn"
TIER_METRIC = "BreakGlassTierAssumed"
TOPIC_NAME = "break-glass-alarms"


def sign_in_event_pattern(user_names: Sequence[str]) -> dict[str, Any]:
    """Console sign-in and role switch by any of the users (failed attempts included)."""
    return {
        "source": ["aws.signin"],
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {
            "eventName": ["ConsoleLogin", "SwitchRole"],
            "userIdentity": {"userName": sorted(user_names)},
        },
    }


def tier_event_pattern(role_arn: str) -> dict[str, Any]:
    """Any `sts:AssumeRole` of the tier, by whoever calls it."""
    return {
        "source": ["aws.sts"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["sts.amazonaws.com"],
            "eventName": ["AssumeRole"],
            "requestParameters": {"roleArn": [role_arn]},
        },
    }


def _any_of(selector: str, values: Sequence[str]) -> str:
    return " || ".join(f'({selector} = "{value}")' for value in values)


def sign_in_filter_pattern(user_names: Sequence[str]) -> str:
    events = _any_of("$.eventName", ["ConsoleLogin", "SwitchRole"])
    return f"{{ ({events}) && ({_any_of('$.userIdentity.userName', sorted(user_names))}) }}"


def tier_filter_pattern(role_arn: str) -> str:
    return f'{{ ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "{role_arn}") }}'


def topic_policy(topic_arn: str, account_id: str) -> dict[str, Any]:
    """EventBridge rules and CloudWatch alarms of this account may publish; nobody else."""
    return document(
        [
            {
                "Sid": "AlarmSourcesOfThisAccountPublish",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


@dataclass(frozen=True)
class BreakGlassAlarmArgs:
    account_id: str
    region: str  # the stack's region, where the trail's log group is
    log_group_name: pulumi.Input[str]
    user_names: list[str]
    role_arn: str
    emails: list[str]
    tags: dict[str, str]
    # Off, every rule and alarm is created switched off: the stack then fails break-glass-alarmed.
    enabled: bool = True


def _topic(name: str, region: str, args: BreakGlassAlarmArgs, parent: pulumi.Resource) -> aws.sns.Topic:
    # No KMS key: CloudWatch cannot publish to a topic under the AWS managed aws/sns key.
    child = pulumi.ResourceOptions(parent=parent)
    topic = aws.sns.Topic(
        f"{name}-topic-{region}", name=TOPIC_NAME, region=region, tags=args.tags, opts=child
    )
    # The topic is named, so its ARN is known before it exists: the pack reads the policy at preview.
    known_arn = f"arn:aws:sns:{region}:{args.account_id}:{TOPIC_NAME}"
    aws.sns.TopicPolicy(
        f"{name}-topic-{region}-policy",
        arn=topic.arn,
        policy=to_json(topic_policy(known_arn, args.account_id)),
        region=region,
        opts=child,
    )
    for email in sorted(set(args.emails)):
        aws.sns.TopicSubscription(
            f"{name}-topic-{region}-email-{email_key(email)}",
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            region=region,
            opts=child,
        )
    return topic


class BreakGlassAlarms(pulumi.ComponentResource):
    """Two EventBridge rules with their targets, two metric filters with their alarms, and the topics."""

    topic_arns: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: BreakGlassAlarmArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("iamtiers:index:BreakGlassAlarms", name, None, opts)
        topics = {SIGN_IN_REGION: _topic(name, SIGN_IN_REGION, args, self)}
        if args.region != SIGN_IN_REGION:
            topics[args.region] = _topic(name, args.region, args, self)
        child = pulumi.ResourceOptions(parent=self)
        descriptions = {
            "sign-in": "Console sign-in or role switch by a break-glass user",
            "tier": "The break-glass tier was assumed",
        }
        rules = {"sign-in": sign_in_event_pattern(args.user_names), "tier": tier_event_pattern(args.role_arn)}
        for key, pattern in rules.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{key}-rule",
                name=f"break-glass-{key}",
                description=descriptions[key],
                event_pattern=json.dumps(pattern, sort_keys=True),
                state="ENABLED" if args.enabled else "DISABLED",
                region=SIGN_IN_REGION,
                tags=args.tags,
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{key}-target",
                rule=rule.name,
                arn=topics[SIGN_IN_REGION].arn,
                region=SIGN_IN_REGION,
                opts=child,
            )
        filters = {
            "sign-in": (SIGN_IN_METRIC, sign_in_filter_pattern(args.user_names)),
            "tier": (TIER_METRIC, tier_filter_pattern(args.role_arn)),
        }
        for key, (metric, filter_pattern) in filters.items():
            metric_filter = aws.cloudwatch.LogMetricFilter(
                f"{name}-{key}-filter",
                name=f"break-glass-{key}",
                log_group_name=args.log_group_name,
                pattern=filter_pattern,
                metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=metric, namespace=METRIC_NAMESPACE, value="1"
                ),
                opts=child,
            )
            aws.cloudwatch.MetricAlarm(
                f"{name}-{key}-alarm",
                name=f"break-glass-{key}",
                alarm_description=f"{descriptions[key]} (any region, from the trail)",
                namespace=METRIC_NAMESPACE,
                metric_name=metric,
                statistic="Sum",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                period=60,
                evaluation_periods=1,
                treat_missing_data="notBreaching",
                alarm_actions=[topics[args.region].arn],
                actions_enabled=args.enabled,
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[metric_filter]),
            )
        self.topic_arns = pulumi.Output.all(**{region: topic.arn for region, topic in topics.items()})
        self.register_outputs({"topic_arns": self.topic_arns})
