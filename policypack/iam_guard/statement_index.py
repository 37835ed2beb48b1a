"""Policy documents compiled for request evaluation: each statement's actions, resources, principals and
conditions made ready once, and a policy's statements indexed by the actions they name.

A document is compiled once per `PolicyDocument` object (cached on its id, the object held so the id is
not reused); an index remembers, per lower-case action, which statements name it. A request then costs
one dictionary look-up plus the statements that name its action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from iam_guard.arn_matching import (
    ActionSet,
    Context,
    Mode,
    PatternSet,
    Variable,
    action_set,
    parse_template,
    pattern_set,
    resolve,
)
from iam_guard.condition_operators import CompiledCondition, RequestError, compile_condition
from iam_guard.documents import PolicyDocument, Statement

CACHE_LIMIT = 4096  # compiled documents, and actions per index, kept before starting afresh
IAM_PRINCIPAL = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)/(?:.*/)?([^/]+)$")
_ACCOUNT_ROOT = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):root$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
PrincipalMatch = Literal["everyone", "arn", "account"] | None


@dataclass(frozen=True)
class DecidingStatement:
    """A statement that decided the request, named so a reader can find it."""

    policy: str
    index: int
    sid: str | None
    effect: str

    @property
    def label(self) -> str:
        """`LabUser-mfa-guard Statement[0] (DenyWithoutMFA)`."""
        return f"{self.policy} Statement[{self.index}]" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class IamPrincipal:
    """The caller: an IAM user or role (a role session is evaluated as its role's ARN)."""

    arn: str
    partition: str
    account: str
    kind: Literal["user", "role"]
    name: str


def parse_principal(arn: object, what: str = "principal_arn") -> IamPrincipal:
    """The IAM user or role `arn` names; `RequestError` for anything else."""
    match = IAM_PRINCIPAL.match(arn) if isinstance(arn, str) else None
    if match is None or not isinstance(arn, str):
        raise RequestError(
            f"{what} {arn!r}: give an IAM user or role ARN such as arn:aws:iam::111111111111:user/alice "
            "(for a role session, the role's ARN)"
        )
    kind: Literal["user", "role"] = "user" if match.group(3) == "user" else "role"
    return IamPrincipal(arn, match.group(1), match.group(2), kind, match.group(4))


class PrincipalSet:
    """A Principal or NotPrincipal element, as it matches an IAM user or role (service, federated and
    canonical-user principals never do: "AWS JSON policy elements: Principal")."""

    __slots__ = ("accounts", "arns", "everyone")

    def __init__(self, principals: dict[str, tuple[str, ...]]) -> None:
        values = principals.get("AWS", ())
        self.everyone = "*" in principals or "*" in values
        self.arns = frozenset(value for value in values if not value.endswith(":root"))
        accounts: set[tuple[str | None, str]] = set()
        for value in values:
            if _ACCOUNT_ID.match(value):
                accounts.add((None, value))  # a bare account id stands for the account's root
            elif match := _ACCOUNT_ROOT.match(value):
                accounts.add((match.group(1), match.group(2)))
        self.accounts = frozenset(accounts)

    def match(self, principal: IamPrincipal) -> PrincipalMatch:
        """`everyone` for `*` (which covers a role's session itself), `arn` when it names the principal's
        own ARN (exactly, path included), `account` when it names its account: that delegates to the
        account's identity-based policies."""
        if self.everyone:
            return "everyone"
        if principal.arn in self.arns:
            return "arn"
        accounts = self.accounts
        if (None, principal.account) in accounts or (principal.partition, principal.account) in accounts:
            return "account"
        return None


class CompiledStatement:
    """One statement, ready to test a request."""

    __slots__ = (
        "actions",
        "allow",
        "conditions",
        "not_action",
        "not_principal",
        "not_resource",
        "not_resource_variables",
        "principals",
        "resources",
        "statement",
        "unconditional",
        "variables",
    )

    def __init__(self, statement: Statement, trust: bool) -> None:
        self.statement = statement
        self.allow = statement.effect == "Allow"
        self.not_action = statement.actions is None
        self.actions: ActionSet = action_set(statement.actions or statement.not_actions or ())
        self.not_resource = statement.resources is None
        self.not_principal = statement.principals is None
        self.resources: PatternSet | None = None
        self.principals: PrincipalSet | None = None
        if trust:
            principals = statement.principals if not self.not_principal else statement.not_principals
            if principals is None:
                raise RequestError(
                    f"{statement.label} has no Principal: is it an identity policy given as trust?"
                )
            self.principals = PrincipalSet(principals)
        else:
            resources = statement.resources if not self.not_resource else statement.not_resources
            if resources is None:
                raise RequestError(
                    f"{statement.label} has no Resource: is it a trust policy given as identity?"
                )
            self.resources = pattern_set(resources, Mode.RESOURCE)
        try:
            self.conditions: tuple[CompiledCondition, ...] = tuple(
                map(compile_condition, statement.conditions)
            )
        except RequestError as error:
            raise RequestError(f"{statement.label}: {error}") from None
        # Variables that may have no value in the request: a negated condition naming one cannot hold,
        # and a NotResource whose every entry names one leaves the statement out (see `applies`).
        self.variables = tuple(
            (compiled, required)
            for compiled, condition in zip(self.conditions, statement.conditions, strict=True)
            if compiled.negated
            and _takes_variables(condition.operator)
            and (required := _required(condition.values))
        )
        entries = statement.not_resources if not trust and self.not_resource else None
        per_entry = tuple(_required((entry,)) for entry in entries or ())
        self.not_resource_variables = per_entry if per_entry and all(per_entry) else ()
        # `Resource: "*"` and no Condition: applies to every request that names its action.
        self.unconditional = (
            not self.conditions
            and self.resources is not None
            and self.resources.match_all
            and not self.not_resource
        )

    def names_action(self, action: str) -> bool:
        return self.actions.matches(action) is not self.not_action

    def applies(self, resource: str, context: Context) -> bool:
        """Resource (or NotResource) matched and every condition holds (keys and operators are AND).

        A policy variable with no value in the request (and no default) has "no equal or like value"
        (IAM policy elements: Variables and tags, "Policy variables with no value"; "If AWS cannot
        resolve a variable, this might cause the entire statement to be invalid"). An entry or condition
        value naming one matches nothing; a negated condition comparing a present key with one cannot
        establish that the key differs, so it does not hold; a NotResource whose every entry names one
        excludes nothing it could name, and the statement is left out. The simulator this evaluator is
        checked against reads them the same way (tests/data/simulator/differences.md).
        """
        if self.not_resource_variables and all(
            _unresolved(variables, context) for variables in self.not_resource_variables
        ):
            return False
        resources = self.resources
        if resources is not None and resources.matches(resource, context) is self.not_resource:
            return False
        for compiled, variables in self.variables:
            if context.get(compiled.key) is not None and _unresolved(variables, context):
                return False
        return all(condition.holds(context) for condition in self.conditions)

    def principal_match(self, principal: IamPrincipal) -> PrincipalMatch:
        """How the statement's Principal covers the caller. A NotPrincipal covers everyone but the
        principals it names: naming the caller's account exempts the account, not its users ("AWS JSON
        policy elements: NotPrincipal"; IAM rejects NotPrincipal in trust policies, so only documents
        AWS never accepted have one)."""
        principals = self.principals
        if principals is None:
            return None
        found = principals.match(principal)
        if self.not_principal:
            return None if found in ("everyone", "arn") else "everyone"
        return found


# Condition operator families whose values take policy variables ("Policy variables": String, ARN and
# Bool operators); elsewhere `${...}` is literal text.
_VARIABLE_OPERATORS = ("string", "arn", "bool", "foranyvalue:", "forallvalues:")


def _required(texts: tuple[str, ...]) -> tuple[Variable, ...]:
    """The policy variables without a default in `texts`: each needs a value in the request."""
    variables = {
        part
        for text in texts
        if "${" in text
        for part in parse_template(text)
        if isinstance(part, Variable) and part.default is None
    }
    return tuple(sorted(variables, key=lambda variable: variable.key))


def _takes_variables(operator: str) -> bool:
    lowered = operator.lower()
    base = lowered.partition(":")[2] if lowered.startswith(("foranyvalue:", "forallvalues:")) else lowered
    return base.startswith(("string", "arn", "bool"))


def _unresolved(variables: tuple[Variable, ...], context: Context) -> bool:
    return any(resolve(variable, context) is None for variable in variables)


class _CompiledPolicy:
    __slots__ = ("document", "statements")

    def __init__(self, document: PolicyDocument, trust: bool) -> None:
        self.document = document  # held, so the id() it is cached under is not reused
        self.statements = tuple(CompiledStatement(statement, trust) for statement in document.statements)


_COMPILED: tuple[dict[int, _CompiledPolicy], dict[int, _CompiledPolicy]] = ({}, {})  # identity, trust
Decider = tuple[CompiledStatement, DecidingStatement]


class ActionIndex:
    """Statements (with the DecidingStatement each stands for) indexed by the actions they name."""

    __slots__ = ("by_action", "deciders")

    def __init__(self, deciders: tuple[Decider, ...]) -> None:
        self.deciders = deciders
        self.by_action: dict[str, tuple[Decider, ...]] = {}

    def naming(self, action: str) -> tuple[Decider, ...]:
        """The statements whose Action (or NotAction) covers the lower-case `action`."""
        found = self.by_action.get(action)
        if found is None:
            if len(self.by_action) >= CACHE_LIMIT:
                self.by_action.clear()
            found = tuple(decider for decider in self.deciders if decider[0].names_action(action))
            self.by_action[action] = found
        return found


def policy_index(name: str, document: PolicyDocument, trust: bool) -> ActionIndex:
    """The index of one named policy, read as identity (or boundary) policy or as trust policy."""
    cache = _COMPILED[trust]
    compiled = cache.get(id(document))
    if compiled is None or compiled.document is not document:
        try:
            compiled = _CompiledPolicy(document, trust)
        except RequestError as error:
            raise RequestError(f"policy '{name}' {error}") from None
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[id(document)] = compiled
    return ActionIndex(
        tuple(
            (
                statement,
                DecidingStatement(
                    name, statement.statement.index, statement.statement.sid, statement.statement.effect
                ),
            )
            for statement in compiled.statements
        )
    )


def joined(indexes: tuple[ActionIndex, ...]) -> ActionIndex:
    """One index over several policies' statements, in the order given."""
    return ActionIndex(tuple(decider for index in indexes for decider in index.deciders))
