"""The scale benchmark's program floor: the generated stack's resources, registered flat.

The smallest Pulumi program that registers the same number of resources of the same types as
`__main__.py` does for a stack of bench/generate_stack.py: no components, no pydantic, no policy
builders (documents are small fixed JSON), the config read as plain dicts. It knows only the
generated stacks' shape (a Control Tower account: no trail, no recorder); bench/scale.py checks
that it registers exactly the real program's custom resources, type by type.

Run by `offline.running.engine.run_stack` from a directory holding this file as `__main__.py` beside the
generated stack's files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

config = pulumi.Config("iamtiers")
DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
)


def entries(key: str) -> list[dict[str, Any]]:
    raw = config.get_object(key) or {}
    if set(raw) == {"file"}:  # the file form: the collection lives in a YAML file of the project
        raw = yaml.safe_load((Path(__file__).parent / str(raw["file"])).read_text())
    defaults = raw.get("defaults") or {}
    return [{**defaults, **item} for item in raw.get("items") or []]


def arn(policy: str) -> str:
    return policy if policy.startswith("arn:") else f"arn:aws:iam::aws:policy/{policy}"


def statements(items: list[dict[str, Any]]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": s.get("effect", "Allow"), "Action": s.get("actions"), "Resource": s["resources"]}
                for s in items
            ],
        }
    )


account = config.require_object("account")
tags = {"managed-by": "iamtiers"}
for tier in entries("role_tiers"):
    role = aws.iam.Role(f"tier-{tier['name']}", name=tier["name"], assume_role_policy=DOCUMENT, tags=tags)
    for policy in tier.get("managed_policies", []):
        aws.iam.RolePolicyAttachment(
            f"tier-{tier['name']}-{policy.rsplit('/', 1)[-1]}", role=role.name, policy_arn=arn(policy)
        )
    if tier.get("statements"):
        aws.iam.RolePolicy(
            f"tier-{tier['name']}-inline", role=role.name, policy=statements(tier["statements"])
        )

members: dict[str, list[pulumi.Output[str]]] = {}  # group -> its enabled members, sorted by name
for person in sorted(entries("users"), key=lambda person: str(person["name"])):
    user = aws.iam.User(
        f"user-{person['name']}",
        name=person["name"],
        path=person.get("path", "/"),
        tags={**tags, **person.get("tags", {})},
    )
    if person.get("disabled"):
        continue
    for group_name in person.get("groups", []):
        members.setdefault(group_name, []).append(user.name)
    if person.get("console_access", True):
        aws.iam.UserLoginProfile(
            f"user-{person['name']}-login-profile",
            user=user.name,
            password_reset_required=True,
            pgp_key=person.get("pgp_key"),
        )
    if person.get("programmatic_access"):
        aws.iam.AccessKey(f"user-{person['name']}-access-key", user=user.name, pgp_key=person.get("pgp_key"))

for group in entries("groups"):
    name = group["name"]
    created = aws.iam.Group(f"group-{name}", name=name, path=group.get("path", "/"))
    for policy in group.get("managed_policies", []):
        aws.iam.GroupPolicyAttachment(
            f"group-{name}-{policy.rsplit('/', 1)[-1]}", group=created.name, policy_arn=arn(policy)
        )
    inline = {
        "mfa-guard": group.get("enforce_mfa", True),
        "self-service": group.get("self_service_credentials", True),
        "assume-tiers": bool(group.get("assumable_tiers")),
        "inline": bool(group.get("statements")),
    }
    for suffix in (suffix for suffix, wanted in inline.items() if wanted):
        aws.iam.GroupPolicy(f"group-{name}-{suffix}", group=created.name, policy=DOCUMENT)
    if name in members:  # one exclusive membership per group with members, as components/iam_group.py
        aws.iam.GroupMembership(
            f"group-{name}-members", name=f"{name}-members", group=created.name, users=members[name]
        )

# The account baseline of a Control Tower account: alias, password policy, analyzer, alarms, rules.
monitoring = config.get_object("monitoring") or {}
if account.get("alias"):
    aws.iam.AccountAlias("baseline-alias", account_alias=account["alias"])
aws.iam.AccountPasswordPolicy("baseline-password-policy", minimum_password_length=14)
aws.accessanalyzer.Analyzer("baseline-access-analyzer", analyzer_name="baseline", type="ACCOUNT")
topic = aws.sns.Topic("baseline-alarm-topic")
for index, email in enumerate(monitoring.get("alarms", {}).get("emails", [])):
    aws.sns.TopicSubscription(
        f"baseline-alarm-email-{index}", topic=topic.arn, protocol="email", endpoint=email
    )
for alarm in ("failed-signins", "no-mfa-signins", "root-usage"):
    aws.cloudwatch.LogMetricFilter(
        f"baseline-{alarm}-filter",
        log_group_name="trail",
        pattern="{ $.x = 1 }",
        metric_transformation={"name": alarm, "namespace": "Baseline", "value": "1"},
    )
    aws.cloudwatch.MetricAlarm(
        f"baseline-{alarm}-alarm",
        comparison_operator="GreaterThanOrEqualToThreshold",
        evaluation_periods=1,
        metric_name=alarm,
        namespace="Baseline",
        period=300,
        statistic="Sum",
        threshold=1,
    )
for rule in range(6):
    aws.cfg.Rule(f"baseline-rule-{rule}", source={"owner": "AWS", "source_identifier": f"RULE_{rule}"})
