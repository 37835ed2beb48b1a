"""The field types and building blocks every config key's model shares, with no Pulumi in them.

The strict model base (`_Strict`: unknown keys refused, frozen, strings stripped), validators that
report an IAM rule's problem at its key (`_refuse`, `_name`), the annotated field types (account ids,
IAM names and paths, tags, resources, condition operators), managed-policy references (`PolicyReference`,
`managed_policy_arn`, `managed_policy_key`, the quota check), the inline `Statement`, the tier
reference a group names (`RemoteTier`, `TierReference`), the constants (`PARTITION`, `CONFIG_NAMESPACE`,
`IAM_MANAGED_POLICY_QUOTA`), where a collection was read from (`CollectionFile`) and `ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from components import aws_managed_policies
from components.action_catalog import action_problem
from components.iam_limits import (
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
TagMap = dict[Annotated[str, _refuse(tag_key_problem)], Annotated[str, _refuse(tag_value_problem)]]
Resource = Annotated[str, _refuse(resource_problem)]
ConditionOperator = Annotated[str, _refuse(condition_operator_problem)]

# Any partition, as `arn:<partition>:iam::aws:policy/...` is AWS-managed in every one of them.
_MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy(/.*)$")


MAX_SHOWN_PROBLEMS = 50  # how many problems a ConfigError's message lists


class ConfigError(Exception):
    """Stack config that cannot become resources; `problems` holds one line per defect."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        # Every problem is kept; a file of a million bad items shows the first ones, not a million lines.
        listing = "\n".join(f"  - {problem}" for problem in problems[:MAX_SHOWN_PROBLEMS])
        if len(problems) > MAX_SHOWN_PROBLEMS:
            listing += f"\n  - and {len(problems) - MAX_SHOWN_PROBLEMS} more"
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
        line = line_of(self.lines, location)  # not copied: a big file's problems would each copy it
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


def _reject_duplicate_keys(references: list[str]) -> None:
    keys = [managed_policy_key(r) for r in references]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"policy listed twice: {', '.join(dupes)}")


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
