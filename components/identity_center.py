"""The Identity Center a stack administers: its instance (given, or looked up), its directory
(`IdentityStore`) and one `PermissionSet` component per permission set, each with its assignments."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import IdentityCenter, StackConfig
from components.identity_store import IdentityStore, IdentityStoreArgs
from components.permission_set import PermissionSet, PermissionSetArgs, PrincipalAssignment


@dataclass(frozen=True)
class IdentityCenterInstance:
    instance_arn: str
    identity_store_id: str


def find_instance(center: IdentityCenter) -> IdentityCenterInstance:
    """The configured instance, or the account's one instance (`ssoadmin.get_instances`)."""
    if center.instance_arn and center.identity_store_id:
        return IdentityCenterInstance(center.instance_arn, center.identity_store_id)
    found = aws.ssoadmin.get_instances()
    if not found.arns or not found.identity_store_ids:
        raise pulumi.RunError(
            "iamtiers:identity_center: this account has no Identity Center instance in this region; "
            "enable Identity Center (or set aws:region to its region), or set instance_arn and "
            "identity_store_id. Fix the stack file and run again."
        )
    return IdentityCenterInstance(found.arns[0], found.identity_store_ids[0])


def _assignments(
    center: IdentityCenter, directory: IdentityStore, set_name: str
) -> list[PrincipalAssignment]:
    unique: dict[tuple[str, str, str], PrincipalAssignment] = {}
    for assignment in center.assignments:
        if assignment.permission_set != set_name:
            continue
        kind, principal = assignment.principal
        ids = directory.group_ids if kind == "GROUP" else directory.user_ids
        for reference in assignment.accounts:
            account_id = center.account_id(reference)
            unique[(kind, principal, account_id)] = PrincipalAssignment(
                kind, principal, ids[principal], account_id
            )
    return list(unique.values())


def build_identity_center(
    config: StackConfig, center: IdentityCenter, tags: dict[str, str]
) -> tuple[IdentityCenterInstance, dict[str, PermissionSet]]:
    """Every Identity Center resource of the stack; returns the instance and the permission sets by name."""
    instance = find_instance(center)
    directory = IdentityStore(
        "identity-store",
        IdentityStoreArgs(identity_center=center, identity_store_id=instance.identity_store_id),
    )
    # The MFA attestation rides on every set, where the policy pack reads it.
    mfa_tags = center.mfa.tags() if center.mfa else {}
    sets: dict[str, PermissionSet] = {}
    for entry in sorted(center.permission_sets, key=lambda p: p.set_name):
        name = entry.set_name
        sets[name] = PermissionSet(
            f"permission-set-{name}",
            PermissionSetArgs(
                name=name,
                instance_arn=instance.instance_arn,
                grants=config.grants(entry),
                tags={**tags, **entry.tags, **mfa_tags, "iamtiers:permission-set": name},
                relay_state=entry.relay_state,
                assignments=_assignments(center, directory, name),
            ),
        )
    return instance, sets
