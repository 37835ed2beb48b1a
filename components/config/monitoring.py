"""`monitoring`: the account baseline's detective controls (`Monitoring`) and the settings of each
part: IAM Access Analyzer, CloudTrail, the CloudWatch alarms and the AWS Config rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from components.config.fields import Email, _Strict


class AccessAnalyzerSettings(_Strict):
    enabled: bool = True


class CloudTrailSettings(_Strict):
    enabled: bool = True
    log_retention_days: Literal[
        1,
        3,
        5,
        7,
        14,
        30,
        60,
        90,
        120,
        150,
        180,
        365,
        400,
        545,
        731,
        1096,
        1827,
        2192,
        2557,
        2922,
        3288,
        3653,
    ] = 365
    kms_key_arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")] | None
    ) = None


class AlarmSettings(_Strict):
    enabled: bool = True
    emails: list[Email] = Field(default_factory=list)
    failed_signin_threshold: Annotated[int, Field(ge=1)] = 3
    failed_signin_period_seconds: Annotated[int, Field(ge=60, le=86400)] = 300
    existing_log_group_name: str | None = None


class ConfigRuleSettings(_Strict):
    enabled: bool = True
    create_recorder: bool = True
    unused_credentials_days: Annotated[int, Field(ge=1, le=365)] = 45
    access_key_max_age_days: Annotated[int, Field(ge=1, le=365)] = 90


class Monitoring(_Strict):
    """The account baseline's detective controls; each part can be switched off."""

    access_analyzer: AccessAnalyzerSettings = Field(default_factory=AccessAnalyzerSettings)
    cloudtrail: CloudTrailSettings = Field(default_factory=CloudTrailSettings)
    alarms: AlarmSettings = Field(default_factory=AlarmSettings)
    config_rules: ConfigRuleSettings = Field(default_factory=ConfigRuleSettings)

    @model_validator(mode="after")
    def _alarm_source(self) -> Monitoring:
        if self.alarms.enabled and not self.cloudtrail.enabled and not self.alarms.existing_log_group_name:
            raise ValueError(
                "alarms need CloudTrail events: enable cloudtrail or set "
                "alarms.existing_log_group_name to the org trail's log group"
            )
        return self
