"""An Identity Center permission set: the set, its policies and boundary, and its account assignments.

Identity Center updates one permission set per account at a time and answers `ConflictException`
to a second: every assignment therefore waits for all of its set's policy attachments. Assignments are
children of their set, so that a removed set loses its assignments first (a set with assignments cannot
be deleted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.config import PermissionSetGrants, managed_policy_key
from components.policy_documents import statements_policy, to_json

TYPE_TOKEN = "iamtiers:index:PermissionSet"


@dataclass(frozen=True)
class PrincipalAssignment:
    """One principal's use of the set in one account; `principal` is the display or user name."""

    principal_type: Literal["GROUP", "USER"]
    principal: str
    principal_id: pulumi.Input[str]
    account_id: str

    @property
    def logical_name(self) -> str:
        # From (principal, set, account), never list positions: reordering the config replaces nothing.
        kind = self.principal_type.lower()
        return f"assign-{kind}-{self.principal}-{self.account_id}"


@dataclass(frozen=True)
class PermissionSetArgs:
    name: str
    instance_arn: pulumi.Input[str]
    grants: PermissionSetGrants
    tags: dict[str, str]
    relay_state: str | None = None
    assignments: list[PrincipalAssignment] = field(default_factory=list)


class PermissionSet(pulumi.ComponentResource):
    """The `aws.ssoadmin.PermissionSet`, one attachment per policy, its inline policy and boundary, and
    one `AccountAssignment` per (principal, account)."""

    arn: pulumi.Output[str]
    set_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: PermissionSetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        grants = args.grants
        permission_set = aws.ssoadmin.PermissionSet(
            name,
            instance_arn=args.instance_arn,
            name=args.name,
            description=grants.description or None,
            session_duration=grants.session_duration,
            relay_state=args.relay_state,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_set = pulumi.ResourceOptions(parent=self, depends_on=[permission_set])
        common = {"instance_arn": args.instance_arn, "permission_set_arn": permission_set.arn}
        policies: list[pulumi.Resource] = [
            aws.ssoadmin.ManagedPolicyAttachment(
                f"{name}-{managed_policy_key(arn)}", managed_policy_arn=arn, opts=on_set, **common
            )
            for arn in sorted(grants.managed_policy_arns, key=managed_policy_key)
        ]
        for reference in sorted(grants.customer_managed_policies, key=lambda r: (r.name, r.path)):
            policies.append(
                aws.ssoadmin.CustomerManagedPolicyAttachment(
                    f"{name}-customer-{reference.name}",
                    customer_managed_policy_reference={"name": reference.name, "path": reference.path},
                    opts=on_set,
                    **common,
                )
            )
        if grants.statements:
            policies.append(
                aws.ssoadmin.PermissionSetInlinePolicy(
                    f"{name}-inline",
                    inline_policy=to_json(statements_policy(list(grants.statements))),
                    opts=on_set,
                    **common,
                )
            )
        boundary = self._boundary(grants)
        if boundary is not None:
            policies.append(
                aws.ssoadmin.PermissionsBoundaryAttachment(
                    f"{name}-boundary", permissions_boundary=boundary, opts=on_set, **common
                )
            )
        # Each assignment provisions the set in its account: only once every policy is in place.
        after_policies = pulumi.ResourceOptions(parent=self, depends_on=[permission_set, *policies])
        for assignment in sorted(args.assignments, key=lambda a: a.logical_name):
            aws.ssoadmin.AccountAssignment(
                f"{name}-{assignment.logical_name}",
                principal_type=assignment.principal_type,
                principal_id=assignment.principal_id,
                target_type="AWS_ACCOUNT",
                target_id=assignment.account_id,
                opts=after_policies,
                **common,
            )
        self.arn = permission_set.arn
        self.set_name = pulumi.Output.from_input(args.name)
        self.register_outputs({"arn": self.arn, "set_name": self.set_name})

    @staticmethod
    def _boundary(
        grants: PermissionSetGrants,
    ) -> aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs | None:
        if grants.boundary_arn:
            return aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs(
                managed_policy_arn=grants.boundary_arn
            )
        if grants.boundary_reference:
            reference = grants.boundary_reference
            return aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs(
                customer_managed_policy_reference=aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryCustomerManagedPolicyReferenceArgs(
                    name=reference.name, path=reference.path
                )
            )
        return None
