"""The offline engine records every registration exactly once, whatever the SDK's threads do."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pulumi_aws as aws
import pytest

from offline.running.engine import ProgramError, StackRun, record, run_stack
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, component_settings

RUNS_PER_STACK = 20


@pytest.fixture
def switch_every_microsecond() -> Iterator[None]:
    """Make the interpreter switch threads as often as it can, so unsafe recording shows."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _registrations(run: StackRun) -> frozenset[str]:
    return frozenset(
        json.dumps(
            [r.urn, r.type, r.parent, r.inputs, sorted(r.dependencies), r.property_dependencies],
            sort_keys=True,
        )
        for r in run.registrations
    )


@pytest.mark.usefixtures("switch_every_microsecond")
@pytest.mark.parametrize("stack", SHIPPED_STACKS)
@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_every_registration_is_recorded_exactly_once(stack: str, preview: bool) -> None:
    first = run_stack(PROJECT_DIR, stack, preview=preview)
    expected = _registrations(first)
    for _ in range(RUNS_PER_STACK - 1):
        run = run_stack(PROJECT_DIR, stack, preview=preview)
        urns = [r.urn for r in run.registrations]
        assert len(urns) == len(set(urns)), "a URN was recorded twice"
        assert _registrations(run) == expected
        # Registration order is the program's: a parent is recorded before its children.
        position = {urn: index for index, urn in enumerate(urns)}
        for registration in run.registrations:
            if registration.parent in position:
                assert position[registration.parent] < position[registration.urn], registration.urn


def test_second_registration_of_a_urn_is_an_error_naming_both() -> None:
    def program() -> None:
        aws.iam.User("user-bashir.khan", name="bashir.khan")
        aws.iam.User("user-bashir.khan", name="bashir.khan ")

    with pytest.raises(ProgramError) as raised:
        record(program, component_settings(), preview=False)
    message = str(raised.value)
    assert "duplicate resource URN" in message
    assert "urn:pulumi:test::iamtiers::pulumi:pulumi:Stack$aws:iam/user:User::user-bashir.khan" in message
    assert "registered a second time" in message and "unique name" in message


def test_the_program_stack_replaces_the_mock_runtime_stack() -> None:
    run = record(lambda: None, component_settings(), preview=True)
    assert [r.type for r in run.registrations] == ["pulumi:pulumi:Stack"]
