"""The real policy pack, started once per session and driven over the Analyzer protocol.

`policy_pack` is the one `PolicyPackProcess` of the session. `analyzer` wraps it for tests:

    analyzer.resource("aws:iam/userPolicy:UserPolicy", {"user": "alice", "policy": doc})
    analyzer.stack([group, FakeResource(POLICY_TYPE, "p", props, parent=group, depends_on=(group,))])
    analyzer.run(dev_preview)                    # -> GateResult, exactly as `make check` runs it
    with analyzer.configured({"no-user-policies": "advisory"}):
        ...                                      # the pack is back on its defaults afterwards

Property values are in wire form: use `UNKNOWN` for a value known only after apply and `secret(v)`
for a secret, as the engine would send them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from offline.judging.analyzer_client import PACK_DIR, Diagnostic, PolicyPackProcess
from offline.judging.gate import GateResult, analyze_run
from offline.running.engine import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration, StackRun

__all__ = ["IN_FORCE", "UNKNOWN", "FakeResource", "PackAnalyzer", "fake_urn", "secret"]

TEST_STACK = "test"
TEST_PROJECT = "iamtiers"
# An exemption's `expires` that is in force and within the pack's bound (180 days) on the UTC date.
IN_FORCE = (datetime.now(UTC).date() + timedelta(days=90)).isoformat()


def fake_urn(type_token: str, name: str) -> str:
    """The URN a test resource gets: flat, so it is easy to write down in an assertion."""
    return f"urn:pulumi:{TEST_STACK}::{TEST_PROJECT}::{type_token}::{name}"


def secret(value: Any) -> dict[str, Any]:
    """A secret property value in wire form."""
    return {SECRET_SIG: SECRET_VALUE_SIG, "value": value}


@dataclass(frozen=True, eq=False)
class FakeResource:
    """A resource of a hand-written stack: type, name, props (wire form) and its graph edges."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    parent: FakeResource | None = None
    depends_on: Sequence[FakeResource] = ()
    property_dependencies: Mapping[str, Sequence[FakeResource]] = field(default_factory=dict)
    custom: bool = True

    @property
    def urn(self) -> str:
        return fake_urn(self.type, self.name)

    def registration(self) -> Registration:
        return Registration(
            type=self.type,
            name=self.name,
            urn=self.urn,
            parent=self.parent.urn if self.parent else "",
            custom=self.custom,
            inputs=dict(self.props),
            dependencies=[dependency.urn for dependency in self.depends_on],
            property_dependencies={
                key: [dependency.urn for dependency in dependencies]
                for key, dependencies in self.property_dependencies.items()
            },
            outputs=dict(self.props),
        )


class PackAnalyzer:
    """Test-side helpers over the session's pack process."""

    def __init__(self, pack: PolicyPackProcess) -> None:
        self.pack = pack

    def resource(
        self, type_token: str, props: Mapping[str, Any], name: str = "r", urn: str | None = None
    ) -> list[Diagnostic]:
        """Analyze one custom resource, as the engine does before creating it."""
        registration = Registration(
            type=type_token,
            name=name,
            urn=urn or fake_urn(type_token, name),
            parent="",
            custom=True,
            inputs=dict(props),
            dependencies=[],
            property_dependencies={},
        )
        return self.pack.analyze(registration)

    def stack(self, resources: Sequence[FakeResource]) -> list[Diagnostic]:
        """AnalyzeStack over the given resources, their props standing for their outputs."""
        return self.pack.analyze_stack([resource.registration() for resource in resources])

    def run(self, stack_run: StackRun) -> GateResult:
        return analyze_run(self.pack, stack_run)

    @contextmanager
    def configured(self, config: Mapping[str, Any]) -> Iterator[None]:
        """Configure the pack for the block (`--policy-pack-config` shape), then restore the defaults."""
        self.pack.configure(config)
        try:
            yield
        finally:
            self.pack.configure({})


@pytest.fixture(scope="session")
def policy_pack() -> Iterator[PolicyPackProcess]:
    """The real pack, one process for the whole session."""
    with PolicyPackProcess(PACK_DIR) as pack:
        yield pack


@pytest.fixture
def analyzer(policy_pack: PolicyPackProcess) -> PackAnalyzer:
    return PackAnalyzer(policy_pack)
