"""IAM least-privilege and MFA analysis for Pulumi programs that manage AWS IAM."""

from __future__ import annotations

from pulumi_policy import Policy

from iam_guard.rules import (
    aws_managed_policy_exists,
    console_users_mfa_guarded,
    group_managed_policy_quota,
    iam_policy_document_valid,
    login_profile_forces_reset,
    mfa_condition_patterns,
    no_allow_with_not_action,
    no_allow_with_not_resource,
    no_compute_takeover,
    no_full_admin_access,
    no_iam_users_with_federation,
    no_privilege_escalation,
    no_privilege_escalation_across_policies,
    no_privileged_managed_policy,
    no_service_wildcard,
    no_unscoped_pass_role,
    no_user_policies,
    password_policy,
    policy_size_quota,
    preview_unresolved_values,
    required_tags,
    risky_actions_unconstrained,
    role_trust_safe,
    secrets_pgp_encrypted,
    self_scoped_statements_match,
    session_duration_bound,
)

# Mandatory rules first, then advisory ones; the order is the order of the docs table.
ALL_POLICIES: list[Policy] = [
    iam_policy_document_valid.POLICY,
    no_full_admin_access.POLICY,
    no_privilege_escalation.POLICY,
    no_privilege_escalation_across_policies.POLICY,
    no_compute_takeover.POLICY,
    no_unscoped_pass_role.POLICY,
    no_service_wildcard.POLICY,
    no_allow_with_not_resource.POLICY,
    no_allow_with_not_action.POLICY,
    no_user_policies.POLICY,
    no_privileged_managed_policy.POLICY,
    aws_managed_policy_exists.POLICY,
    group_managed_policy_quota.POLICY,
    policy_size_quota.POLICY,
    role_trust_safe.POLICY,
    mfa_condition_patterns.POLICY,
    console_users_mfa_guarded.POLICY,
    login_profile_forces_reset.POLICY,
    password_policy.POLICY,
    risky_actions_unconstrained.POLICY,
    self_scoped_statements_match.POLICY,
    required_tags.POLICY,
    session_duration_bound.POLICY,
    secrets_pgp_encrypted.POLICY,
    no_iam_users_with_federation.POLICY,
    preview_unresolved_values.POLICY,
]
