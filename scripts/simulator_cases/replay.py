"""A recorded case of tests/data/simulator/answers.json.gz put to our evaluator: the one reading of the
fixture that the agreement test (tests/policypack/test_simulator_agreement.py) and the benchmark
(bench/evaluations.py) share, so that both time and judge the same calls."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from iam_guard.documents import DocumentKind, parse_policy
from iam_guard.request_evaluation import (
    Evaluation,
    NamedPolicy,
    Request,
    evaluate_assume_role,
    evaluate_request,
)

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "data" / "simulator" / "answers.json.gz"
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


def load_recorded(path: Path = FIXTURE) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as data:
        loaded: dict[str, Any] = json.load(data)
    return loaded


@lru_cache(maxsize=4096)
def _policy(name: str, text: str, kind: DocumentKind) -> NamedPolicy:
    """One NamedPolicy per distinct document, so that it is parsed and compiled once for all its cases."""
    return NamedPolicy(name, parse_policy(text, kind, aws_managed=name.startswith(AWS_MANAGED_PREFIX)))


def named_policy(entry: Mapping[str, Any], kind: DocumentKind = "identity") -> NamedPolicy:
    return _policy(entry["name"], json.dumps(entry["document"], sort_keys=True), kind)


def request_of(case: Mapping[str, Any]) -> Request:
    raw = case["request"]
    context = {
        key: value if isinstance(value, str) else tuple(value) for key, value in raw["context"].items()
    }
    return Request(raw["action"], raw["resource"], raw["principal"], context)


def evaluation_call(case: Mapping[str, Any]) -> Callable[[], Evaluation]:
    """The evaluator call the case makes: its identity policies, boundary and, for sts:AssumeRole into
    a role, the role's trust policy."""
    identity = [named_policy(entry) for entry in case["identity_policies"]]
    boundary = [named_policy(entry) for entry in case["boundary"]] if case["boundary"] is not None else None
    if case["trust"] is not None:
        trust = named_policy(case["trust"], "trust")
        return partial(evaluate_assume_role, identity, request_of(case), trust=trust, boundary=boundary)
    return partial(evaluate_request, identity, request_of(case), boundary=boundary)
