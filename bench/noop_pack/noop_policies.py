"""The no-op pack's policies: the real pack's (iam_guard.ALL_POLICIES), by name and kind, in its order.

Kept apart from `__main__.py`, which serves the pack when imported, so that bench/scale.py and the
tests can compare them with the real pack's.
"""

from __future__ import annotations

# The real pack's policies (iam_guard.ALL_POLICIES), by name and kind, in its order.
RESOURCE_POLICIES = (
    "iam-policy-document-valid",
    "no-privilege-escalation",
    "no-compute-takeover",
    "no-unscoped-pass-role",
    "no-service-wildcard",
    "no-allow-with-not-resource",
    "no-allow-with-not-action",
    "no-user-policies",
    "aws-managed-policy-exists",
    "policy-size-quota",
    "role-trust-safe",
    "mfa-condition-patterns",
    "login-profile-forces-reset",
    "risky-actions-unconstrained",
    "required-tags",
    "session-duration-bound",
    "secrets-pgp-encrypted",
    "permission-set-session-bound",
    "identity-center-mfa-attested",
)
STACK_POLICIES = (
    "no-full-admin-access",
    "no-privilege-escalation-across-policies",
    "no-privileged-managed-policy",
    "group-managed-policy-quota",
    "console-users-mfa-guarded",
    "password-policy",
    "exemptions-current",
    "self-scoped-statements-match",
    "no-iam-users-with-federation",
    "preview-unresolved-values",
    "identity-center-assignments-safe",
    "permission-set-attachments-consistent",
    "identity-center-access-reviewed",
    "break-glass-alarmed",
)
