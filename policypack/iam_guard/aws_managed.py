"""Every AWS-managed policy, by ARN, with its default document: read from the vendored data file.

The file (`data/aws_managed_policies.tsv`, rebuilt by `make refresh-managed-policies`) holds one line per
policy. It is read on first use; a document stays text until a rule asks for it. The program's config
validation loads this module by path and reads the same files, so it uses the standard library only.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "aws_managed_policies.tsv"
RETIRED_FILE = Path(__file__).parent / "data" / "retired_managed_policies.json"
# `arn:<partition>:iam::aws:policy/<path><name>`; the path and name are what identify the policy.
_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?P<path_and_name>.+)$")


@dataclass(frozen=True)
class ManagedPolicy:
    """One AWS-managed policy at its default version."""

    name: str
    arn: str
    version: str
    updated: str
    document_text: str

    @property
    def path_and_name(self) -> str:
        """`job-function/ViewOnlyAccess`, as it follows `:policy/` in the ARN."""
        return self.arn.split(":policy/", 1)[1]

    @property
    def label(self) -> str:
        return f"AWS-managed {self.name} ({self.version})"


def is_aws_managed_arn(arn: str) -> bool:
    return _AWS_MANAGED_ARN.match(arn) is not None


@cache
def provenance() -> dict[str, Any]:
    """Where the data came from: the header line of the data file."""
    with DATA_FILE.open(encoding="utf-8") as data:
        header = data.readline()
    return dict(json.loads(header.removeprefix("# ")))


@cache
def _policies() -> dict[str, ManagedPolicy]:
    """path-and-name -> policy, for every policy in the data file."""
    policies: dict[str, ManagedPolicy] = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        name, arn, version, updated, document = line.split("\t", 4)
        policy = ManagedPolicy(name, arn, version, updated, document)
        policies[policy.path_and_name] = policy
    return policies


def all_policies() -> list[ManagedPolicy]:
    return sorted(_policies().values(), key=lambda policy: policy.name)


def lookup(arn: str) -> ManagedPolicy | None:
    """The AWS-managed policy at `arn` (any partition), or None when AWS has no such policy."""
    match = _AWS_MANAGED_ARN.match(arn)
    return _policies().get(match.group("path_and_name")) if match else None


@cache
def retired() -> dict[str, str | None]:
    """Retired policy name -> the name of its successor (None when there is none)."""
    return dict(json.loads(RETIRED_FILE.read_text(encoding="utf-8"))["retired"])


@cache
def _by_name() -> dict[str, ManagedPolicy]:
    return {policy.name: policy for policy in _policies().values()}


def why_missing(arn: str) -> str:
    """Why `arn` names no AWS-managed policy, with the fix: the right path, the successor of a retired
    policy, or the closest name."""
    match = _AWS_MANAGED_ARN.match(arn)
    path_and_name = match.group("path_and_name") if match else arn
    name = path_and_name.rsplit("/", 1)[-1]
    same_name = _by_name().get(name)
    if same_name is not None:
        return f"AWS-managed policy {name} lives at {same_name.arn}, not at '{arn}'"
    if name in retired():
        successor = retired()[name]
        instead = (
            f"; use its successor {_by_name()[successor].arn}"
            if successor
            else "; it has no successor: grant what is needed in a policy of your own"
        )
        return f"AWS retired the managed policy {name}{instead}"
    close = difflib.get_close_matches(name, _by_name(), n=1, cutoff=0.8)
    hint = f"; did you mean {_by_name()[close[0]].arn}?" if close else ""
    data = provenance()
    return (
        f"'{arn}' is no AWS-managed policy (checked against {data['policies']} policies from "
        f"{data['source']}){hint}"
    )
