"""The account baseline: alias, password policy and the detective controls around IAM.

Every part has its own switch in the stack config; a part that is off creates nothing. Which
resources exist is decided here from the config alone, never inside `apply()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi
import pulumi_aws as aws

from components.config import (
    PARTITION,
    Account,
    AlarmSettings,
    ConfigRuleSettings,
    Monitoring,
    PasswordPolicy,
    managed_policy_key,
)
from components.policy_documents import document, service_trust_policy, to_json

TYPE_TOKEN = "iamtiers:index:AccountBaseline"

ALARM_NAMESPACE = "IamTiers/Security"
DEFAULT_ALARM_PERIOD_SECONDS = 300
CONFIG_KEY_PREFIX = "config"  # the delivery channel's prefix inside the log bucket
CONFIG_ROLE_POLICY_ARN = f"arn:{PARTITION}:iam::aws:policy/service-role/AWS_ConfigRole"
_OBJECT_OWNER_ACL = {"s3:x-amz-acl": "bucket-owner-full-control"}


@dataclass(frozen=True)
class SecurityAlarm:
    """One CloudTrail metric filter and the alarm on its metric."""

    key: str  # child-resource suffix; never renamed, or the pair is replaced
    metric_name: str
    description: str
    pattern: str
    # Threshold and period come from alarms.failed_signin_*; otherwise any single event alarms.
    uses_signin_threshold: bool = False


# Source: CIS AWS Foundations Benchmark v1.4.0, controls 4.6 (console authentication failures),
# 4.2 (console sign-in without MFA) and 4.3 (use of the root account).
SECURITY_ALARMS: tuple[SecurityAlarm, ...] = (
    SecurityAlarm(
        key="failed-console-signin",
        metric_name="FailedConsoleSignIn",
        description="Repeated failed console sign-ins (CIS 4.6)",
        pattern='{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        uses_signin_threshold=True,
    ),
    SecurityAlarm(
        key="console-signin-without-mfa",
        metric_name="ConsoleSignInWithoutMfa",
        description="An IAM user signed in to the console without MFA (CIS 4.2)",
        pattern=(
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
            '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
        ),
    ),
    SecurityAlarm(
        key="root-account-use",
        metric_name="RootAccountUse",
        description="The root user was used (CIS 4.3)",
        pattern=(
            '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }'
        ),
    ),
)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _unused_credentials_parameters(rules: ConfigRuleSettings, _: PasswordPolicy) -> dict[str, str]:
    return {"maxCredentialUsageAge": str(rules.unused_credentials_days)}


def _access_key_parameters(rules: ConfigRuleSettings, _: PasswordPolicy) -> dict[str, str]:
    return {"maxAccessKeyAge": str(rules.access_key_max_age_days)}


def _password_policy_parameters(_: ConfigRuleSettings, policy: PasswordPolicy) -> dict[str, str]:
    # The rule checks the same policy this component sets, so drift is reported, not hidden.
    parameters = {
        "RequireUppercaseCharacters": _bool(policy.require_uppercase),
        "RequireLowercaseCharacters": _bool(policy.require_lowercase),
        "RequireSymbols": _bool(policy.require_symbols),
        "RequireNumbers": _bool(policy.require_numbers),
        "MinimumPasswordLength": str(policy.minimum_length),
        "PasswordReusePrevention": str(policy.reuse_prevention),
    }
    if policy.max_age_days is not None:
        parameters["MaxPasswordAge"] = str(policy.max_age_days)
    return parameters


RuleParameters = Callable[[ConfigRuleSettings, PasswordPolicy], dict[str, str]]


@dataclass(frozen=True)
class ManagedConfigRule:
    """An AWS managed Config rule; `parameters` builds its input parameters from config."""

    identifier: str
    description: str
    parameters: RuleParameters | None = None

    @property
    def key(self) -> str:
        """A stable kebab-case child-resource suffix derived from the identifier."""
        return self.identifier.lower().replace("_", "-")


# Source: AWS Config managed rules list (docs.aws.amazon.com/config/latest/developerguide/
# managed-rules-by-aws-config.html); the IAM checks of the CIS AWS Foundations conformance pack.
MANAGED_CONFIG_RULES: tuple[ManagedConfigRule, ...] = (
    ManagedConfigRule("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "Console users have MFA"),
    ManagedConfigRule("ROOT_ACCOUNT_MFA_ENABLED", "The root user has MFA"),
    ManagedConfigRule(
        "IAM_USER_UNUSED_CREDENTIALS_CHECK",
        "Passwords and access keys unused for too long are disabled",
        _unused_credentials_parameters,
    ),
    ManagedConfigRule("ACCESS_KEYS_ROTATED", "Access keys are rotated", _access_key_parameters),
    ManagedConfigRule(
        "IAM_PASSWORD_POLICY",
        "The account password policy meets the stack config",
        _password_policy_parameters,
    ),
    ManagedConfigRule("IAM_USER_NO_POLICIES_CHECK", "Users get permissions only through groups"),
)


def cloudtrail_trail_arn(region: str, account_id: str, trail_name: str) -> str:
    """The trail's ARN, known before the trail exists, so the bucket policy can pin it."""
    return f"arn:{PARTITION}:cloudtrail:{region}:{account_id}:trail/{trail_name}"


def log_bucket_policy(
    bucket_arn: str, account_id: str, *, trail_arn: str | None, config_delivery: bool
) -> dict[str, Any]:
    """Let only this account's trail (and Config, when asked) write, and only over TLS."""
    statements: list[dict[str, Any]] = []
    if trail_arn is not None:
        trail_source = {"aws:SourceArn": trail_arn}
        statements += [
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": trail_source},
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
                "Condition": {"StringEquals": {**trail_source, **_OBJECT_OWNER_ACL}},
            },
        ]
    if config_delivery:
        config_source = {"aws:SourceAccount": account_id}
        statements += [
            {
                # Config checks the bucket exists (HeadBucket needs ListBucket) before delivering.
                "Sid": "ConfigBucketCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": bucket_arn,
                "Condition": {"StringEquals": config_source},
            },
            {
                "Sid": "ConfigWrite",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{CONFIG_KEY_PREFIX}/AWSLogs/{account_id}/Config/*",
                "Condition": {"StringEquals": {**config_source, **_OBJECT_OWNER_ACL}},
            },
        ]
    statements.append(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    return document(statements)


def cloudtrail_logs_policy(log_group_arn: str) -> dict[str, Any]:
    """What CloudTrail needs to stream events into exactly one log group."""
    return document(
        [
            {
                "Sid": "DeliverTrailEventsToLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:log-stream:*",
            }
        ]
    )


def config_delivery_policy(
    bucket_arn: str, account_id: str, kms_key_arn: str | None = None
) -> dict[str, Any]:
    """What the Config role needs to deliver to its bucket (AWS_ConfigRole grants no S3 write)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ConfigBucketCheck",
            "Effect": "Allow",
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn,
        },
        {
            "Sid": "ConfigWrite",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/{CONFIG_KEY_PREFIX}/AWSLogs/{account_id}/Config/*",
            "Condition": {"StringEquals": _OBJECT_OWNER_ACL},
        },
    ]
    if kms_key_arn is not None:
        statements.append(
            {
                "Sid": "ConfigEncryptWithBucketKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": kms_key_arn,
            }
        )
    return document(statements)


def email_key(email: str) -> str:
    """A stable child-resource suffix for an email address: `a.b@x.io` -> `a-b-at-x-io`."""
    local, _, domain = email.lower().partition("@")
    return re.sub(r"[^a-z0-9]+", "-", f"{local}-at-{domain}").strip("-")


def alarm_subscribers(settings: AlarmSettings) -> dict[str, str]:
    """Alarm emails keyed by `email_key`; two addresses with one key are a config error."""
    keyed: dict[str, str] = {}
    for email in sorted(set(settings.emails)):
        key = email_key(email)
        if key in keyed:
            raise ValueError(
                f"monitoring.alarms.emails: '{keyed[key]}' and '{email}' map to the same "
                f"subscription key '{key}'; list each address once"
            )
        keyed[key] = email
    return keyed


@dataclass(frozen=True)
class AccountBaselineArgs:
    account: Account
    password_policy: PasswordPolicy
    monitoring: Monitoring
    region: str
    tags: dict[str, str]


@dataclass(frozen=True)
class _LogBucket:
    bucket: aws.s3.Bucket
    name: str  # the physical bucket name, fixed so that its ARN is known at preview
    policy: aws.s3.BucketPolicy  # delivery works only once this exists


@dataclass(frozen=True)
class _TrailParts:
    bucket: _LogBucket
    log_group: aws.cloudwatch.LogGroup
    trail: aws.cloudtrail.Trail


_SseByDefault = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs


def log_bucket_name(name: str, account_id: str) -> str:
    return f"{name}-{account_id}"


def bucket_arn(bucket_name: str) -> str:
    return f"arn:aws:s3:::{bucket_name}"


def log_group_arn(region: str, account_id: str, log_group_name: str) -> str:
    return f"arn:aws:logs:{region}:{account_id}:log-group:{log_group_name}"


def _private_log_bucket(
    name: str,
    *,
    account_id: str,
    kms_key_arn: str | None,
    trail_arn: str | None,
    config_delivery: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> _LogBucket:
    """A versioned, encrypted bucket no one outside the account can read or make public."""
    child = pulumi.ResourceOptions(parent=parent)
    # A fixed name (the account id keeps it globally unique) makes the ARN, and so every policy
    # that names the bucket, known before the bucket exists: the policy pack judges them at preview.
    bucket_name = log_bucket_name(name, account_id)
    bucket = aws.s3.Bucket(name, bucket=bucket_name, force_destroy=False, tags=tags, opts=child)
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    default_encryption = (
        _SseByDefault(sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn)
        if kms_key_arn
        else _SseByDefault(sse_algorithm="AES256")
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default_encryption
            )
        ],
        opts=child,
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    policy = aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=to_json(
            log_bucket_policy(
                bucket_arn(bucket_name), account_id, trail_arn=trail_arn, config_delivery=config_delivery
            )
        ),
        # S3 rejects a policy written while the public access block is still changing.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[public_access, ownership]),
    )
    return _LogBucket(bucket=bucket, name=bucket_name, policy=policy)


def _password_policy(name: str, policy: PasswordPolicy, parent: pulumi.Resource) -> None:
    aws.iam.AccountPasswordPolicy(
        f"{name}-password-policy",
        minimum_password_length=policy.minimum_length,
        password_reuse_prevention=policy.reuse_prevention,
        require_uppercase_characters=policy.require_uppercase,
        require_lowercase_characters=policy.require_lowercase,
        require_numbers=policy.require_numbers,
        require_symbols=policy.require_symbols,
        allow_users_to_change_password=policy.allow_users_to_change,
        max_password_age=policy.max_age_days,  # None: passwords never expire
        hard_expiry=policy.hard_expiry,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _config_delivery(monitoring: Monitoring) -> bool:
    """Whether Config delivers to a bucket this component owns."""
    return monitoring.config_rules.enabled and monitoring.config_rules.create_recorder


def _cloudtrail(name: str, args: AccountBaselineArgs, parent: pulumi.Resource) -> _TrailParts:
    settings = args.monitoring.cloudtrail
    account_id = args.account.id
    child = pulumi.ResourceOptions(parent=parent)
    trail_name = f"{name}-trail"
    bucket = _private_log_bucket(
        f"{name}-trail-bucket",
        account_id=account_id,
        kms_key_arn=settings.kms_key_arn,
        # Computed, not read from the trail: the trail depends on this policy.
        trail_arn=cloudtrail_trail_arn(args.region, account_id, trail_name),
        config_delivery=_config_delivery(args.monitoring),
        tags=args.tags,
        parent=parent,
    )
    log_group_name = f"/aws/cloudtrail/{trail_name}"
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-trail-logs",
        name=log_group_name,
        retention_in_days=settings.log_retention_days,
        kms_key_id=settings.kms_key_arn,
        tags=args.tags,
        opts=child,
    )
    role = aws.iam.Role(
        f"{name}-trail-logs-role",
        description="CloudTrail delivers the account trail to its CloudWatch log group",
        assume_role_policy=to_json(service_trust_policy("cloudtrail.amazonaws.com", account_id)),
        tags=args.tags,
        opts=child,
    )
    role_policy = aws.iam.RolePolicy(
        f"{name}-trail-logs-policy",
        name="deliver-to-trail-log-group",
        role=role.name,
        policy=to_json(cloudtrail_logs_policy(log_group_arn(args.region, account_id, log_group_name))),
        opts=child,
    )
    trail = aws.cloudtrail.Trail(
        f"{name}-trail",
        name=trail_name,
        s3_bucket_name=bucket.bucket.id,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        cloud_watch_logs_group_arn=log_group.arn.apply(lambda arn: f"{arn}:*"),
        cloud_watch_logs_role_arn=role.arn,
        kms_key_id=settings.kms_key_arn,
        tags=args.tags,
        # CloudTrail checks bucket access and the log role when the trail is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[bucket.policy, role_policy]),
    )
    return _TrailParts(bucket=bucket, log_group=log_group, trail=trail)


def _alarms(
    name: str, args: AccountBaselineArgs, trail: _TrailParts | None, parent: pulumi.Resource
) -> aws.sns.Topic:
    settings = args.monitoring.alarms
    child = pulumi.ResourceOptions(parent=parent)
    log_group_name: pulumi.Input[str]
    if trail is not None:
        log_group_name = trail.log_group.name
    elif settings.existing_log_group_name:
        log_group_name = settings.existing_log_group_name
    else:  # Monitoring's validator already rejects this; kept for direct construction
        raise ValueError(
            "monitoring.alarms: no CloudTrail log group to watch; enable cloudtrail or set "
            "alarms.existing_log_group_name"
        )
    # No KMS key: CloudWatch cannot publish to a topic under the AWS managed aws/sns key.
    topic = aws.sns.Topic(f"{name}-alarm-topic", tags=args.tags, opts=child)
    for key, email in alarm_subscribers(settings).items():
        aws.sns.TopicSubscription(
            f"{name}-alarm-email-{key}",
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            opts=child,
        )
    for alarm in SECURITY_ALARMS:
        metric_filter = aws.cloudwatch.LogMetricFilter(
            f"{name}-{alarm.key}-filter",
            log_group_name=log_group_name,
            pattern=alarm.pattern,
            metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                name=alarm.metric_name, namespace=ALARM_NAMESPACE, value="1"
            ),
            opts=child,
        )
        aws.cloudwatch.MetricAlarm(
            f"{name}-{alarm.key}-alarm",
            alarm_description=alarm.description,
            namespace=ALARM_NAMESPACE,
            metric_name=alarm.metric_name,
            statistic="Sum",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=settings.failed_signin_threshold if alarm.uses_signin_threshold else 1,
            period=(
                settings.failed_signin_period_seconds
                if alarm.uses_signin_threshold
                else DEFAULT_ALARM_PERIOD_SECONDS
            ),
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[metric_filter]),
        )
    return topic


def _config_recorder(
    name: str, args: AccountBaselineArgs, trail: _TrailParts | None, parent: pulumi.Resource
) -> aws.cfg.RecorderStatus:
    account_id = args.account.id
    child = pulumi.ResourceOptions(parent=parent)
    # Share the trail's bucket; without a trail, Config gets its own private bucket.
    if trail is not None:
        bucket, kms_key_arn = trail.bucket, args.monitoring.cloudtrail.kms_key_arn
    else:
        bucket, kms_key_arn = (
            _private_log_bucket(
                f"{name}-config-bucket",
                account_id=account_id,
                kms_key_arn=None,
                trail_arn=None,
                config_delivery=True,
                tags=args.tags,
                parent=parent,
            ),
            None,
        )
    role = aws.iam.Role(
        f"{name}-config-role",
        description="AWS Config records resource configuration and delivers it to S3",
        assume_role_policy=to_json(service_trust_policy("config.amazonaws.com", account_id)),
        tags=args.tags,
        opts=child,
    )
    attachment = aws.iam.RolePolicyAttachment(
        f"{name}-config-{managed_policy_key(CONFIG_ROLE_POLICY_ARN)}",
        role=role.name,
        policy_arn=CONFIG_ROLE_POLICY_ARN,
        opts=child,
    )
    delivery_policy = aws.iam.RolePolicy(
        f"{name}-config-s3-delivery",
        name="deliver-to-config-bucket",
        role=role.name,
        policy=to_json(config_delivery_policy(bucket_arn(bucket.name), account_id, kms_key_arn)),
        opts=child,
    )
    recorder = aws.cfg.Recorder(
        f"{name}-config-recorder",
        role_arn=role.arn,
        recording_group=aws.cfg.RecorderRecordingGroupArgs(
            all_supported=True, include_global_resource_types=True
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[attachment]),
    )
    channel = aws.cfg.DeliveryChannel(
        f"{name}-config-delivery-channel",
        s3_bucket_name=bucket.bucket.id,
        s3_key_prefix=CONFIG_KEY_PREFIX,
        # Config test-writes to the bucket when the channel is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[recorder, bucket.policy, delivery_policy]),
    )
    return aws.cfg.RecorderStatus(
        f"{name}-config-recorder-status",
        name=recorder.name,
        is_enabled=True,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[channel]),
    )


def _config_rules(
    name: str, args: AccountBaselineArgs, trail: _TrailParts | None, parent: pulumi.Resource
) -> None:
    settings = args.monitoring.config_rules
    rule_opts = pulumi.ResourceOptions(parent=parent)
    if settings.create_recorder:
        status = _config_recorder(name, args, trail, parent)
        # Rules evaluate nothing until the recorder runs.
        rule_opts = pulumi.ResourceOptions(parent=parent, depends_on=[status])
    for rule in MANAGED_CONFIG_RULES:
        parameters = rule.parameters(settings, args.password_policy) if rule.parameters else None
        aws.cfg.Rule(
            f"{name}-rule-{rule.key}",
            description=rule.description,
            source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=rule.identifier),
            input_parameters=to_json(parameters) if parameters else None,
            tags=args.tags,
            opts=rule_opts,
        )


class AccountBaseline(pulumi.ComponentResource):
    """Account alias, password policy, Access Analyzer, CloudTrail, sign-in alarms, Config rules."""

    cloudtrail_arn: pulumi.Output[str | None]
    alarm_topic_arn: pulumi.Output[str | None]
    access_analyzer_arn: pulumi.Output[str | None]

    TYPE_TOKEN: ClassVar[str] = TYPE_TOKEN

    def __init__(
        self, name: str, args: AccountBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        monitoring = args.monitoring
        none: pulumi.Output[str | None] = pulumi.Output.from_input(None)

        if args.account.manage_alias and args.account.alias:
            aws.iam.AccountAlias(
                f"{name}-alias",
                account_alias=args.account.alias,
                opts=pulumi.ResourceOptions(parent=self),
            )
        if args.password_policy.enabled:
            _password_policy(name, args.password_policy, self)

        self.access_analyzer_arn = none
        if monitoring.access_analyzer.enabled:
            analyzer = aws.accessanalyzer.Analyzer(
                f"{name}-access-analyzer",
                analyzer_name=f"{name}-access-analyzer",
                type="ACCOUNT",
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.access_analyzer_arn = analyzer.arn

        trail = _cloudtrail(name, args, self) if monitoring.cloudtrail.enabled else None
        self.cloudtrail_arn = trail.trail.arn if trail is not None else none

        self.alarm_topic_arn = none
        if monitoring.alarms.enabled:
            self.alarm_topic_arn = _alarms(name, args, trail, self).arn

        if monitoring.config_rules.enabled:
            _config_rules(name, args, trail, self)

        self.register_outputs(
            {
                "cloudtrail_arn": self.cloudtrail_arn,
                "alarm_topic_arn": self.alarm_topic_arn,
                "access_analyzer_arn": self.access_analyzer_arn,
            }
        )
