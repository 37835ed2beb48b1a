"""What the AWS provider would compute for a created resource, for update-mode runs."""

from __future__ import annotations

import hashlib
from typing import Any


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


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
