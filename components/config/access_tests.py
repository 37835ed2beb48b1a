"""`iamtiers:access_tests`: the stack's promises about who can do what, checked after the program runs.

Each test names a principal (`user/alice.nguyen`, `group/LabUser`, `tier/SOC_Analyst`), one action,
a resource (default `*`), whether the caller has MFA (default yes) and extra request context, and
what it expects: `allowed` or `denied`, with `why`, the promise it keeps (shown when it fails).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from components.action_catalog import action_problem
from components.config.fields import _refuse, _Strict

PRINCIPAL_KINDS = ("user", "group", "tier")


def principal_problem(principal: str) -> str | None:
    """Why `principal` is not `<kind>/<name>` with a kind access tests know, or None."""
    kind, slash, name = principal.partition("/")
    if not slash or kind not in PRINCIPAL_KINDS or not name or "/" in name:
        return (
            f"'{principal}' is not a principal; write user/<name>, group/<name> or tier/<name> "
            "(e.g. user/alice.nguyen)"
        )
    return None


def single_action_problem(action: str) -> str | None:
    """An access test asks about one action: no wildcard, and one the IAM catalog knows."""
    if "*" in action or "?" in action:
        return f"'{action}': an access test asks about one action; write it out without wildcards"
    return action_problem(action)


def request_resource_problem(resource: str) -> str | None:
    if resource == "*" or resource.startswith("arn:"):
        return None
    return f"'{resource}' is not a resource ARN; write an ARN (arn:aws:s3:::bucket/key) or '*'"


def _why_problem(why: str) -> str | None:
    if why.strip():
        return None
    return "empty; say which promise the test keeps (it is shown when the test fails)"


def _context_values(value: object) -> str | tuple[str, ...]:
    """A context value as the request carries it: text, or a tuple for a multivalued key. YAML's
    true, 3 and lists are accepted as AWS writes them ("true", "3", a set)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str | int | bool) for item in value):
        return tuple(str(_context_values(item)) for item in value)
    raise ValueError("a context value is text, a number, true/false, or a list of them")


class AccessTest(_Strict):
    """One promise: `principal` may (`allowed`) or may not (`denied`) call `action` on `resource`."""

    principal: Annotated[str, _refuse(principal_problem)]
    action: Annotated[str, _refuse(single_action_problem)]
    resource: Annotated[str, _refuse(request_resource_problem)] = "*"
    mfa: bool = True
    context: dict[Annotated[str, AfterValidator(str.strip)], str | tuple[str, ...]] = Field(
        default_factory=dict
    )
    expect: Literal["allowed", "denied"]
    why: Annotated[str, _refuse(_why_problem)]

    @field_validator("context", mode="before")
    @classmethod
    def _read_context(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value  # pydantic reports the type at the key
        return {key: _context_values(item) for key, item in value.items()}

    @property
    def kind(self) -> str:
        return self.principal.partition("/")[0]

    @property
    def name(self) -> str:
        return self.principal.partition("/")[2]


def access_test_reference_problems(
    tests: object, names: dict[str, list[str]], suggest: Callable[[str, list[str]], str]
) -> list[str]:
    """Tests naming a user, group or tier the stack does not define; `names` maps each kind to the
    stack's names, `suggest(name, known)` words the "did you mean"."""
    problems: list[str] = []
    for index, test in enumerate(tests if isinstance(tests, list) else []):
        principal = test.get("principal") if isinstance(test, dict) else None
        if not isinstance(principal, str) or principal_problem(principal):
            continue  # the model reports its shape
        kind, _, name = principal.partition("/")
        if name not in names[kind]:
            problems.append(
                f"access_tests[{index}].principal: unknown {kind} '{name}'{suggest(name, names[kind])}"
            )
    return problems
