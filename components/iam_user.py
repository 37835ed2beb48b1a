"""An IAM user: console login with forced reset and, if asked, an access key.

No policy is ever attached to the user itself; permissions come only through groups, and each group
lists its own members (components/iam_group.py), so a user registers no membership.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import User as UserConfig

TYPE_TOKEN = "iamtiers:index:User"


@dataclass(frozen=True)
class UserArgs:
    user: UserConfig
    tags: dict[str, str]


class User(pulumi.ComponentResource):
    """`initial_password` and `secret_access_key` are PGP-encrypted when a key is given, else secrets."""

    arn: pulumi.Output[str]
    user_name: pulumi.Output[str]
    initial_password: pulumi.Output[str | None]
    access_key_id: pulumi.Output[str | None]
    secret_access_key: pulumi.Output[str | None]

    def __init__(self, name: str, args: UserArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        config = args.user
        tags = {**args.tags, **config.tags}
        if config.email:
            tags["email"] = config.email
        if config.disabled:
            tags["iamtiers:disabled"] = "true"
        user = aws.iam.User(
            name,
            name=config.name,
            path=config.path,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, depends_on=[user])
        self.initial_password = pulumi.Output.from_input(None)
        self.access_key_id = pulumi.Output.from_input(None)
        self.secret_access_key = pulumi.Output.from_input(None)
        if not config.disabled:
            if config.console_access:
                profile = aws.iam.UserLoginProfile(
                    f"{name}-login-profile",
                    user=user.name,
                    password_reset_required=True,
                    pgp_key=config.pgp_key,
                    opts=child,
                )
                self.initial_password = (
                    profile.encrypted_password if config.pgp_key else pulumi.Output.secret(profile.password)
                )
            if config.programmatic_access:
                key = aws.iam.AccessKey(
                    f"{name}-access-key", user=user.name, pgp_key=config.pgp_key, opts=child
                )
                self.access_key_id = key.id
                self.secret_access_key = (
                    key.encrypted_secret if config.pgp_key else pulumi.Output.secret(key.secret)
                )
        self.arn = user.arn
        self.user_name = user.name
        self.register_outputs(
            {
                "arn": self.arn,
                "user_name": self.user_name,
                "initial_password": self.initial_password,
                "access_key_id": self.access_key_id,
                "secret_access_key": self.secret_access_key,
            }
        )
