"""What the AWS provider would compute for a created resource, for update-mode runs, and what it
answers to the program's invokes (the account's Identity Center instance, a group or user looked up
by name), in both modes."""

from __future__ import annotations

import hashlib
from typing import Any


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


# The one Identity Center instance every mocked account has (`ssoadmin.get_instances`).
SSO_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6"
IDENTITY_STORE_ID = "d-9067a1b2c3"


def identity_store_id(*parts: str) -> str:
    """A deterministic identity-store id shaped as AWS gives them: `<10 hex>-<UUID>`."""
    hex_ = _digest("identitystore", *parts)
    return f"{hex_[:10]}-{hex_[10:18]}-{hex_[18:22]}-{hex_[22:26]}-{hex_[26:30]}-{hex_[30:42]}"


def _alternate_value(args: dict[str, Any]) -> str:
    unique = (args.get("alternateIdentifier") or {}).get("uniqueAttribute") or {}
    return str(unique.get("attributeValue", ""))


def invoke_outputs(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """The provider's answer to an invoke; {} for one the program is not expected to make."""
    if token == "aws:ssoadmin/getInstances:getInstances":
        return {"arns": [SSO_INSTANCE_ARN], "identityStoreIds": [IDENTITY_STORE_ID], "id": "aws-region"}
    if token == "aws:identitystore/getGroup:getGroup":
        name = _alternate_value(args)
        group_id = identity_store_id("group", name)
        store = args.get("identityStoreId", IDENTITY_STORE_ID)
        return {"groupId": group_id, "displayName": name, "identityStoreId": store, "id": group_id}
    if token == "aws:identitystore/getUser:getUser":
        name = _alternate_value(args)
        user_id = identity_store_id("user", name)
        store = args.get("identityStoreId", IDENTITY_STORE_ID)
        return {"userId": user_id, "userName": name, "identityStoreId": store, "id": user_id}
    return {}


def _sso_outputs(type_token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Identity Center resources: ARNs and ids as the provider forms them; None for any other type."""
    instance = str(inputs.get("instanceArn", SSO_INSTANCE_ARN))
    store = str(inputs.get("identityStoreId", IDENTITY_STORE_ID))
    set_arn = str(inputs.get("permissionSetArn", ""))
    if type_token == "aws:ssoadmin/permissionSet:PermissionSet":
        instance_id = instance.rsplit("/", 1)[-1]
        arn = f"arn:aws:sso:::permissionSet/{instance_id}/ps-{_digest('ps', str(inputs.get('name')))[:16]}"
        return f"{arn},{instance}", {"arn": arn, "createdDate": "2025-01-01T00:00:00Z"}
    if type_token == "aws:identitystore/group:Group":
        group_id = identity_store_id("group", str(inputs.get("displayName")))
        return f"{store}/{group_id}", {"groupId": group_id}
    if type_token == "aws:identitystore/user:User":
        user_id = identity_store_id("user", str(inputs.get("userName")))
        return f"{store}/{user_id}", {"userId": user_id}
    if type_token == "aws:identitystore/groupMembership:GroupMembership":
        membership = identity_store_id("membership", str(inputs.get("groupId")), str(inputs.get("memberId")))
        return f"{store}/{membership}", {"membershipId": membership}
    if type_token == "aws:ssoadmin/accountAssignment:AccountAssignment":
        parts = ("principalId", "principalType", "targetId", "targetType")
        return ",".join([*(str(inputs.get(p)) for p in parts), set_arn, instance]), {}
    if type_token.startswith("aws:ssoadmin/"):
        return f"{name},{set_arn},{instance}", {}
    return None


def computed_outputs(
    type_token: str, name: str, inputs: dict[str, Any], *, account_id: str, region: str
) -> tuple[str, dict[str, Any]]:
    """A deterministic physical id and the provider-computed outputs of one resource."""
    physical = str(inputs.get("name") or inputs.get("bucket") or name)
    # pulumi_aws 7 resources may name their own region (the break-glass rules live in us-east-1).
    region = str(inputs.get("region") or region)
    path = str(inputs.get("path") or "/")
    iam = f"arn:aws:iam::{account_id}"
    resource_id = physical
    outputs: dict[str, Any] = {}
    sso = _sso_outputs(type_token, name, inputs)
    if sso is not None:
        return sso
    if type_token == "aws:iam/user:User":
        outputs = {"arn": f"{iam}:user{path}{physical}", "uniqueId": "AIDA" + _digest(name)[:17].upper()}
    elif type_token == "aws:iam/group:Group":
        outputs = {"arn": f"{iam}:group{path}{physical}", "uniqueId": "AGPA" + _digest(name)[:17].upper()}
    elif type_token == "aws:iam/role:Role":
        # The provider names an unnamed role itself, and dependent resources read that name.
        outputs = {
            "arn": f"{iam}:role{path}{physical}",
            "name": physical,
            "uniqueId": "AROA" + _digest(name)[:17].upper(),
        }
    elif type_token == "aws:iam/policy:Policy":
        outputs = {"arn": f"{iam}:policy{path}{physical}"}
        resource_id = outputs["arn"]
    elif type_token == "aws:iam/userLoginProfile:UserLoginProfile":
        resource_id = str(inputs.get("user", name))
        if inputs.get("pgpKey"):
            outputs = {
                "encryptedPassword": "wcBMA" + _digest("password", name)[:40],
                "keyFingerprint": _digest("fp", name)[:40],
            }
        else:
            outputs = {"password": "Mock-" + _digest("password", name)[:20]}
    elif type_token == "aws:iam/accessKey:AccessKey":
        resource_id = "AKIA" + _digest("key", name)[:16].upper()
        if inputs.get("pgpKey"):
            outputs = {"encryptedSecret": "wcBMA" + _digest("secret", name)[:40]}
        else:
            outputs = {"secret": _digest("secret", name)[:40]}
        outputs["status"] = inputs.get("status", "Active")
    elif type_token == "aws:s3/bucket:Bucket":
        outputs = {"arn": f"arn:aws:s3:::{physical}", "bucket": physical}
    elif type_token == "aws:cloudwatch/logGroup:LogGroup":
        outputs = {"arn": f"arn:aws:logs:{region}:{account_id}:log-group:{physical}"}
    elif type_token == "aws:cloudtrail/trail:Trail":
        outputs = {"arn": f"arn:aws:cloudtrail:{region}:{account_id}:trail/{physical}"}
    elif type_token == "aws:sns/topic:Topic":
        outputs = {"arn": f"arn:aws:sns:{region}:{account_id}:{physical}"}
        resource_id = outputs["arn"]
    elif type_token == "aws:cloudwatch/eventRule:EventRule":
        outputs = {"arn": f"arn:aws:events:{region}:{account_id}:rule/{physical}"}
    elif type_token == "aws:cloudwatch/metricAlarm:MetricAlarm":
        outputs = {"arn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{physical}"}
    elif type_token == "aws:accessanalyzer/analyzer:Analyzer":
        analyzer = str(inputs.get("analyzerName", name))
        outputs = {"arn": f"arn:aws:access-analyzer:{region}:{account_id}:analyzer/{analyzer}"}
    else:
        outputs = {"arn": f"arn:aws:mock:{region}:{account_id}:{type_token.split(':')[-1].lower()}/{name}"}
    return resource_id, outputs
