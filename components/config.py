"""The stack config model: one account's IAM, parsed and validated once, with no Pulumi in it.

Every problem found is reported at once, each naming its key path and the fix, before any
resource is registered.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from components import aws_managed_policies
from components.action_catalog import action_problem
from components.iam_limits import (
    NAME_LIMITS,
    NameKind,
    condition_operator_problem,
    name_problem,
    path_problem,
    resource_problem,
    role_description_problem,
    shown,
    tag_key_problem,
    tag_value_problem,
)
from components.yaml_files import line_of

PARTITION = "aws"
CONFIG_NAMESPACE = "iamtiers"  # the project's `name` in Pulumi.yaml: every key of ours is `iamtiers:<key>`
IAM_MANAGED_POLICY_QUOTA = 10  # attached managed policies per group or role (IAM default quota)


def _refuse(check: Callable[[str], str | None]) -> AfterValidator:
    """A pydantic validator raising the problem `check` finds, so pydantic reports it at its key."""

    def validate(value: str) -> str:
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(validate)


def _name(kind: NameKind) -> AfterValidator:
    return _refuse(lambda value: name_problem(value, kind))


AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
UserName = Annotated[str, _name("user")]
GroupName = Annotated[str, _name("group")]
RoleName = Annotated[str, _name("role")]
IamPath = Annotated[str, _refuse(path_problem)]
RoleDescription = Annotated[str, _refuse(role_description_problem)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]


def _user_email_problem(email: str) -> str | None:
    # components/iam_user.py tags each user with its email, so it must be a valid tag value too.
    problem = tag_value_problem(email)
    return f"the email becomes the user's 'email' tag; {problem}" if problem else None


UserEmail = Annotated[Email, _refuse(_user_email_problem)]
TagMap = dict[Annotated[str, _refuse(tag_key_problem)], Annotated[str, _refuse(tag_value_problem)]]
Resource = Annotated[str, _refuse(resource_problem)]
ConditionOperator = Annotated[str, _refuse(condition_operator_problem)]

# Any partition, as `arn:<partition>:iam::aws:policy/...` is AWS-managed in every one of them.
_MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy(/.*)$")
# components/iam_group.py names a group's inline policies `<group>-<suffix>`; the longest suffix.
GROUP_INLINE_POLICY_SUFFIX = "-self-service"
_IAM_ARN = re.compile(r"^arn:aws:iam::\d{12}:(saml-provider|oidc-provider)/[A-Za-z0-9_+=,.@/-]+$")
_ACCOUNT_ALIAS = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$")


class ConfigError(Exception):
    """Stack config that cannot become resources; `problems` holds one line per defect."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"stack config has {len(problems)} problem(s):\n{listing}")


@dataclass(frozen=True)
class CollectionFile:
    """Where a collection was read from when its key holds `{file: ...}`: the file as messages name
    it (relative to the project), and the line of each key path in it (`items[3].name` -> 14)."""

    path: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, location: str) -> str:
        """`people/dev-users.yaml:14` for a key path inside the collection (`items[3].name`); the
        file alone when no line holds it."""
        line = line_of(dict(self.lines), location)
        return f"{self.path}:{line}" if line else self.path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def managed_policy_arn(reference: str) -> str:
    """The ARN of a managed policy given by AWS-managed name (optionally with path) or ARN."""
    if reference.startswith("arn:"):
        return reference
    return f"arn:{PARTITION}:iam::aws:policy/{reference}"


def managed_policy_key(reference: str) -> str:
    """A stable child-resource key for a managed policy: its name without path or ARN prefix."""
    return reference.rsplit("/", 1)[-1]


def _policy_reference_problem(reference: str) -> str | None:
    """A managed policy as AWS-managed `[path/]NAME` or ARN, with IAM's name and path rules."""
    if reference.startswith("arn:"):
        match = _MANAGED_POLICY_ARN.match(reference)
        if not match:
            return (
                f"{shown(reference)} is not a managed policy ARN "
                "(expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME)"
            )
        path_and_name = match.group(2)
    else:
        path_and_name = "/" + reference
    path, _, name = path_and_name.rpartition("/")
    return name_problem(name, "policy") or path_problem(path + "/")


def _aws_managed_policy_problem(reference: str) -> str | None:
    """An AWS-managed policy (`[path/]NAME` or `arn:<partition>:iam::aws:policy/...`) that AWS does not
    have, as the policy pack's vendored data knows it; customer-managed ARNs are not judged."""
    arn = managed_policy_arn(reference)
    if not aws_managed_policies.is_aws_managed_arn(arn) or aws_managed_policies.lookup(arn) is not None:
        return None
    return aws_managed_policies.why_missing(arn)


# The shape is checked first; whether AWS has the policy only once the reference is well formed.
PolicyReference = Annotated[
    str,
    Field(min_length=1),
    _refuse(_policy_reference_problem),
    _refuse(_aws_managed_policy_problem),
]


def _check_managed_policies(references: list[str], holder_and_fix: str) -> list[str]:
    """Within the IAM quota, none listed twice (each reference is checked by `PolicyReference`)."""
    if len(references) > IAM_MANAGED_POLICY_QUOTA:
        raise ValueError(
            f"{len(references)} managed policies exceed the IAM quota of {IAM_MANAGED_POLICY_QUOTA} per "
            f"{holder_and_fix}"
        )
    _reject_duplicate_keys(references)
    return references


class Statement(_Strict):
    """An inline IAM statement; exactly one of `actions` / `not_actions`."""

    sid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+$")] | None = None
    effect: Literal["Allow", "Deny"] = "Allow"
    actions: list[str] = Field(default_factory=list)
    not_actions: list[str] = Field(default_factory=list)
    resources: list[Resource] = Field(min_length=1)
    conditions: dict[ConditionOperator, dict[str, str | list[str] | bool | int]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_action_form(self) -> Statement:
        if bool(self.actions) == bool(self.not_actions):
            raise ValueError("give exactly one of 'actions' or 'not_actions'")
        problems = [p for a in self.actions + self.not_actions if (p := action_problem(a))]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def document(self) -> dict[str, Any]:
        """The statement as IAM JSON."""
        body: dict[str, Any] = {"Effect": self.effect}
        if self.sid:
            body["Sid"] = self.sid
        if self.actions:
            body["Action"] = list(self.actions)
        else:
            body["NotAction"] = list(self.not_actions)
        body["Resource"] = list(self.resources)
        if self.conditions:
            body["Condition"] = {op: dict(values) for op, values in self.conditions.items()}
        return body


class RemoteTier(_Strict):
    """A role tier that lives in another account (hub and spoke)."""

    account_id: AccountId
    tier: RoleName
    path: IamPath = "/"


# A tier is named directly when local, or by {account_id, tier} when in another account.
TierReference = Annotated[
    Annotated[RoleName, Tag("local")] | Annotated[RemoteTier, Tag("remote")],
    Discriminator(lambda value: "local" if isinstance(value, str) else "remote"),
]


class PasswordPolicy(_Strict):
    """The account password policy; defaults are the CIS AWS Foundations profile."""

    enabled: bool = True
    minimum_length: Annotated[int, Field(ge=6, le=128)] = 14
    reuse_prevention: Annotated[int, Field(ge=1, le=24)] = 24
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    allow_users_to_change: bool = True
    max_age_days: Annotated[int, Field(ge=1, le=1095)] | None = None
    hard_expiry: bool = False


class GroupSettings(_Strict):
    """What a group entry may inherit from `groups.defaults`."""

    enforce_mfa: bool = True
    self_service_credentials: bool = True
    path: IamPath = "/"


class Group(GroupSettings):
    name: GroupName
    description: str = ""
    managed_policies: list[PolicyReference] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    assumable_tiers: list[TierReference] = Field(default_factory=list)

    @field_validator("managed_policies")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        return _check_managed_policies(value, "group; merge some into 'statements' or split the group")

    @field_validator("name")
    @classmethod
    def _inline_policy_names_fit(cls, value: str) -> str:
        # PutGroupPolicy: PolicyName at most 128 characters, and ours are `<group>-<suffix>`.
        room = NAME_LIMITS["policy"] - len(GROUP_INLINE_POLICY_SUFFIX)
        if len(value) > room:
            raise ValueError(
                f"the group's inline policy '<group>{GROUP_INLINE_POLICY_SUFFIX}' would have "
                f"{len(value) + len(GROUP_INLINE_POLICY_SUFFIX)} characters (IAM allows "
                f"{NAME_LIMITS['policy']}); shorten the group name to {room} characters"
            )
        return value


class OidcTrust(_Strict):
    """Web-identity federation; audiences and subjects are pinned, never wildcards alone."""

    provider_arn: str
    audiences: list[str] = Field(min_length=1)
    subjects: list[str] = Field(min_length=1)

    @field_validator("provider_arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _IAM_ARN.match(value) or ":oidc-provider/" not in value:
            raise ValueError(
                f"'{value}' is not an OIDC provider ARN (arn:aws:iam::123456789012:oidc-provider/HOST)"
            )
        return value

    @field_validator("subjects")
    @classmethod
    def _pinned(cls, value: list[str]) -> list[str]:
        for subject in value:
            if subject.strip("*:") == "" or (subject.endswith(":*") and subject.count(":") < 2):
                raise ValueError(f"subject '{subject}' trusts every identity of the provider")
        return value

    @property
    def host(self) -> str:
        return self.provider_arn.split(":oidc-provider/", 1)[1]


class Trust(_Strict):
    """Who may assume a role tier."""

    this_account: bool = False
    accounts: list[AccountId] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    saml_providers: list[str] = Field(default_factory=list)
    oidc: list[OidcTrust] = Field(default_factory=list)
    external_id: Annotated[str, StringConstraints(min_length=2, max_length=1224)] | None = None

    @field_validator("services")
    @classmethod
    def _services(cls, value: list[str]) -> list[str]:
        for service in value:
            if not _SERVICE_PRINCIPAL.match(service):
                raise ValueError(f"'{service}' is not an AWS service principal (e.g. ec2.amazonaws.com)")
        return value

    @field_validator("saml_providers")
    @classmethod
    def _saml(cls, value: list[str]) -> list[str]:
        for arn in value:
            if not _IAM_ARN.match(arn) or ":saml-provider/" not in arn:
                raise ValueError(
                    f"'{arn}' is not a SAML provider ARN (arn:aws:iam::123456789012:saml-provider/NAME)"
                )
        return value

    @property
    def trusts_iam_principals(self) -> bool:
        return self.this_account or bool(self.accounts)

    @property
    def is_empty(self) -> bool:
        return not (self.trusts_iam_principals or self.services or self.saml_providers or self.oidc)


class RoleTierSettings(_Strict):
    """What a tier entry may inherit from `role_tiers.defaults`."""

    require_mfa: bool = True
    max_mfa_age_seconds: Annotated[int, Field(ge=300, le=129600)] = 3600
    max_session_duration_seconds: Annotated[int, Field(ge=3600, le=43200)] = 3600
    permissions_boundary: PolicyReference | None = None
    path: IamPath = "/"
    trust: Trust = Field(default_factory=Trust)


class RoleTier(RoleTierSettings):
    name: RoleName
    description: RoleDescription = ""
    managed_policies: list[PolicyReference] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    tags: TagMap = Field(default_factory=dict)

    @field_validator("managed_policies")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        return _check_managed_policies(value, "role; merge some into 'statements'")

    @field_validator("name")
    @classmethod
    def _name_is_a_tag_value(cls, value: str) -> str:
        # components/role_tier.py tags the role `iamtiers:tier: <name>`; TagRole refuses ',' in values.
        if "," in value:
            raise ValueError(
                f"{shown(value)} becomes the role's 'iamtiers:tier' tag value, and IAM tag values "
                "may not contain ','; rename the tier"
            )
        return value

    @model_validator(mode="after")
    def _trusted_by_someone(self) -> RoleTier:
        if self.trust.is_empty:
            raise ValueError(
                "trust names no principal; set trust.this_account, accounts, services, saml_providers or oidc"
            )
        if self.trust.trusts_iam_principals and not self.require_mfa and not self.trust.external_id:
            raise ValueError(
                "IAM principals may assume this tier without MFA; set require_mfa: true, "
                "or trust.external_id for a machine principal of another account"
            )
        if self.trust.this_account and self.trust.external_id and not self.require_mfa:
            raise ValueError(
                "an external id does not protect a tier trusted by this account's own users; "
                "set require_mfa: true"
            )
        return self


# AWS accepts `keybase:<user>` or a base64-encoded public key (no armour lines).
_PGP_KEY = re.compile(r"^(keybase:[A-Za-z0-9_]{2,16}|[A-Za-z0-9+/]{100,}={0,2})$")


class UserSettings(_Strict):
    """What a user entry may inherit from `users.defaults`."""

    console_access: bool = True
    programmatic_access: bool = False
    pgp_key: str | None = None

    @field_validator("pgp_key")
    @classmethod
    def _pgp_key(cls, value: str | None) -> str | None:
        if value is not None and not _PGP_KEY.match(value.replace("\n", "")):
            raise ValueError(
                "expected 'keybase:<username>' or a base64-encoded PGP public key without the "
                "'-----BEGIN PGP PUBLIC KEY BLOCK-----' lines"
            )
        return value

    path: IamPath = "/"
    tags: TagMap = Field(default_factory=dict)


class User(UserSettings):
    name: UserName
    email: UserEmail | None = None
    groups: list[GroupName] = Field(default_factory=list)
    disabled: bool = False

    @model_validator(mode="after")
    def _credentials(self) -> User:
        if not self.disabled and not self.groups:
            raise ValueError(
                "user belongs to no group; add at least one group under 'groups' "
                "(permissions come only through groups)"
            )
        if self.console_access and self.programmatic_access:
            raise ValueError(
                "console users get no access key at creation (CIS 1.11); give automation its "
                "own user with console_access: false"
            )
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("a group is listed twice under 'groups'")
        return self


class AccessAnalyzerSettings(_Strict):
    enabled: bool = True


class CloudTrailSettings(_Strict):
    enabled: bool = True
    log_retention_days: Literal[
        1,
        3,
        5,
        7,
        14,
        30,
        60,
        90,
        120,
        150,
        180,
        365,
        400,
        545,
        731,
        1096,
        1827,
        2192,
        2557,
        2922,
        3288,
        3653,
    ] = 365
    kms_key_arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")] | None
    ) = None


class AlarmSettings(_Strict):
    enabled: bool = True
    emails: list[Email] = Field(default_factory=list)
    failed_signin_threshold: Annotated[int, Field(ge=1)] = 3
    failed_signin_period_seconds: Annotated[int, Field(ge=60, le=86400)] = 300
    existing_log_group_name: str | None = None


class ConfigRuleSettings(_Strict):
    enabled: bool = True
    create_recorder: bool = True
    unused_credentials_days: Annotated[int, Field(ge=1, le=365)] = 45
    access_key_max_age_days: Annotated[int, Field(ge=1, le=365)] = 90


class Monitoring(_Strict):
    """The account baseline's detective controls; each part can be switched off."""

    access_analyzer: AccessAnalyzerSettings = Field(default_factory=AccessAnalyzerSettings)
    cloudtrail: CloudTrailSettings = Field(default_factory=CloudTrailSettings)
    alarms: AlarmSettings = Field(default_factory=AlarmSettings)
    config_rules: ConfigRuleSettings = Field(default_factory=ConfigRuleSettings)

    @model_validator(mode="after")
    def _alarm_source(self) -> Monitoring:
        if self.alarms.enabled and not self.cloudtrail.enabled and not self.alarms.existing_log_group_name:
            raise ValueError(
                "alarms need CloudTrail events: enable cloudtrail or set "
                "alarms.existing_log_group_name to the org trail's log group"
            )
        return self


class Account(_Strict):
    id: AccountId
    alias: str | None = None
    manage_alias: bool = True

    @field_validator("alias")
    @classmethod
    def _alias(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT_ALIAS.match(value):
            raise ValueError(
                f"'{value}' is not an account alias (3-63 lower-case letters, digits or hyphens, "
                "not starting or ending with a hyphen)"
            )
        return value


class StackConfig(_Strict):
    """One account's IAM, validated and cross-referenced."""

    account: Account
    groups: list[Group] = Field(default_factory=list)
    role_tiers: list[RoleTier] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    password_policy: PasswordPolicy = Field(default_factory=PasswordPolicy)
    monitoring: Monitoring = Field(default_factory=Monitoring)

    def group(self, name: str) -> Group:
        return next(group for group in self.groups if group.name == name)

    def tier(self, name: str) -> RoleTier:
        return next(tier for tier in self.role_tiers if tier.name == name)

    def role_arn(self, reference: str | RemoteTier) -> str:
        """The ARN of a tier's role, local (by name) or in another account."""
        if isinstance(reference, RemoteTier):
            return f"arn:{PARTITION}:iam::{reference.account_id}:role{reference.path}{reference.tier}"
        tier = self.tier(reference)
        return f"arn:{PARTITION}:iam::{self.account.id}:role{tier.path}{tier.name}"

    def group_members(self) -> dict[str, list[User]]:
        """Every group's members: the enabled users that list it, sorted by user name (a disabled
        user is in no group). A group nobody lists maps to an empty list."""
        members: dict[str, list[User]] = {group.name: [] for group in self.groups}
        for user in sorted(self.users, key=lambda user: user.name):
            if not user.disabled:
                for name in user.groups:
                    members[name].append(user)
        return members

    def user_tier_arns(self, user: User) -> list[str]:
        """Role ARNs a user may assume through its groups, sorted and unique."""
        if user.disabled:
            return []
        arns = {self.role_arn(ref) for name in user.groups for ref in self.group(name).assumable_tiers}
        return sorted(arns)


# Keys whose entries use the "defaults + items" shape, with the model each part validates against.
_COLLECTIONS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "groups": (GroupSettings, Group),
    "role_tiers": (RoleTierSettings, RoleTier),
    "users": (UserSettings, User),
}
_MERGED_MAPPINGS = ("tags",)  # defaults and item values are merged, not replaced


def _reject_duplicate_keys(references: list[str]) -> None:
    keys = [managed_policy_key(r) for r in references]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"policy listed twice: {', '.join(dupes)}")


def _format_location(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _UNION_TAGS or part == "[key]":
            continue  # a discriminator tag, or pydantic marking a bad dict key (the message says "key")
        else:
            path += f".{part}" if path else str(part)
    return path


_TYPE_HINTS = {
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "list_type": "write a YAML list",
    "dict_type": "write a YAML mapping",
    "model_type": "write a YAML mapping",
    "string_type": "write a string (quote numbers)",
    "literal_error": "use one of the listed values",
}


_UNION_TAGS = ("local", "remote")  # TierReference's discriminator tags, not keys


def _union_members(annotation: Any) -> list[Any]:
    if get_origin(annotation) is Annotated:
        return _union_members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _union_members(arg)]
    return [annotation]


def _annotation_at(annotation: Any, part: int | str) -> Any:
    """The type found one step (list index, model field or dict value) below `annotation`."""
    if part in _UNION_TAGS:
        return annotation
    for member in _union_members(annotation):
        if isinstance(part, int) and get_origin(member) is list:
            return get_args(member)[0]
        if isinstance(member, type) and issubclass(member, BaseModel) and part in member.model_fields:
            return member.model_fields[part].annotation
        if isinstance(part, str) and get_origin(member) is dict:
            return get_args(member)[1]
    return None


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model accepts in the mapping at `loc`, for spelling suggestions."""
    annotation: Any = model
    for part in loc:
        annotation = _annotation_at(annotation, part)
    return [
        key
        for member in _union_members(annotation)
        if isinstance(member, type) and issubclass(member, BaseModel)
        for key in member.model_fields
    ]


def _unknown_key_message(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean '{close[0]}'?); remove it or fix its spelling"
    return "unknown key; remove it or check its spelling against the config reference"


def _validation_problems(prefix: str, error: ValidationError, model: type[BaseModel]) -> list[str]:
    problems: list[str] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        location = _format_location(prefix, loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = _unknown_key_message(str(loc[-1]), _known_keys(model, loc[:-1]))
        elif item["type"] == "string_pattern_mismatch":
            message = f"{item['input']!r} has the wrong shape ({_pattern_hint(location)})"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] in _TYPE_HINTS:
            message = f"{message}; {_TYPE_HINTS[item['type']]}"
        problems.append(f"{location}: {message}")
    return problems


def _pattern_hint(location: str) -> str:
    if location.endswith(("account.id", "account_id")) or ".accounts[" in location:
        return "an account id is 12 digits, quoted in YAML"
    if "email" in location:
        return "expected an email address such as soc@example.com"
    if location.endswith("sid"):
        return "a statement id is ASCII letters and digits only"
    if location.endswith("kms_key_arn"):
        return "expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"
    return "see the config reference in README.md"


def _split_collection(key: str, raw: Any, problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Merge `defaults` into each of `items`; returns (key path, merged entry) pairs."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: expected a mapping with 'defaults' and 'items'")
        return []
    unknown = sorted(set(raw) - {"defaults", "items"})
    for extra in unknown:
        close = difflib.get_close_matches(str(extra), ["defaults", "items", "file"], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(
            f"{key}.{extra}: unknown key{hint}; a collection holds only 'defaults' and 'items' "
            "(or only 'file', naming a file that holds them)"
        )
    settings_model, _ = _COLLECTIONS[key]
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problems.append(f"{key}.defaults: expected a mapping of settings")
        defaults = {}
    try:
        settings_model.model_validate(defaults)
    except ValidationError as error:
        problems.extend(_validation_problems(f"{key}.defaults", error, settings_model))
        defaults = {}
    items = raw.get("items") or []
    if not isinstance(items, list):
        problems.append(f"{key}.items: expected a list of entries")
        return []
    merged: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        path = f"{key}.items[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{path}: expected a mapping with at least 'name'")
            continue
        entry = {**defaults, **item}
        for mapping_key in _MERGED_MAPPINGS:
            if isinstance(defaults.get(mapping_key), Mapping) and isinstance(item.get(mapping_key), Mapping):
                entry[mapping_key] = {**defaults[mapping_key], **item[mapping_key]}
        merged.append((path, entry))
    return merged


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(sorted(known)) or 'none'})"


def _names(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [str(entry.get("name", "")) for _, entry in entries]


def _cross_reference(
    entries: dict[str, list[tuple[str, dict[str, Any]]]],
    raw: Mapping[str, Any],
    namespace: str,
    files: Mapping[str, CollectionFile],
) -> list[str]:
    """Duplicate names and dangling references, judged on the merged entries.

    Works on raw values so that it reports alongside type errors, not after them.
    """
    problems: list[str] = []
    for kind, pairs in entries.items():
        seen: dict[str, str] = {}
        for path, entry in pairs:
            name = str(entry.get("name", ""))
            key = name.strip().lower()  # as the model reads it: surrounding whitespace is dropped
            if key and key in seen:
                problems.append(
                    f"{path}.name: duplicate {kind} name '{name}' (also {seen[key]}; "
                    "IAM names are case-insensitive and surrounding spaces are dropped)"
                )
            seen.setdefault(key, path)
    tiers = {str(entry.get("name")): (path, entry) for path, entry in entries["role tier"]}
    tier_names = list(tiers)
    account_raw = raw.get("account")
    account: Mapping[str, Any] = account_raw if isinstance(account_raw, Mapping) else {}
    for path, group in entries["group"]:
        references = group.get("assumable_tiers") or []
        for index, reference in enumerate(references if isinstance(references, list) else []):
            where = f"{path}.assumable_tiers[{index}]"
            if isinstance(reference, Mapping):
                if str(reference.get("account_id")) == str(account.get("id")):
                    problems.append(
                        f"{where}: tier of this account; name it directly as '{reference.get('tier')}'"
                    )
                continue
            if not isinstance(reference, str):
                continue
            if reference not in tiers:
                problems.append(f"{where}: unknown role tier '{reference}'{_suggest(reference, tier_names)}")
                continue
            tier_path, tier = tiers[reference]
            trust = tier.get("trust")
            if not (isinstance(trust, Mapping) and trust.get("this_account") is True):
                tiers_file = files.get("role_tiers")
                in_file = f" in {tiers_file.where(tier_path.partition('.')[2])}" if tiers_file else ""
                problems.append(
                    f"{where}: tier '{reference}' does not trust this account's users; "
                    f"set {namespace}:{tier_path}.trust.this_account: true{in_file}"
                )
    group_names = _names(entries["group"])
    for path, user in entries["user"]:
        memberships = user.get("groups") or []
        for index, name in enumerate(memberships if isinstance(memberships, list) else []):
            if isinstance(name, str) and name not in group_names:
                problems.append(
                    f"{path}.groups[{index}]: unknown group '{name}'{_suggest(name, group_names)}"
                )
    if account.get("manage_alias", True) and not account.get("alias") and "id" in account:
        problems.append(
            "account.alias: required while account.manage_alias is true; set it or turn manage_alias off"
        )
    return problems


def parse_stack_config(
    raw: Mapping[str, Any],
    namespace: str = CONFIG_NAMESPACE,
    files: Mapping[str, CollectionFile] | None = None,
) -> StackConfig:
    """Validate the project's config keys (without namespace) into a `StackConfig`.

    Raises `ConfigError` listing every problem, each with its key path as `pulumi config set --path`
    spells it (`iamtiers:users.items[3].name`) and the fix. `files` names the collections whose
    `{defaults, items}` came from a collection file (`users` -> people/dev-users.yaml): a problem in
    one starts with that file and line (`people/dev-users.yaml:14: iamtiers:users.items[3].name: ...`).
    """
    files = files or {}
    problems: list[str] = []
    document: dict[str, Any] = {k: v for k, v in raw.items() if k not in _COLLECTIONS}
    entries: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, kind in (("groups", "group"), ("role_tiers", "role tier"), ("users", "user")):
        entries[kind] = _split_collection(key, raw.get(key), problems)
        document[key] = [entry for _, entry in entries[kind]]
    paths = {kind: [path for path, _ in pairs] for kind, pairs in entries.items()}
    config: StackConfig | None = None
    try:
        config = StackConfig.model_validate(document)
    except ValidationError as error:
        problems.extend(_rewrite_item_path(p, paths) for p in _validation_problems("", error, StackConfig))
    problems.extend(_cross_reference(entries, raw, namespace, files))
    if problems or config is None:
        raise ConfigError([_placed(problem, namespace, files) for problem in problems])
    return config


def _placed(problem: str, namespace: str, files: Mapping[str, CollectionFile]) -> str:
    """A problem with its namespace, and the file and line first when its key came from a file."""
    location = problem.split(": ", 1)[0]
    for key, file in files.items():
        if location == key or location.startswith((f"{key}.", f"{key}[")):
            return f"{file.where(location[len(key) :].lstrip('.'))}: {namespace}:{problem}"
    return f"{namespace}:{problem}"


def _rewrite_item_path(problem: str, paths: dict[str, list[str]]) -> str:
    """Map `groups[2]...` (index into merged entries) back to `groups.items[2]...`."""
    match = re.match(r"^(groups|role_tiers|users)\[(\d+)\]", problem)
    if not match:
        return problem
    kind = {"groups": "group", "role_tiers": "role tier", "users": "user"}[match.group(1)]
    return paths[kind][int(match.group(2))] + problem[match.end() :]
