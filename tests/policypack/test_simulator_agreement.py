"""Our request evaluator against an independent one, case by case.

The answers of the IAM simulator @cloud-copilot/iam-simulate are recorded in
tests/data/simulator/answers.json.gz (`make record-simulator`, which needs node; this test needs only
Python). Every case must get the simulator's decision from `iam_guard.request_evaluation`, except the
documented differences: cases where AWS's documentation decides against the simulator, each pinned in
`DOCUMENTED_DIFFERENCES` with our answer, the class of difference and the page that decides it (and
explained in tests/data/simulator/differences.md).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from iam_guard.request_evaluation import Decision

from scripts.simulator_cases.replay import AWS_MANAGED_PREFIX, FIXTURE, evaluation_call, load_recorded

DATA_DIR = FIXTURE.parent
DIFFERENCES_DOC = DATA_DIR / "differences.md"
SIMULATOR = "@cloud-copilot/iam-simulate"
KINDS = ("generated", "shipped", "aws-managed")
MIN_GENERATED = 5_000
MANAGED_POLICIES = 300
DOCUMENT_SHOWN = 1_500  # characters of a document shown in a disagreement; AWS's own run to 10,000s


@dataclass(frozen=True)
class DocumentedDifference:
    """A case we answer differently from the simulator because AWS's documentation says so."""

    ours: Decision
    difference: str  # the class of difference, as tests/data/simulator/differences.md names it
    url: str  # the AWS documentation page that decides it


# case id -> our answer; the lead adds an entry only with the page that decides it.
_RESOURCE_WILDCARDS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
)
_WILDCARD_IN_RESOURCE_TYPE = DocumentedDifference(
    Decision.ALLOWED, "wildcard inside the resource type of an ARN", _RESOURCE_WILDCARDS
)
DOCUMENTED_DIFFERENCES: dict[str, DocumentedDifference] = {
    # `arn:aws:quicksight:*:*:*/*` on a vpcConnection; `arn:aws:ec2:*:*:security-group*/*` on a
    # security group: AWS's own managed policies, which grant exactly this.
    "aws-managed-AWSQuickSightAssetBundleExportPolicy-3": _WILDCARD_IN_RESOURCE_TYPE,
    "aws-managed-ROSASharedVPCEndpointPolicy-0": _WILDCARD_IN_RESOURCE_TYPE,
    "aws-managed-ROSASharedVPCEndpointPolicy-4": _WILDCARD_IN_RESOURCE_TYPE,
}


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    if not FIXTURE.exists():
        pytest.fail(
            f"{FIXTURE.relative_to(DATA_DIR.parents[2])} is missing: it is committed; regenerate it with "
            "`make record-simulator` (needs node and npm)"
        )
    return load_recorded()


def cases_of(recorded: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [case for case in recorded["cases"] if case["kind"] == kind]


def our_decision(case: Mapping[str, Any]) -> str:
    """Our evaluator's decision, or the error it raised (a disagreement too)."""
    try:
        return evaluation_call(case)().decision.value
    except (ValueError, TypeError) as error:  # RequestError and PolicyDocumentError are ValueErrors
        return f"error: {type(error).__name__}: {error}"


def _shown(entry: Mapping[str, Any] | None) -> str:
    if entry is None:
        return "none"
    text = json.dumps(entry["document"], sort_keys=True)
    if len(text) > DOCUMENT_SHOWN:
        text = text[:DOCUMENT_SHOWN] + f"... ({len(text)} characters; the whole document is in the fixture)"
    return f"{entry['name']}: {text}"


def describe(case: Mapping[str, Any], ours: str) -> str:
    lines = [
        f"  {case['id']}: simulator {case['expected']}, ours {ours}",
        f"    request: {json.dumps(case['request'], sort_keys=True)}",
    ]
    lines += [f"    identity {_shown(entry)}" for entry in case["identity_policies"]] or [
        "    identity: none"
    ]
    if case["boundary"] is not None:
        lines += [f"    boundary {_shown(entry)}" for entry in case["boundary"]]
    if case["trust"] is not None:
        lines.append(f"    trust {_shown(case['trust'])}")
    return "\n".join(lines)


def disagreements(cases: Sequence[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(simulator's decision, ours) -> the description of every case where we differ from the expected
    answer: the simulator's, or ours pinned in DOCUMENTED_DIFFERENCES."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for case in cases:
        ours = our_decision(case)
        documented = DOCUMENTED_DIFFERENCES.get(case["id"])
        wanted = documented.ours.value if documented else case["expected"]
        if ours != wanted:
            label = ours if not ours.startswith("error:") else ours.split(":", 2)[1].strip() + " raised"
            groups[(case["expected"], label)].append(describe(case, ours))
    return groups


def test_fixture_holds_every_kind_of_case(recorded: dict[str, Any]) -> None:
    assert recorded["simulator"] == SIMULATOR
    assert recorded["version"], "the fixture must record the simulator's exact version"
    assert all(part.isdigit() for part in recorded["version"].split(".")), recorded["version"]
    kinds = Counter(case["kind"] for case in recorded["cases"])
    assert set(kinds) == set(KINDS), kinds
    assert kinds["generated"] >= MIN_GENERATED
    assert kinds["shipped"] >= 1
    managed = {case["identity_policies"][0]["name"] for case in cases_of(recorded, "aws-managed")}
    assert len(managed) == MANAGED_POLICIES
    assert all(name.startswith(AWS_MANAGED_PREFIX) for name in managed)
    ids = [case["id"] for case in recorded["cases"]]
    assert len(ids) == len(set(ids)), "case ids are unique"
    decisions = {decision.value for decision in Decision}
    assert {case["expected"] for case in recorded["cases"]} == decisions


def test_generated_cases_cover_every_decision_and_operator(recorded: dict[str, Any]) -> None:
    generated = cases_of(recorded, "generated")
    decisions = Counter(case["expected"] for case in generated)
    assert min(decisions.values()) >= len(generated) // 4, decisions
    text = json.dumps([case["identity_policies"] for case in generated])
    operators = [
        *(f"String{op}" for op in ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like")),
        "StringNotLike",
        *(f"{kind}{op}" for kind in ("Numeric", "Date") for op in ("Equals", "NotEquals", "LessThan")),
        *(f"{kind}{op}" for kind in ("Numeric", "Date") for op in ("LessThanEquals", "GreaterThan")),
        "NumericGreaterThanEquals",
        "DateGreaterThanEquals",
        *("Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals"),
        *("ArnNotLike", "Null", "IfExists", "ForAllValues:", "ForAnyValue:", "NotAction", "NotResource"),
        *("${aws:username}", "${aws:PrincipalTag/team}", "${*}", "${?}", "${$}", ", 'security'}"),
    ]
    missing = [operator for operator in operators if f'"{operator}' not in text and operator not in text]
    assert not missing, f"the generated policies never use {missing}"
    assert sum(case["trust"] is not None for case in generated) >= 500
    assert sum(case["boundary"] is not None for case in generated) >= len(generated) // 5


@pytest.mark.parametrize("kind", KINDS)
def test_our_evaluator_agrees_with_the_simulator(recorded: dict[str, Any], kind: str) -> None:
    cases = cases_of(recorded, kind)
    groups = disagreements(cases)
    if groups:
        total = sum(len(found) for found in groups.values())
        report = [f"{total} of {len(cases)} {kind} cases disagree with {SIMULATOR} {recorded['version']}:"]
        for (expected, ours), found in sorted(groups.items(), key=lambda item: -len(item[1])):
            report.append(f"\nsimulator {expected}, ours {ours}: {len(found)} cases")
            report.extend(found)
        pytest.fail("\n".join(report), pytrace=False)


def test_documented_differences_are_current(recorded: dict[str, Any]) -> None:
    by_id = {case["id"]: case for case in recorded["cases"]}
    explained = DIFFERENCES_DOC.read_text(encoding="utf-8")
    for case_id, documented in DOCUMENTED_DIFFERENCES.items():
        assert case_id in by_id, f"{case_id}: no such case in the fixture (re-recorded?); drop the entry"
        assert by_id[case_id]["expected"] != documented.ours.value, (
            f"{case_id}: the simulator now agrees with us; drop the entry"
        )
        assert documented.url.startswith("https://docs.aws.amazon.com/"), (case_id, documented.url)
        assert documented.difference in explained, (
            f"{documented.difference!r} is not explained in differences.md"
        )
