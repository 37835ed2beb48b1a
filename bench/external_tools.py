"""Run the AWS-managed policy corpus through cloudsplaining and parliament; print one JSON object.

Runs in the benchmark's own virtualenv (.venv-bench, from bench/requirements.txt), never in the
product's: `bench/run.py` starts it as a subprocess and sends the documents on stdin as
`[{"name": ..., "text": ...}, ...]`, so both sides judge exactly the same text. The answer, on stdout:
per tool its version, how it was timed, documents per second, and the names it flags for privilege
escalation. Uses the standard library and the two tools only.

- cloudsplaining: `PolicyDocument(json).allows_privilege_escalation` (non-empty: flagged), with the
  tool's default exclusions; a warm-up pass, then the best of `--rounds` passes.
- parliament: `analyze_policy_string(text, include_community_auditors=True)`; flagged when a finding's
  issue is `PRIVILEGE_ESCALATION` (its community auditor; `RESOURCE_POLICY_PRIVILEGE_ESCALATION` is
  the S3 bucket-policy check, not an escalation of the holder). A pass over the corpus takes it about
  two minutes on 2 cores, so it gets a short warm-up and one timed pass. A document that fails its own
  checks (`is_valid` false) is never given to the auditors: those, with the findings that rejected
  them, and the documents it raises on are listed.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import importlib.metadata
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

ESCALATION_ISSUE = "PRIVILEGE_ESCALATION"
PARLIAMENT_WARM_UP_DOCUMENTS = 25


def _timed(judge: Callable[[str], bool], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        judge(text)
    return time.perf_counter() - start


def cloudsplaining_figures(documents: list[dict[str, str]], rounds: int) -> dict[str, Any]:
    from cloudsplaining.scan.policy_document import PolicyDocument  # type: ignore[import-not-found]

    def escalates(text: str) -> bool:
        return bool(PolicyDocument(json.loads(text)).allows_privilege_escalation)

    texts = [document["text"] for document in documents]
    flagged: list[str] = []
    errors: dict[str, str] = {}
    for document in documents:  # the warm-up pass, which also collects the verdicts
        try:
            if escalates(document["text"]):
                flagged.append(document["name"])
        except Exception as error:  # noqa: BLE001 - a tool's failure on one document is a figure
            errors[document["name"]] = f"{type(error).__name__}: {error}"
    judged = [text for document, text in zip(documents, texts, strict=True) if document["name"] not in errors]
    seconds = min(_timed(escalates, judged) for _ in range(rounds))
    return {
        "version": importlib.metadata.version("cloudsplaining"),
        "call": "cloudsplaining.scan.policy_document.PolicyDocument(json).allows_privilege_escalation",
        "timing": f"best of {rounds} passes after a warm-up pass",
        "seconds": seconds,
        "docs_per_second": len(judged) / seconds,
        "flagged": sorted(flagged),
        "errors": errors,
    }


def parliament_figures(documents: list[dict[str, str]]) -> dict[str, Any]:
    import parliament  # type: ignore[import-not-found]

    for document in documents[:PARLIAMENT_WARM_UP_DOCUMENTS]:  # loads its auditors and IAM data once
        with contextlib.suppress(Exception):
            parliament.analyze_policy_string(document["text"], include_community_auditors=True)
    flagged: list[str] = []
    not_analysed: list[str] = []
    reasons: collections.Counter[str] = collections.Counter()  # why: its findings on those documents
    errors: dict[str, str] = {}
    start = time.perf_counter()
    for document in documents:
        try:
            policy = parliament.analyze_policy_string(document["text"], include_community_auditors=True)
        except Exception as error:  # noqa: BLE001 - a tool's failure on one document is a figure
            errors[document["name"]] = f"{type(error).__name__}: {error}"
            continue
        if ESCALATION_ISSUE in policy.finding_ids:
            flagged.append(document["name"])
        if not policy.is_valid:
            not_analysed.append(document["name"])
            reasons.update(policy.finding_ids)
    seconds = time.perf_counter() - start
    return {
        "version": importlib.metadata.version("parliament"),
        "call": "parliament.analyze_policy_string(text, include_community_auditors=True)",
        "timing": f"one pass after a warm-up on {PARLIAMENT_WARM_UP_DOCUMENTS} documents",
        "seconds": seconds,
        "docs_per_second": len(documents) / seconds,
        "flagged": sorted(flagged),
        "not_analysed": sorted(not_analysed),
        "not_analysed_reasons": dict(reasons.most_common()),
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes for the fast tools")
    args = parser.parse_args()
    documents: list[dict[str, str]] = json.load(sys.stdin)
    logging.disable(logging.WARNING)  # parliament logs every unknown action it meets
    # Both tools print in places; stdout carries only the answer.
    with contextlib.redirect_stdout(sys.stderr):
        figures = {
            "cloudsplaining": cloudsplaining_figures(documents, args.rounds),
            "parliament": parliament_figures(documents),
        }
    json.dump({"python": sys.version.split()[0], "tools": figures}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
