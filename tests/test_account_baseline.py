"""AccountBaseline under Pulumi mocks: exact children per toggle and the inputs that matter."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

from components.account_baseline import (
    MANAGED_CONFIG_RULES,
    SECURITY_ALARMS,
    TYPE_TOKEN,
    AccountBaseline,
    AccountBaselineArgs,
    alarm_subscribers,
    email_key,
    log_bucket_policy,
)
from components.config import (
    AccessAnalyzerSettings,
    Account,
    AlarmSettings,
    CloudTrailSettings,
    ConfigRuleSettings,
    Monitoring,
    PasswordPolicy,
)

ACCOUNT_ID = "111111111111"
REGION = "eu-west-1"
NAME = "baseline"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT_ID}:trail/{NAME}-trail"
TRAIL_LOG_GROUP = f"/aws/cloudtrail/{NAME}-trail"
ORG_LOG_GROUP = "aws-controltower/CloudTrailLogs"

Child = tuple[str, str]  # (type token, resource name)


def _bucket_children(prefix: str) -> set[Child]:
    return {
        ("aws:s3/bucket:Bucket", prefix),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{prefix}-public-access-block"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{prefix}-encryption",
        ),
        ("aws:s3/bucketVersioning:BucketVersioning", f"{prefix}-versioning"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{prefix}-ownership"),
        ("aws:s3/bucketPolicy:BucketPolicy", f"{prefix}-policy"),
    }


ALIAS = {("aws:iam/accountAlias:AccountAlias", f"{NAME}-alias")}
PASSWORD_POLICY = {("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", f"{NAME}-password-policy")}
ACCESS_ANALYZER = {("aws:accessanalyzer/analyzer:Analyzer", f"{NAME}-access-analyzer")}
CLOUDTRAIL = _bucket_children(f"{NAME}-trail-bucket") | {
    ("aws:cloudwatch/logGroup:LogGroup", f"{NAME}-trail-logs"),
    ("aws:iam/role:Role", f"{NAME}-trail-logs-role"),
    ("aws:iam/rolePolicy:RolePolicy", f"{NAME}-trail-logs-policy"),
    ("aws:cloudtrail/trail:Trail", f"{NAME}-trail"),
}
ALARM_KEYS = ("failed-console-signin", "console-signin-without-mfa", "root-account-use")
ALARMS = (
    {("aws:sns/topic:Topic", f"{NAME}-alarm-topic")}
    | {("aws:cloudwatch/logMetricFilter:LogMetricFilter", f"{NAME}-{k}-filter") for k in ALARM_KEYS}
    | {("aws:cloudwatch/metricAlarm:MetricAlarm", f"{NAME}-{k}-alarm") for k in ALARM_KEYS}
)
CONFIG_RECORDER = {
    ("aws:iam/role:Role", f"{NAME}-config-role"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{NAME}-config-AWS_ConfigRole"),
    ("aws:iam/rolePolicy:RolePolicy", f"{NAME}-config-s3-delivery"),
    ("aws:cfg/recorder:Recorder", f"{NAME}-config-recorder"),
    ("aws:cfg/deliveryChannel:DeliveryChannel", f"{NAME}-config-delivery-channel"),
    ("aws:cfg/recorderStatus:RecorderStatus", f"{NAME}-config-recorder-status"),
}
RULE_KEYS = (
    "mfa-enabled-for-iam-console-access",
    "root-account-mfa-enabled",
    "iam-user-unused-credentials-check",
    "access-keys-rotated",
    "iam-password-policy",
    "iam-user-no-policies-check",
)
CONFIG_RULES = {("aws:cfg/rule:Rule", f"{NAME}-rule-{key}") for key in RULE_KEYS}
CONFIG_BUCKET = _bucket_children(f"{NAME}-config-bucket")

FULL = ALIAS | PASSWORD_POLICY | ACCESS_ANALYZER | CLOUDTRAIL | ALARMS | CONFIG_RECORDER | CONFIG_RULES


def _mock_outputs(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """What the provider would compute: plausible ARNs and physical names."""
    physical = str(inputs.get("name") or name)
    arns = {
        "aws:s3/bucket:Bucket": f"arn:aws:s3:::{name}",
        "aws:cloudwatch/logGroup:LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{physical}",
        "aws:cloudtrail/trail:Trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT_ID}:trail/{physical}",
        "aws:sns/topic:Topic": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{physical}",
        "aws:iam/role:Role": f"arn:aws:iam::{ACCOUNT_ID}:role/{physical}",
        "aws:accessanalyzer/analyzer:Analyzer": (
            f"arn:aws:access-analyzer:{REGION}:{ACCOUNT_ID}:analyzer/{inputs.get('analyzerName')}"
        ),
    }
    arn = arns.get(typ, f"arn:aws:mock:{REGION}:{ACCOUNT_ID}:{typ.rsplit(':', 1)[-1]}/{name}")
    outputs = {**inputs, "arn": arn, "name": physical}
    if typ == "aws:s3/bucket:Bucket":
        outputs["bucket"] = name
    return outputs


class _BaselineRecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registrations: list[tuple[str, str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registrations.append((args.typ, args.name, args.inputs))
        return f"{args.name}-id", _mock_outputs(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@dataclass
class _Deployment:
    registrations: list[tuple[str, str, dict[str, Any]]]
    urns: list[str]
    outputs: dict[str, Any]

    @property
    def children(self) -> list[Child]:
        return [(typ, name) for typ, name, _ in self.registrations if typ != TYPE_TOKEN]

    def inputs(self, typ: str, name: str) -> dict[str, Any]:
        matches = [i for t, n, i in self.registrations if (t, n) == (typ, name)]
        assert len(matches) == 1, f"{typ} {name}: {len(matches)} registrations"
        return matches[0]

    def of_type(self, typ: str) -> dict[str, dict[str, Any]]:
        return {name: inputs for t, name, inputs in self.registrations if t == typ}


def _deploy(
    monitoring: Monitoring | None = None,
    password_policy: PasswordPolicy | None = None,
    account: Account | None = None,
) -> _Deployment:
    # A loop of its own, as the engine's runs have: the engine leaves none current after its runs.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _deploy_on_current_loop(monitoring, password_policy, account)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _deploy_on_current_loop(
    monitoring: Monitoring | None, password_policy: PasswordPolicy | None, account: Account | None
) -> _Deployment:
    mocks = _BaselineRecordingMocks()
    monitor = MockMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="iamtiers", stack="test", preview=False, monitor=monitor)
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # pulumi ships it untyped
    def run() -> pulumi.Output[None]:
        baseline = AccountBaseline(
            NAME,
            AccountBaselineArgs(
                account=account or Account(id=ACCOUNT_ID, alias="acme-sec"),
                password_policy=password_policy or PasswordPolicy(),
                monitoring=monitoring or Monitoring(),
                region=REGION,
                tags={"managed-by": "iamtiers"},
            ),
        )
        return pulumi.Output.all(
            cloudtrail_arn=baseline.cloudtrail_arn,
            alarm_topic_arn=baseline.alarm_topic_arn,
            access_analyzer_arn=baseline.access_analyzer_arn,
        ).apply(outputs.update)

    run()
    return _Deployment(mocks.registrations, list(monitor.get_registered_resources()), outputs)


@pytest.fixture(scope="module")
def baseline_default_deployment() -> _Deployment:
    return _deploy()


def _policy(inputs: dict[str, Any]) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(inputs["policy"])
    return policy


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [s for s in policy["Statement"] if s.get("Sid") == sid]
    assert len(matches) == 1, f"{sid}: {len(matches)} statements"
    return matches[0]


# --- which resources exist ---------------------------------------------------------------


def test_default_config_creates_exactly_every_part(baseline_default_deployment: _Deployment) -> None:
    children = baseline_default_deployment.children
    assert len(children) == len(set(children)) == 32
    assert set(children) == FULL


def test_every_child_is_parented_to_the_component(baseline_default_deployment: _Deployment) -> None:
    urns = baseline_default_deployment.urns
    component = f"urn:pulumi:test::iamtiers::pulumi:pulumi:Stack${TYPE_TOKEN}::{NAME}"
    assert component in urns
    children = [urn for urn in urns if urn != component]
    assert len(children) == 32
    assert all(urn.split("::")[2].startswith(f"{TYPE_TOKEN}$aws:") for urn in children)


@pytest.mark.parametrize(
    ("change", "removed", "added"),
    [
        pytest.param(
            {"account": Account(id=ACCOUNT_ID, alias="acme-sec", manage_alias=False)},
            ALIAS,
            set(),
            id="alias-unmanaged",
        ),
        pytest.param({"account": Account(id=ACCOUNT_ID)}, ALIAS, set(), id="no-alias"),
        pytest.param(
            {"password_policy": PasswordPolicy(enabled=False)}, PASSWORD_POLICY, set(), id="password-policy"
        ),
        pytest.param(
            {"monitoring": Monitoring(access_analyzer=AccessAnalyzerSettings(enabled=False))},
            ACCESS_ANALYZER,
            set(),
            id="access-analyzer",
        ),
        pytest.param(
            {"monitoring": Monitoring(alarms=AlarmSettings(enabled=False))}, ALARMS, set(), id="alarms"
        ),
        pytest.param(
            {"monitoring": Monitoring(config_rules=ConfigRuleSettings(enabled=False))},
            CONFIG_RECORDER | CONFIG_RULES,
            set(),
            id="config-rules",
        ),
        pytest.param(
            {"monitoring": Monitoring(config_rules=ConfigRuleSettings(create_recorder=False))},
            CONFIG_RECORDER,
            set(),
            id="config-recorder",
        ),
        pytest.param(
            {
                "monitoring": Monitoring(
                    cloudtrail=CloudTrailSettings(enabled=False),
                    alarms=AlarmSettings(existing_log_group_name=ORG_LOG_GROUP),
                    config_rules=ConfigRuleSettings(create_recorder=False),
                )
            },
            CLOUDTRAIL | CONFIG_RECORDER,
            set(),
            id="cloudtrail",
        ),
        pytest.param(
            {
                "monitoring": Monitoring(
                    cloudtrail=CloudTrailSettings(enabled=False),
                    alarms=AlarmSettings(existing_log_group_name=ORG_LOG_GROUP),
                )
            },
            CLOUDTRAIL,
            CONFIG_BUCKET,
            id="cloudtrail-off-recorder-gets-own-bucket",
        ),
    ],
)
def test_each_toggle_removes_exactly_its_part(
    change: dict[str, Any], removed: set[Child], added: set[Child]
) -> None:
    children = _deploy(**change).children
    assert len(children) == len(set(children))
    assert set(children) == (FULL - removed) | added


def test_everything_off_leaves_only_the_component() -> None:
    deployment = _deploy(
        account=Account(id=ACCOUNT_ID),
        password_policy=PasswordPolicy(enabled=False),
        monitoring=Monitoring(
            access_analyzer=AccessAnalyzerSettings(enabled=False),
            cloudtrail=CloudTrailSettings(enabled=False),
            alarms=AlarmSettings(enabled=False),
            config_rules=ConfigRuleSettings(enabled=False),
        ),
    )
    assert deployment.children == []
    assert [t for t, _, _ in deployment.registrations] == [TYPE_TOKEN]
    assert deployment.outputs == {
        "cloudtrail_arn": None,
        "alarm_topic_arn": None,
        "access_analyzer_arn": None,
    }


def test_outputs_are_the_arns_of_the_parts(baseline_default_deployment: _Deployment) -> None:
    assert baseline_default_deployment.outputs == {
        "cloudtrail_arn": TRAIL_ARN,
        "alarm_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{NAME}-alarm-topic",
        "access_analyzer_arn": (
            f"arn:aws:access-analyzer:{REGION}:{ACCOUNT_ID}:analyzer/{NAME}-access-analyzer"
        ),
    }


# --- alias, password policy, analyzer ----------------------------------------------------


def test_alias_and_analyzer_inputs(baseline_default_deployment: _Deployment) -> None:
    d = baseline_default_deployment
    assert d.inputs("aws:iam/accountAlias:AccountAlias", f"{NAME}-alias") == {"accountAlias": "acme-sec"}
    analyzer = d.inputs("aws:accessanalyzer/analyzer:Analyzer", f"{NAME}-access-analyzer")
    assert analyzer["type"] == "ACCOUNT"
    assert analyzer["analyzerName"] == f"{NAME}-access-analyzer"


def test_password_policy_is_the_cis_profile(baseline_default_deployment: _Deployment) -> None:
    inputs = baseline_default_deployment.inputs(*next(iter(PASSWORD_POLICY)))
    assert inputs == {
        "minimumPasswordLength": 14,
        "passwordReusePrevention": 24,
        "requireUppercaseCharacters": True,
        "requireLowercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "allowUsersToChangePassword": True,
        "hardExpiry": False,
    }


def test_password_max_age_is_set_only_when_configured() -> None:
    deployment = _deploy(password_policy=PasswordPolicy(max_age_days=90, hard_expiry=True))
    inputs = deployment.inputs(*next(iter(PASSWORD_POLICY)))
    assert inputs["maxPasswordAge"] == 90
    assert inputs["hardExpiry"] is True


# --- CloudTrail --------------------------------------------------------------------------


def test_trail_settings(baseline_default_deployment: _Deployment) -> None:
    trail = baseline_default_deployment.inputs("aws:cloudtrail/trail:Trail", f"{NAME}-trail")
    assert trail["name"] == f"{NAME}-trail"
    assert trail["isMultiRegionTrail"] is True
    assert trail["includeGlobalServiceEvents"] is True
    assert trail["enableLogFileValidation"] is True
    assert trail["s3BucketName"] == f"{NAME}-trail-bucket-id"
    assert trail["cloudWatchLogsGroupArn"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{TRAIL_LOG_GROUP}:*"
    )
    assert trail["cloudWatchLogsRoleArn"].endswith(f":role/{NAME}-trail-logs-role")
    assert "kmsKeyId" not in trail


def test_trail_log_group_retention(baseline_default_deployment: _Deployment) -> None:
    log_group = baseline_default_deployment.inputs("aws:cloudwatch/logGroup:LogGroup", f"{NAME}-trail-logs")
    assert log_group["name"] == TRAIL_LOG_GROUP
    assert log_group["retentionInDays"] == 365
    assert "kmsKeyId" not in log_group


def test_bucket_is_private_versioned_and_aes_encrypted(baseline_default_deployment: _Deployment) -> None:
    d = baseline_default_deployment
    prefix = f"{NAME}-trail-bucket"
    assert d.inputs("aws:s3/bucket:Bucket", prefix)["forceDestroy"] is False
    public_access = d.inputs(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{prefix}-public-access-block"
    )
    assert public_access == {
        "bucket": f"{prefix}-id",
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    encryption = d.inputs(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"{prefix}-encryption",
    )
    assert encryption["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    versioning = d.inputs("aws:s3/bucketVersioning:BucketVersioning", f"{prefix}-versioning")
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    ownership = d.inputs("aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{prefix}-ownership")
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_kms_key_encrypts_bucket_log_group_and_trail() -> None:
    d = _deploy(monitoring=Monitoring(cloudtrail=CloudTrailSettings(kms_key_arn=KMS_KEY)))
    encryption = d.inputs(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"{NAME}-trail-bucket-encryption",
    )
    assert encryption["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KMS_KEY}}
    ]
    assert d.inputs("aws:cloudwatch/logGroup:LogGroup", f"{NAME}-trail-logs")["kmsKeyId"] == KMS_KEY
    assert d.inputs("aws:cloudtrail/trail:Trail", f"{NAME}-trail")["kmsKeyId"] == KMS_KEY
    delivery = _policy(d.inputs("aws:iam/rolePolicy:RolePolicy", f"{NAME}-config-s3-delivery"))
    assert _statement(delivery, "ConfigEncryptWithBucketKey")["Resource"] == KMS_KEY


def test_trail_bucket_policy_pins_the_trail_and_requires_tls(
    baseline_default_deployment: _Deployment,
) -> None:
    inputs = baseline_default_deployment.inputs(
        "aws:s3/bucketPolicy:BucketPolicy", f"{NAME}-trail-bucket-policy"
    )
    bucket_arn = f"arn:aws:s3:::{NAME}-trail-bucket-{ACCOUNT_ID}"
    policy = _policy(inputs)
    assert [s["Sid"] for s in policy["Statement"]] == [
        "CloudTrailAclCheck",
        "CloudTrailWrite",
        "ConfigBucketCheck",
        "ConfigWrite",
        "DenyInsecureTransport",
    ]
    acl_check = _statement(policy, "CloudTrailAclCheck")
    assert acl_check["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert acl_check["Action"] == "s3:GetBucketAcl"
    assert acl_check["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    write = _statement(policy, "CloudTrailWrite")
    assert write["Action"] == "s3:PutObject"
    assert write["Resource"] == f"{bucket_arn}/AWSLogs/{ACCOUNT_ID}/*"
    assert write["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control"}
    }
    config_write = _statement(policy, "ConfigWrite")
    assert config_write["Principal"] == {"Service": "config.amazonaws.com"}
    assert config_write["Resource"] == f"{bucket_arn}/config/AWSLogs/{ACCOUNT_ID}/Config/*"
    assert config_write["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT_ID
    deny = _statement(policy, "DenyInsecureTransport")
    assert deny["Effect"] == "Deny"
    assert deny["Action"] == "s3:*"
    assert deny["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_computed_trail_arn_matches_the_trail(baseline_default_deployment: _Deployment) -> None:
    assert baseline_default_deployment.outputs["cloudtrail_arn"] == TRAIL_ARN


def test_bucket_policy_omits_config_without_a_recorder() -> None:
    d = _deploy(monitoring=Monitoring(config_rules=ConfigRuleSettings(create_recorder=False)))
    policy = _policy(d.inputs("aws:s3/bucketPolicy:BucketPolicy", f"{NAME}-trail-bucket-policy"))
    assert [s["Sid"] for s in policy["Statement"]] == [
        "CloudTrailAclCheck",
        "CloudTrailWrite",
        "DenyInsecureTransport",
    ]


def test_cloudtrail_role_may_only_write_to_its_log_group(
    baseline_default_deployment: _Deployment,
) -> None:
    d = baseline_default_deployment
    role = d.inputs("aws:iam/role:Role", f"{NAME}-trail-logs-role")
    trust = json.loads(role["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    policy = _policy(d.inputs("aws:iam/rolePolicy:RolePolicy", f"{NAME}-trail-logs-policy"))
    assert policy["Statement"] == [
        {
            "Sid": "DeliverTrailEventsToLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{TRAIL_LOG_GROUP}:log-stream:*",
        }
    ]


# --- alarms ------------------------------------------------------------------------------


def test_failed_signin_alarm(baseline_default_deployment: _Deployment) -> None:
    alarm = baseline_default_deployment.inputs(
        "aws:cloudwatch/metricAlarm:MetricAlarm", f"{NAME}-failed-console-signin-alarm"
    )
    assert alarm["threshold"] == 3
    assert alarm["period"] == 300
    assert alarm["statistic"] == "Sum"
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["evaluationPeriods"] == 1
    assert alarm["treatMissingData"] == "notBreaching"
    assert alarm["namespace"] == "IamTiers/Security"
    assert alarm["metricName"] == "FailedConsoleSignIn"
    assert alarm["alarmActions"] == [f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{NAME}-alarm-topic"]


def test_signin_threshold_and_period_come_from_config() -> None:
    d = _deploy(
        monitoring=Monitoring(
            alarms=AlarmSettings(failed_signin_threshold=5, failed_signin_period_seconds=900)
        )
    )
    alarms = d.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert {name: (a["threshold"], a["period"]) for name, a in alarms.items()} == {
        f"{NAME}-failed-console-signin-alarm": (5, 900),
        f"{NAME}-console-signin-without-mfa-alarm": (1, 300),
        f"{NAME}-root-account-use-alarm": (1, 300),
    }


def test_metric_filters_watch_the_trail_log_group(baseline_default_deployment: _Deployment) -> None:
    filters = baseline_default_deployment.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    assert {f["logGroupName"] for f in filters.values()} == {TRAIL_LOG_GROUP}
    assert filters[f"{NAME}-failed-console-signin-filter"]["pattern"] == (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'
    )
    assert filters[f"{NAME}-root-account-use-filter"]["pattern"] == (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.eventType != "AwsServiceEvent" }'
    )
    assert (
        '($.additionalEventData.MFAUsed != "Yes")'
        in (filters[f"{NAME}-console-signin-without-mfa-filter"]["pattern"])
    )
    assert filters[f"{NAME}-root-account-use-filter"]["metricTransformation"] == {
        "name": "RootAccountUse",
        "namespace": "IamTiers/Security",
        "value": "1",
    }


def test_existing_log_group_is_watched_when_the_trail_is_off() -> None:
    d = _deploy(
        monitoring=Monitoring(
            cloudtrail=CloudTrailSettings(enabled=False),
            alarms=AlarmSettings(existing_log_group_name=ORG_LOG_GROUP),
        )
    )
    filters = d.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    assert len(filters) == 3
    assert {f["logGroupName"] for f in filters.values()} == {ORG_LOG_GROUP}
    assert d.outputs["cloudtrail_arn"] is None


def test_email_subscriptions_are_keyed_by_address_not_position() -> None:
    emails = ["soc@example.com", "Jane.Doe+alerts@corp.example.io"]
    first = _deploy(monitoring=Monitoring(alarms=AlarmSettings(emails=emails)))
    second = _deploy(monitoring=Monitoring(alarms=AlarmSettings(emails=list(reversed(emails)))))
    subscriptions = first.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscriptions == second.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert set(subscriptions) == {
        f"{NAME}-alarm-email-soc-at-example-com",
        f"{NAME}-alarm-email-jane-doe-alerts-at-corp-example-io",
    }
    soc = subscriptions[f"{NAME}-alarm-email-soc-at-example-com"]
    assert soc == {
        "topic": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{NAME}-alarm-topic",
        "protocol": "email",
        "endpoint": "soc@example.com",
    }


def test_email_addresses_with_one_key_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"monitoring\.alarms\.emails: 'a-b@x\.io' and 'a\.b@x\.io'"):
        alarm_subscribers(AlarmSettings(emails=["a.b@x.io", "a-b@x.io"]))
    assert alarm_subscribers(AlarmSettings(emails=["a@x.io", "a@x.io"])) == {"a-at-x-io": "a@x.io"}
    assert email_key("Ops.Team@Example.COM") == "ops-team-at-example-com"


# --- Config ------------------------------------------------------------------------------


def test_config_recorder_records_everything_into_the_trail_bucket(
    baseline_default_deployment: _Deployment,
) -> None:
    d = baseline_default_deployment
    recorder = d.inputs("aws:cfg/recorder:Recorder", f"{NAME}-config-recorder")
    assert recorder["recordingGroup"] == {"allSupported": True, "includeGlobalResourceTypes": True}
    assert recorder["roleArn"].endswith(f":role/{NAME}-config-role")
    channel = d.inputs("aws:cfg/deliveryChannel:DeliveryChannel", f"{NAME}-config-delivery-channel")
    assert channel == {"s3BucketName": f"{NAME}-trail-bucket-id", "s3KeyPrefix": "config"}
    status = d.inputs("aws:cfg/recorderStatus:RecorderStatus", f"{NAME}-config-recorder-status")
    assert status["isEnabled"] is True
    attachment = d.inputs(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{NAME}-config-AWS_ConfigRole"
    )
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    trust = json.loads(d.inputs("aws:iam/role:Role", f"{NAME}-config-role")["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "config.amazonaws.com"}
    delivery = _policy(d.inputs("aws:iam/rolePolicy:RolePolicy", f"{NAME}-config-s3-delivery"))
    assert _statement(delivery, "ConfigWrite")["Resource"] == (
        f"arn:aws:s3:::{NAME}-trail-bucket-{ACCOUNT_ID}/config/AWSLogs/{ACCOUNT_ID}/Config/*"
    )


def test_config_without_trail_delivers_to_its_own_private_bucket() -> None:
    d = _deploy(
        monitoring=Monitoring(
            cloudtrail=CloudTrailSettings(enabled=False),
            alarms=AlarmSettings(existing_log_group_name=ORG_LOG_GROUP),
        )
    )
    channel = d.inputs("aws:cfg/deliveryChannel:DeliveryChannel", f"{NAME}-config-delivery-channel")
    assert channel["s3BucketName"] == f"{NAME}-config-bucket-id"
    policy = _policy(d.inputs("aws:s3/bucketPolicy:BucketPolicy", f"{NAME}-config-bucket-policy"))
    assert [s["Sid"] for s in policy["Statement"]] == [
        "ConfigBucketCheck",
        "ConfigWrite",
        "DenyInsecureTransport",
    ]
    public_access = d.inputs(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        f"{NAME}-config-bucket-public-access-block",
    )
    assert all(
        public_access[flag] is True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )


def test_config_rules_and_their_parameters(baseline_default_deployment: _Deployment) -> None:
    rules = baseline_default_deployment.of_type("aws:cfg/rule:Rule")
    identifiers = {name: rule["source"]["sourceIdentifier"] for name, rule in rules.items()}
    assert identifiers == {
        f"{NAME}-rule-{r.identifier.lower().replace('_', '-')}": r.identifier for r in MANAGED_CONFIG_RULES
    }
    assert all(rule["source"]["owner"] == "AWS" for rule in rules.values())

    def parameters(key: str) -> dict[str, str] | None:
        raw = rules[f"{NAME}-rule-{key}"].get("inputParameters")
        return None if raw is None else dict(json.loads(raw))

    assert parameters("iam-user-unused-credentials-check") == {"maxCredentialUsageAge": "45"}
    assert parameters("access-keys-rotated") == {"maxAccessKeyAge": "90"}
    assert parameters("iam-password-policy") == {
        "RequireUppercaseCharacters": "true",
        "RequireLowercaseCharacters": "true",
        "RequireSymbols": "true",
        "RequireNumbers": "true",
        "MinimumPasswordLength": "14",
        "PasswordReusePrevention": "24",
    }
    assert parameters("mfa-enabled-for-iam-console-access") is None
    assert parameters("iam-user-no-policies-check") is None


def test_password_rule_follows_the_password_policy() -> None:
    d = _deploy(
        password_policy=PasswordPolicy(minimum_length=20, require_symbols=False, max_age_days=90),
        monitoring=Monitoring(config_rules=ConfigRuleSettings(access_key_max_age_days=30)),
    )
    rules = d.of_type("aws:cfg/rule:Rule")
    password = json.loads(rules[f"{NAME}-rule-iam-password-policy"]["inputParameters"])
    assert password["MinimumPasswordLength"] == "20"
    assert password["RequireSymbols"] == "false"
    assert password["MaxPasswordAge"] == "90"
    rotated = json.loads(rules[f"{NAME}-rule-access-keys-rotated"]["inputParameters"])
    assert rotated == {"maxAccessKeyAge": "30"}


# --- data tables and pure builders -------------------------------------------------------


def test_data_tables_have_unique_keys() -> None:
    assert [a.key for a in SECURITY_ALARMS] == list(ALARM_KEYS)
    assert len({a.metric_name for a in SECURITY_ALARMS}) == len(SECURITY_ALARMS)
    assert [r.key for r in MANAGED_CONFIG_RULES] == list(RULE_KEYS)


def test_log_bucket_policy_without_services_only_denies_plain_http() -> None:
    policy = log_bucket_policy("arn:aws:s3:::b", ACCOUNT_ID, trail_arn=None, config_delivery=False)
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]
