"""Root access management: in the organization's management account, IAM's central control of member
accounts' root users (`RootCredentialsManagement`: no root password, keys or MFA in members unless
the management account grants them) and privileged root sessions (`RootSessions`: short `sts:AssumeRoot`
tasks instead of root credentials). Needs trusted access for iam.amazonaws.com (README).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.break_glass import RootManagement


def root_access_management(name: str, config: RootManagement | None) -> aws.iam.OrganizationsFeatures | None:
    """The one `OrganizationsFeatures` of the account, or nothing when no feature is on."""
    if config is None or not config.features:
        return None
    return aws.iam.OrganizationsFeatures(
        name, enabled_features=config.features, opts=pulumi.ResourceOptions()
    )
