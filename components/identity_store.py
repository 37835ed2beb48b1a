"""Who Identity Center knows: the users, groups and memberships of its own directory, created here, or
the groups (and users) an external IdP provisions by SCIM, looked up by display name (user name).

Logical names come from user and group names, never list positions, so reordering replaces nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import IdentityCenter

TYPE_TOKEN = "iamtiers:index:IdentityStore"


@dataclass(frozen=True)
class IdentityStoreArgs:
    identity_center: IdentityCenter
    identity_store_id: str


class IdentityStore(pulumi.ComponentResource):
    """The directory's principals by name: `group_ids` and `user_ids`, each an identity-store id."""

    group_ids: dict[str, pulumi.Output[str]]
    user_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: IdentityStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        center, store = args.identity_center, args.identity_store_id
        child = pulumi.ResourceOptions(parent=self)
        self.group_ids = {}
        self.user_ids = {}
        for user in sorted(center.users, key=lambda u: u.user_name):
            created = aws.identitystore.User(
                f"{name}-user-{user.user_name}",
                identity_store_id=store,
                user_name=user.user_name,
                display_name=user.display_name,
                name={"given_name": user.given_name, "family_name": user.family_name},
                emails={"value": user.email, "primary": True},
                opts=child,
            )
            self.user_ids[user.user_name] = created.user_id
        for group in sorted(center.groups, key=lambda g: g.name):
            created_group = aws.identitystore.Group(
                f"{name}-group-{group.name}",
                identity_store_id=store,
                display_name=group.name,
                description=group.description or None,
                opts=child,
            )
            self.group_ids[group.name] = created_group.group_id
            for member in sorted(set(group.members)):
                aws.identitystore.GroupMembership(
                    f"{name}-group-{group.name}-member-{member}",
                    identity_store_id=store,
                    group_id=created_group.group_id,
                    member_id=self.user_ids[member],
                    opts=child,
                )
        for display_name in sorted(center.external_groups):
            found = aws.identitystore.get_group(
                identity_store_id=store,
                alternate_identifier=aws.identitystore.GetGroupAlternateIdentifierArgs(
                    unique_attribute=aws.identitystore.GetGroupAlternateIdentifierUniqueAttributeArgs(
                        attribute_path="DisplayName", attribute_value=display_name
                    )
                ),
            )
            self.group_ids[display_name] = pulumi.Output.from_input(found.group_id)
        if center.external:
            for user_name in sorted({a.user for a in center.assignments if a.user is not None}):
                found_user = aws.identitystore.get_user(
                    identity_store_id=store,
                    alternate_identifier=aws.identitystore.GetUserAlternateIdentifierArgs(
                        unique_attribute=aws.identitystore.GetUserAlternateIdentifierUniqueAttributeArgs(
                            attribute_path="UserName", attribute_value=user_name
                        )
                    ),
                )
                self.user_ids[user_name] = pulumi.Output.from_input(found_user.user_id)
        self.register_outputs({"group_ids": self.group_ids, "user_ids": self.user_ids})
