"""Record the answers of an independent IAM simulator for the request cases our evaluator is checked on.

Usage: python scripts/record_simulator_answers.py [--date YYYY-MM-DD] [--output PATH]
(or `make record-simulator`, which first installs the simulator with `npm ci`; needs node and npm)

The oracle is the npm package @cloud-copilot/iam-simulate, pinned in scripts/simulator/package.json.
It is AGPL-3.0: it runs here, at development time only, and neither its code nor its node_modules are
committed; only its answers are (tests/data/simulator/answers.json.gz, read by
tests/policypack/test_simulator_agreement.py with Python alone).

Three case sets (built by scripts/simulator_cases/), each case
`{id, kind, identity_policies, boundary, trust, request, expected}`:

- `generated`: a seeded grammar of statements (Allow/Deny, Action/NotAction, Resource/NotResource,
  wildcards, case differences, policy variables, every condition operator, IfExists and set
  operators, boundaries, trust policies) over real actions on well-formed ARNs; drawn until every
  decision class has its share (`GENERATED_PER_DECISION`).
- `shipped`: every statement of the shipped stacks (`Pulumi.dev.yaml`, `Pulumi.prod.yaml`), run offline
  in update mode: each user (by their ARN, path included), each group without members, each role tier,
  on the actions their statements name and the self-service actions, with and without MFA; and
  `sts:AssumeRole` of every user into every tier with the tier's trust policy.
- `aws-managed`: `MANAGED_POLICIES` AWS-managed policies (a seeded sample of the vendored set), each on
  requests for its own actions and for a few it does not grant.

A case's recorded context is the one the simulator evaluated (a key it does not know for the action and
resource is dropped, as AWS would not send it). Cases the simulator refuses (its validation errors) are
left out of the fixture and listed, with its reason, in tests/data/simulator/rejected.json. The output
is deterministic: fixed seeds, sorted keys, no timestamp unless `--date` is given.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(1, str(PROJECT_DIR / "policypack"))  # the pack's package, as the pack process imports it

from scripts.simulator_cases.cases import Json  # noqa: E402
from scripts.simulator_cases.generated import generated_case  # noqa: E402
from scripts.simulator_cases.managed import managed_policy_cases, managed_policy_order  # noqa: E402
from scripts.simulator_cases.shipped import shipped_cases  # noqa: E402

logger = logging.getLogger(__name__)

SIMULATOR = "@cloud-copilot/iam-simulate"
SIMULATOR_DIR = PROJECT_DIR / "scripts" / "simulator"
DATA_DIR = PROJECT_DIR / "tests" / "data" / "simulator"
FIXTURE = DATA_DIR / "answers.json.gz"
REJECTED = DATA_DIR / "rejected.json"
DECISIONS = ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
GENERATED_PER_DECISION = 2_000  # 6,000 generated cases, each decision class a third
GENERATED_MAX_CANDIDATES = 40_000
GENERATED_BATCH = 6_000
MANAGED_POLICIES = 300


@dataclass(frozen=True)
class SimulatorAnswers:
    version: str
    dependencies: dict[str, str]
    answers: dict[str, dict[str, Json]]  # by case id


def ask_simulator(cases: Sequence[dict[str, Json]]) -> SimulatorAnswers:
    """Run the cases through scripts/simulator/answer.mjs, one node process for all of them."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: the simulator runs on node (make record-simulator)")
    if not (SIMULATOR_DIR / "node_modules" / SIMULATOR).is_dir():
        raise SystemExit(
            f"{SIMULATOR} is not installed: run `npm ci` in {SIMULATOR_DIR} (make record-simulator)"
        )
    completed = subprocess.run(
        [node, str(SIMULATOR_DIR / "answer.mjs")],
        input=json.dumps(list(cases)),
        capture_output=True,
        text=True,
        check=False,
        cwd=SIMULATOR_DIR,
    )
    if completed.returncode != 0:
        raise SystemExit(f"answer.mjs failed ({completed.returncode}): {completed.stderr.strip()}")
    output = json.loads(completed.stdout)
    return SimulatorAnswers(
        output["version"],
        dict(output["dependencies"]),
        {answer["id"]: answer for answer in output["answers"]},
    )


@dataclass
class Recording:
    """The answered cases of every kind, and the refused ones."""

    version: str = ""
    dependencies: dict[str, str] = field(default_factory=dict)
    cases: list[dict[str, Json]] = field(default_factory=list)
    rejected: list[dict[str, Json]] = field(default_factory=list)

    def answer(self, cases: Sequence[dict[str, Json]]) -> tuple[list[dict[str, Json]], list[dict[str, Json]]]:
        """The cases with the simulator's answer (`expected`), and those it refused, with its reason."""
        answered = ask_simulator(cases)
        self.version, self.dependencies = answered.version, answered.dependencies
        recorded: list[dict[str, Json]] = []
        refused: list[dict[str, Json]] = []
        for case in cases:
            answer = answered.answers[case["id"]]
            if "errors" in answer:
                refused.append(
                    {
                        "id": case["id"],
                        "kind": case["kind"],
                        "request": case["request"],
                        "reason": answer["errors"],
                    }
                )
                continue
            # The context the simulator evaluated: a key it does not know for the action and resource is
            # not in such a request at all, so it is left out of the recorded one.
            request = {**case["request"], "context": answer["context"]}
            recorded.append({**case, "request": request, "expected": answer["decision"]})
        return recorded, refused


def record_generated(recording: Recording) -> None:
    """Draw generated cases, in index order, until each decision has GENERATED_PER_DECISION of them."""
    counts: Counter[str] = Counter()
    start = 0
    while min(counts[d] for d in DECISIONS) < GENERATED_PER_DECISION and start < GENERATED_MAX_CANDIDATES:
        answered, refused = recording.answer(
            [generated_case(i) for i in range(start, start + GENERATED_BATCH)]
        )
        for case in answered:
            if counts[case["expected"]] < GENERATED_PER_DECISION:
                counts[case["expected"]] += 1
                recording.cases.append(case)
        recording.rejected.extend(refused)
        start += GENERATED_BATCH
        logger.info("generated: %d candidates, kept %s", start, dict(counts))
    short = [d for d in DECISIONS if counts[d] < GENERATED_PER_DECISION]
    if short:
        raise SystemExit(f"generated: too few {short} in {start} candidates; tune the grammar")


def record_shipped(recording: Recording) -> None:
    answered, refused = recording.answer(shipped_cases())
    recording.cases.extend(answered)
    recording.rejected.extend(refused)


def record_managed(recording: Recording) -> None:
    """MANAGED_POLICIES policies in a seeded order, each with at least one answered case: a policy all of
    whose requests the simulator refuses is passed over (its refusals recorded) for the next one."""
    order = managed_policy_order()
    kept = 0
    position = 0
    while kept < MANAGED_POLICIES and position < len(order):
        batch = order[position : position + MANAGED_POLICIES - kept + 10]
        position += len(batch)
        by_policy = {policy.arn: managed_policy_cases(policy) for policy in batch}
        answered, refused = recording.answer([case for cases in by_policy.values() for case in cases])
        for arn, cases in by_policy.items():
            ids = {case["id"] for case in cases}
            mine = [case for case in answered if case["id"] in ids]
            if kept == MANAGED_POLICIES:
                break  # the rest of the batch is not part of the sample
            recording.rejected.extend(r for r in refused if r["id"] in ids)
            if mine:
                kept += 1
                recording.cases.extend(mine)
            else:
                logger.info("aws-managed: the simulator refuses every request for %s", arn)
    if kept < MANAGED_POLICIES:
        raise SystemExit(f"aws-managed: only {kept} policies have an answered case")


def write_fixture(recording: Recording, output: Path, date: str | None) -> None:
    fixture: dict[str, Json] = {
        "simulator": SIMULATOR,
        "version": recording.version,
        "dependencies": recording.dependencies,
        "cases": sorted(recording.cases, key=lambda case: (case["kind"], case["id"])),
    }
    if date:
        fixture["recorded"] = date
    text = json.dumps(fixture, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        output.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as zipped,
    ):
        zipped.write(text.encode("utf-8"))
    rejected = sorted(recording.rejected, key=lambda r: (r["kind"], r["id"]))
    output.with_name(REJECTED.name).write_text(
        json.dumps(rejected, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def summary(recording: Recording) -> Iterator[str]:
    kinds = Counter(case["kind"] for case in recording.cases)
    for kind in sorted(kinds):
        decisions = Counter(case["expected"] for case in recording.cases if case["kind"] == kind)
        yield f"{kind}: {kinds[kind]} cases, " + ", ".join(f"{d} {decisions[d]}" for d in DECISIONS)
    reasons = Counter((r["kind"], json.dumps(r["reason"].get("message"))) for r in recording.rejected)
    for (kind, reason), count in sorted(reasons.items()):
        yield f"rejected {kind}: {count} x {reason}"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", help="the recording date to store (YYYY-MM-DD); none by default")
    parser.add_argument("--output", type=Path, default=FIXTURE, help="the fixture (rejected.json beside it)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    recording = Recording()
    record_generated(recording)
    record_shipped(recording)
    record_managed(recording)
    write_fixture(recording, args.output, args.date)
    for line in summary(recording):
        print(line)
    print(f"{args.output}: {SIMULATOR} {recording.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
