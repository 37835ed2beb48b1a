"""What every rule shares: config reading, exemptions, document extraction and failing closed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from iam_guard import aws_managed, types
from iam_guard.config_schema import ClosedPolicyConfigSchema
from iam_guard.documents import (
    DocumentKind,
    PolicyDocument,
    PolicyDocumentError,
    UnknownDocumentError,
    parse_lenient,
)
from iam_guard.exemptions import Exemption, ExemptionError, matching, parse_exemptions, today
from iam_guard.findings import finding_message
from iam_guard.managed_documents import aws_managed_document
from iam_guard.request_scope import shared
from iam_guard.stack_model import StackModel, StackResource

log = logging.getLogger(__name__)

DOCS_URL = "policypack/docs/{name}.md"  # relative to the repository root

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Resources this rule skips (logical name, IAM name or URN), each with the reason, who owns it, and "
        "the ISO date after which it stops applying."
    ),
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 10},
            "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "owner": {"type": "string", "minLength": 1},
        },
        "required": ["resource", "reason", "expires"],
        "additionalProperties": False,
    },
    "default": [],
}
ADMIN_TIERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Names of the IAM roles (each must require MFA) and Identity Center permission sets (assigned only "
        "to admin_groups) that may hold full admin."
    ),
    "items": {"type": "string", "minLength": 1},
    "default": [],
}


class PackConfigError(ValueError):
    """A config value the rule cannot use; the message names the key."""


def config_value(config: dict[str, Any], key: str, default: Any, expected: type | tuple[type, ...]) -> Any:
    """Read one config key, checking its type (the CLI checks the schema; other drivers may not)."""
    value = config.get(key, default)
    if isinstance(value, float) and value.is_integer() and expected is int:
        value = int(value)  # JSON config numbers arrive as doubles
    if isinstance(value, bool) and expected in (int, float):
        raise PackConfigError(f"'{key}' must be a number, got {value!r}")
    if not isinstance(value, expected):
        raise PackConfigError(f"'{key}' has the wrong type: {value!r}")
    return value


def string_list(config: dict[str, Any], key: str) -> list[str]:
    values = config_value(config, key, [], list)
    if not all(isinstance(v, str) and v for v in values):
        raise PackConfigError(f"'{key}' must be a list of non-empty strings")
    return list(values)


def exemptions_of(config: dict[str, Any]) -> list[Exemption]:
    """The rule's exemptions, each with reason and expiry (validated before any is used)."""
    try:
        return parse_exemptions(config.get("exemptions", []))
    except ExemptionError as error:
        raise PackConfigError(str(error)) from None


def exemption_note(config: dict[str, Any], *identifiers: str | None) -> str | None:
    """None when an exemption in force covers the resource (skip it); otherwise what to append to its
    findings: "" for none, or when its exemption expired."""
    try:
        current = today()
        exemption = matching(exemptions_of(config), identifiers, current)
    except ExemptionError as error:
        raise PackConfigError(str(error)) from None
    if exemption is None:
        return ""
    return None if exemption.in_force(current) else exemption.expired_note()


@dataclass(frozen=True)
class DocumentSite:
    """Where a policy document sits in a resource's inputs, or which AWS-managed policy it attaches."""

    label: (
        str  # e.g. "policy", "assumeRolePolicy", "inlinePolicies[0].policy", "policyArn (AWS-managed X (v2))"
    )
    value: Any
    kind: DocumentKind
    aws_managed: bool = False  # AWS's own document: judged for what it grants, never for how it is written


_IDENTITY_DOCUMENT_TYPES = (types.POLICY, types.USER_POLICY, types.GROUP_POLICY, types.ROLE_POLICY)
ATTACHMENT_TYPES = (
    types.USER_POLICY_ATTACHMENT,
    types.GROUP_POLICY_ATTACHMENT,
    types.ROLE_POLICY_ATTACHMENT,
    types.POLICY_ATTACHMENT,
)


def attached_policy_arns(resource_type: str, props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(input label, ARN) of every managed policy the resource attaches, where the ARN is known."""
    if resource_type in ATTACHMENT_TYPES:
        arn = props.get("policyArn")
        if isinstance(arn, str) and not types.is_unknown(arn):
            yield "policyArn", arn
    if resource_type in (types.ROLE, types.SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE):
        for index, arn in enumerate(props.get("managedPolicyArns") or []):
            if isinstance(arn, str) and not types.is_unknown(arn):
                yield f"managedPolicyArns[{index}]", arn
    if resource_type == types.SSO_MANAGED_POLICY_ATTACHMENT:
        arn = props.get("managedPolicyArn")
        if isinstance(arn, str) and not types.is_unknown(arn):
            yield "managedPolicyArn", arn


def _aws_managed_sites(resource_type: str, props: dict[str, Any]) -> Iterator[DocumentSite]:
    if resource_type in types.PERMISSION_SET_MEMBERS:
        # Only the stack shows whose permission set it is (an admin tier's?): judged with its holder there.
        return
    for label, arn in attached_policy_arns(resource_type, props):
        policy = aws_managed.lookup(arn)
        if policy is not None:
            yield DocumentSite(
                f"{label} ({policy.label})", policy.path_and_name, "identity", aws_managed=True
            )


def document_sites(
    resource_type: str, props: dict[str, Any], *, include_aws_managed: bool = False
) -> Iterator[DocumentSite]:
    """Every policy document a resource's inputs carry; with `include_aws_managed`, also the document
    of each AWS-managed policy it attaches."""
    if resource_type in _IDENTITY_DOCUMENT_TYPES and "policy" in props:
        yield DocumentSite("policy", props["policy"], "identity")
    if resource_type == types.PERMISSION_SET_INLINE_POLICY and "inlinePolicy" in props:
        yield DocumentSite("inlinePolicy", props["inlinePolicy"], "identity")
    if resource_type == types.ROLE:
        if props.get("assumeRolePolicy") is not None:
            yield DocumentSite("assumeRolePolicy", props["assumeRolePolicy"], "trust")
        for index, inline in enumerate(props.get("inlinePolicies") or []):
            if isinstance(inline, dict) and inline.get("policy") is not None:
                yield DocumentSite(f"inlinePolicies[{index}].policy", inline["policy"], "identity")
    if include_aws_managed:
        yield from _aws_managed_sites(resource_type, props)


def parsed_documents(
    resource_type: str,
    props: dict[str, Any],
    kind: DocumentKind | None = "identity",
    *,
    include_aws_managed: bool = False,
) -> Iterator[tuple[DocumentSite, PolicyDocument]]:
    """What each document grants, read leniently: a malformed document is also reported by its own
    rule, so an exemption from that rule never hides what the rest of the document grants.
    Unknown documents are judged at stack level. Rules that judge what a document grants pass
    `include_aws_managed`; rules that judge how it is written leave AWS's documents alone."""
    for site in document_sites(resource_type, props, include_aws_managed=include_aws_managed):
        if kind is not None and site.kind != kind:
            continue
        if site.aws_managed:
            yield site, aws_managed_document(site.value)
            continue
        try:
            yield site, parse_lenient(site.value, site.kind)
        except (UnknownDocumentError, PolicyDocumentError):
            continue


def owning_role(resource_type: str, props: dict[str, Any]) -> str | None:
    """The IAM role name a document belongs to, when it is a role's own document or attachment."""
    if resource_type == types.ROLE:
        name = props.get("name")
    elif resource_type in (types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT):
        name = props.get("role")
    else:
        return None
    return name if isinstance(name, str) and not types.is_unknown(name) else None


def belongs_to_admin_tier(resource_type: str, props: dict[str, Any], config: dict[str, Any]) -> bool:
    """The resource is an admin tier's role, or one of its inline policies (config `admin_tiers`)."""
    return owning_role(resource_type, props) in string_list(config, "admin_tiers")


ResourceCheck = Callable[
    [ResourceValidationArgs, dict[str, Any], dict[str, Any], Callable[[str, str], None]], None
]
StackCheck = Callable[[StackModel, dict[str, Any], Callable[[str, str, str | None], None]], None]


def _report_failure(report_violation: ReportViolation, error: Exception, urn: str | None = None) -> None:
    if isinstance(error, PackConfigError):
        report_violation(finding_message("PACK-CONFIG-001", str(error)), urn)
    else:
        log.exception("rule failed")
        report_violation(finding_message("PACK-ERROR-001", f"{type(error).__name__}: {error}"), urn)


def _config_schema(properties: dict[str, dict[str, Any]] | None) -> PolicyConfigSchema:
    """Every rule takes `exemptions`; some add their own keys. No other key: Configure refuses it
    (`config_schema.refuse_config_outside_schemas`, installed by the pack's entry point)."""
    return ClosedPolicyConfigSchema({"exemptions": EXEMPTIONS_SCHEMA, **(properties or {})})


def resource_rule(
    *,
    name: str,
    description: str,
    check: ResourceCheck,
    enforcement_level: EnforcementLevel,
    severity: Severity,
    remediation: str,
    config_properties: dict[str, dict[str, Any]] | None = None,
) -> ResourceValidationPolicy:
    """A resource policy whose check sees unwrapped props and fails closed on any error."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        try:
            config = dict(args.get_config() or {})
            props = types.raw(args.props)
            name = props.get("name") if isinstance(props, dict) else None
            # Not every resource's `name` is a string: an identity-store User's is {givenName, familyName}.
            iam_name = name if isinstance(name, str) else None
            note = exemption_note(config, args.name, iam_name, args.urn)
            if note is None:
                return
            check(
                args,
                props,
                config,
                lambda fid, detail: report_violation(finding_message(fid, detail) + note, None),
            )
        except Exception as error:  # noqa: BLE001 - the pack fails closed, never with a traceback
            _report_failure(report_violation, error)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        url=DOCS_URL.format(name=name),
        config_schema=_config_schema(config_properties),
    )


def stack_resources(args: StackValidationArgs) -> list[StackResource]:
    return [
        StackResource(
            type=resource.resource_type,
            name=resource.name,
            urn=resource.urn,
            props=types.raw(resource.props),
            property_dependencies={
                key: [dependency.urn for dependency in dependencies]
                for key, dependencies in (resource.property_dependencies or {}).items()
            },
        )
        for resource in args.resources
    ]


def stack_rule(
    *,
    name: str,
    description: str,
    check: StackCheck,
    enforcement_level: EnforcementLevel,
    severity: Severity,
    remediation: str,
    config_properties: dict[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    """A stack policy over the resolved `StackModel`; reports carry the offending resource's URN."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            config = dict(args.get_config() or {})
            exemptions_of(config)  # validate before use
            # Every stack policy of a request reads the same resources: build the model once.
            model = shared("stack_model", lambda: StackModel(stack_resources(args)))

            def report(finding_id: str, detail: str, urn: str | None) -> None:
                resource = model.by_urn.get(urn or "")
                identifiers = (
                    urn,
                    resource.name if resource else None,
                    resource.iam_name if resource else None,
                )
                note = exemption_note(config, *identifiers)
                if note is not None:
                    report_violation(finding_message(finding_id, detail) + note, urn)

            check(model, config, report)
        except Exception as error:  # noqa: BLE001 - the pack fails closed, never with a traceback
            _report_failure(report_violation, error)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        url=DOCS_URL.format(name=name),
        config_schema=_config_schema(config_properties),
    )
