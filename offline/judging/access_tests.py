"""The stack's access tests (`iamtiers:access_tests`), judged on the update-mode run by the evaluator.

Enters: the tests as the config model reads them and the run's principals. Leaves: one result per
test, passed or failed, with the decision and the statements that decided it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from components.config.access_tests import AccessTest
from components.config.fields import CONFIG_NAMESPACE
from offline.judging.principals import Subjects
from offline.judging.requests import ask, describe_request

# isort: split
from iam_guard.request_evaluation import Decision, Evaluation

ACCESS_TESTS_KEY = f"{CONFIG_NAMESPACE}:access_tests"
_TESTS = TypeAdapter(list[AccessTest])


class AccessTestError(ValueError):
    """The access tests cannot be read; the message names the key."""


@dataclass(frozen=True)
class AccessTestResult:
    index: int  # position in `iamtiers:access_tests`
    test: AccessTest
    evaluation: Evaluation

    @property
    def passed(self) -> bool:
        return (self.evaluation.decision is Decision.ALLOWED) == (self.test.expect == "allowed")

    @property
    def key(self) -> str:
        return f"{ACCESS_TESTS_KEY}[{self.index}]"

    @property
    def request(self) -> str:
        """`user/alice.nguyen iam:ChangePassword on * without MFA`."""
        test = self.test
        return f"{test.principal} {describe_request(test.action, test.resource, test.mfa, test.context)}"

    @property
    def outcome(self) -> str:
        """What happened, and what decided it."""
        decision = self.evaluation.decision.value
        if self.evaluation.decision is Decision.IMPLICITLY_DENIED:
            decided = implicit_denial(self.evaluation)
        else:
            decided = "; ".join(s.label for s in self.evaluation.deciding)
        return f"expected {self.test.expect}, got {decision}: {decided}"


def implicit_denial(evaluation: Evaluation) -> str:
    """Why nothing allowed the request: no identity statement, or the boundary or trust that did not."""
    if evaluation.missing in (None, "identity-based policy"):
        return "no statement of its identity policies allows it"
    allowed = "; ".join(s.label for s in evaluation.deciding if s.effect == "Allow")
    return f"allowed by {allowed or 'its identity policies'}, but not by its {evaluation.missing}"


def read_access_tests(config: Mapping[str, str]) -> list[AccessTest]:
    """The tests in the flat stack config the CLI hands a program (JSON text per key)."""
    text = config.get(ACCESS_TESTS_KEY)
    if text is None:
        return []
    try:
        return _TESTS.validate_python(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as error:
        raise AccessTestError(f"{ACCESS_TESTS_KEY}: cannot be read: {error}") from None


def run_access_tests(
    tests: Sequence[AccessTest], subjects: Subjects, *, when: datetime.datetime
) -> tuple[AccessTestResult, ...]:
    """Each test asked of the evaluator, in the order the stack file lists them."""
    tiers = subjects.tiers_by_arn()
    results = []
    for index, test in enumerate(tests):
        subject = subjects.by_reference.get(test.principal)
        if subject is None:
            raise AccessTestError(
                f"{ACCESS_TESTS_KEY}[{index}].principal: no principal '{test.principal}' was created"
            )
        evaluation = ask(
            subject, test.action, test.resource, mfa=test.mfa, when=when, extra=test.context, tiers=tiers
        )
        results.append(AccessTestResult(index, test, evaluation))
    return tuple(results)
