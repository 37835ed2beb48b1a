"""Read actions that leak data when allowed on every resource (rule A9, Checkov CKV_AWS_108/288)."""

from __future__ import annotations

# Source: cloudsplaining `cloudsplaining/shared/constants.py:READ_ONLY_DATA_EXFILTRATION_ACTIONS`, as quoted
# in iam-rules-anchors.md row A9: object reads, SSM parameter reads and Secrets Manager secret values.
DATA_EXFILTRATION_ACTIONS: frozenset[str] = frozenset(
    {
        "s3:getobject",
        "secretsmanager:getsecretvalue",
        "ssm:getparameter",
        "ssm:getparameters",
        "ssm:getparametersbypath",
    }
)
