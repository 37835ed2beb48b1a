"""`make bench`, part two: every AWS-managed policy document through the pack, and through two other tools.

Three ways over the same documents, all of the pack's vendored `aws_managed_policies.tsv`:

- through the Analyzer protocol, to one real pack process on its default config: a preview stack
  holding, per policy, a `Group` and a `GroupPolicyAttachment` of the policy's ARN; Analyze for every
  attachment, then one AnalyzeStack over every resource (the stack root included, as the engine
  sends it);
- in-process, the analysis alone: parse, evaluate, completed escalation methods, per document;
- cloudsplaining and parliament, in their own virtualenv (`bench/external_tools.py`).

A policy counts as flagged for escalation by the pack when its attachment or its group (which holds
that one policy) has an IAM-ESC-001 (one document) or IAM-ESC-002 (a principal's documents together)
finding, from Analyze or AnalyzeStack.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from iam_guard import aws_managed
from iam_guard.documents import PolicyDocumentError, parse_policy
from iam_guard.escalation import completed_methods
from iam_guard.evaluation import evaluate

from bench.timed_runs import peak_rss_mib
from offline.judging.analyzer_client import PACK_DIR, Diagnostic, PolicyPackProcess
from offline.running.engine import STACK_TYPE, Registration

PROJECT = "iamtiers"
STACK = "managed-policy-corpus"
GROUP = "aws:iam/group:Group"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ESCALATION_FINDINGS = frozenset({"IAM-ESC-001", "IAM-ESC-002"})
FULL_ADMIN_FINDING = "IAM-ADMIN-001"  # reported for full admin instead of an escalation path
PACK_ERROR_PREFIX = "PACK-ERROR"
NO_FINDING_ID = "(no finding id)"
# Every finding message starts `[ID] Title: ...` (iam_guard.findings.finding_message).
_FINDING_ID = re.compile(r"^\[(?P<id>[A-Z]+(?:-[A-Z0-9]+)+)\]")
EXTERNAL_TOOLS_SCRIPT = Path(__file__).resolve().parent / "external_tools.py"
TOOLS = ("cloudsplaining", "parliament")


def _urn(type_token: str, name: str) -> str:
    # Children of the root stack carry no parent type in their URN.
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


class CorpusStack:
    """The stack the corpus becomes: the root, and a group plus its attachment per policy."""

    def __init__(self, policies: Sequence[aws_managed.ManagedPolicy]) -> None:
        root_name = f"{PROJECT}-{STACK}"
        self.root = Registration(
            type=STACK_TYPE,
            name=root_name,
            urn=_urn(STACK_TYPE, root_name),
            parent="",
            custom=False,
            inputs={},
            dependencies=[],
            property_dependencies={},
        )
        self.registrations: list[Registration] = [self.root]
        self.attachments: list[Registration] = []
        self.policy_by_urn: dict[str, str] = {}  # group and attachment URN -> policy name
        for policy in policies:
            # Policy names are valid group names (same characters, at most 128 of them) and unique.
            group_inputs = {"name": policy.name, "path": "/"}
            group = Registration(
                type=GROUP,
                name=policy.name,
                urn=_urn(GROUP, policy.name),
                parent=self.root.urn,
                custom=True,
                inputs=group_inputs,
                dependencies=[],
                property_dependencies={},
                outputs=group_inputs,
            )
            attachment_inputs = {"group": policy.name, "policyArn": policy.arn}
            attachment = Registration(
                type=GROUP_POLICY_ATTACHMENT,
                name=policy.name,
                urn=_urn(GROUP_POLICY_ATTACHMENT, policy.name),
                parent=self.root.urn,
                custom=True,
                inputs=attachment_inputs,
                dependencies=[group.urn],
                property_dependencies={"group": [group.urn]},
                outputs=attachment_inputs,
            )
            self.registrations += [group, attachment]
            self.attachments.append(attachment)
            self.policy_by_urn[group.urn] = self.policy_by_urn[attachment.urn] = policy.name

    def policies_with(self, diagnostics: Sequence[Diagnostic], finding_ids: Iterable[str]) -> set[str]:
        """Policies whose attachment or group has a finding with one of `finding_ids`."""
        wanted = set(finding_ids)
        return {
            self.policy_by_urn[d.urn]
            for d in diagnostics
            if finding_id(d) in wanted and d.urn in self.policy_by_urn
        }


def finding_id(diagnostic: Diagnostic) -> str:
    """`IAM-ESC-001` for `[IAM-ESC-001] Privilege-escalation path ...`."""
    match = _FINDING_ID.match(diagnostic.finding)
    return match.group("id") if match else NO_FINDING_ID


def _count_ids(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    return dict(sorted(collections.Counter(finding_id(d) for d in diagnostics).items()))


def _digest(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str, str]]:
    return sorted((d.urn, d.policy_name, d.finding) for d in diagnostics)


def protocol_figures(stack: CorpusStack, rounds: int) -> tuple[dict[str, Any], set[str]]:
    """Analyze every attachment, then AnalyzeStack, `rounds` times to one pack process.

    The first round's findings are the ones reported; whether every later round repeated them is recorded.
    """
    analyze_seconds: list[float] = []
    stack_seconds: list[float] = []
    runs: list[tuple[list[Diagnostic], list[Diagnostic]]] = []
    start = time.perf_counter()
    with PolicyPackProcess(PACK_DIR) as pack:
        start_seconds = time.perf_counter() - start
        pack.configure({})  # the pack's defaults
        pack.configure_stack(project=PROJECT, stack=STACK, dry_run=True)
        for _ in range(rounds):
            start = time.perf_counter()
            analyzed = [d for attachment in stack.attachments for d in pack.analyze(attachment)]
            analyze_seconds.append(time.perf_counter() - start)
            start = time.perf_counter()
            stacked = pack.analyze_stack(stack.registrations)  # preview: the outputs are the inputs
            stack_seconds.append(time.perf_counter() - start)
            runs.append((analyzed, stacked))
        peak_rss = peak_rss_mib(pack.pid)
        version = pack.version
    analyzed, stacked = runs[0]
    repeated = all(_digest(a) == _digest(analyzed) and _digest(s) == _digest(stacked) for a, s in runs[1:])
    diagnostics = [*analyzed, *stacked]
    flagged = stack.policies_with(diagnostics, ESCALATION_FINDINGS)
    documents = len(stack.attachments)
    figures = {
        "pack_version": version,
        "config": "the pack's defaults; ConfigureStack dry_run (preview)",
        "timing": f"Analyze of every attachment, then AnalyzeStack, {rounds} times to one pack process; "
        "cold = the first time, best = the fastest",
        "pack_start_seconds": start_seconds,
        "analyze_documents": documents,
        "analyze_docs_per_second": documents / min(analyze_seconds),
        "analyze_docs_per_second_cold": documents / analyze_seconds[0],
        "analyze_stack_resources": len(stack.registrations),
        "analyze_stack_seconds": min(stack_seconds),
        "analyze_stack_seconds_cold": stack_seconds[0],
        "pack_peak_rss_mib": peak_rss,
        "findings_by_id": {"analyze": _count_ids(analyzed), "analyze_stack": _count_ids(stacked)},
        "pack_errors": sum(finding_id(d).startswith(PACK_ERROR_PREFIX) for d in diagnostics),
        "same_findings_every_round": repeated,
        "full_admin": sorted(stack.policies_with(diagnostics, {FULL_ADMIN_FINDING})),
    }
    return figures, flagged


def _escalates(text: str) -> bool:
    document = parse_policy(json.loads(text), lenient=True, aws_managed=True)
    return bool(completed_methods(evaluate([document])))


def in_process_figures(
    policies: Sequence[aws_managed.ManagedPolicy], rounds: int
) -> tuple[dict[str, Any], set[str]]:
    """parse_policy, evaluate, completed_methods per document: a warm-up pass, then the best of `rounds`."""
    flagged: set[str] = set()
    unreadable: list[str] = []
    start = time.perf_counter()
    for policy in policies:  # the warm-up pass, which also collects the verdicts
        try:
            if _escalates(policy.document_text):
                flagged.add(policy.name)
        except PolicyDocumentError:
            unreadable.append(policy.name)
    first_pass_seconds = time.perf_counter() - start
    texts = [policy.document_text for policy in policies if policy.name not in unreadable]
    seconds: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            _escalates(text)
        seconds.append(time.perf_counter() - start)
    figures = {
        "call": "iam_guard: parse_policy(json.loads(text), lenient=True, aws_managed=True), "
        "evaluate([document]), completed_methods(permissions)",
        "timing": f"best of {rounds} passes after a warm-up pass (the catalog's caches warm)",
        "docs_per_second": len(texts) / min(seconds),
        # Every pattern and statement new to the process: what one pass over unseen documents costs.
        "docs_per_second_first_pass": len(policies) / first_pass_seconds,
        "unreadable": sorted(unreadable),
    }
    return figures, flagged


def external_figures(
    python: Path, policies: Sequence[aws_managed.ManagedPolicy], rounds: int
) -> dict[str, Any]:
    """What `bench/external_tools.py` answers when run by the benchmark virtualenv's `python`."""
    documents = [{"name": policy.name, "text": policy.document_text} for policy in policies]
    completed = subprocess.run(
        [str(python), str(EXTERNAL_TOOLS_SCRIPT), "--rounds", str(rounds)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{EXTERNAL_TOOLS_SCRIPT.name} failed under {python} (exit {completed.returncode}):\n"
            f"{completed.stderr[-4000:]}"
        )
    answer: dict[str, Any] = json.loads(completed.stdout)
    return answer


def _ratio(theirs: float, ours: float) -> float:
    return theirs / ours if ours else float("nan")


def measure(external_python: Path, rounds: int) -> dict[str, Any]:
    """The `managed_policy_corpus` section of bench/results.json (numbers not yet rounded)."""
    start = time.perf_counter()
    policies = aws_managed.all_policies()
    protocol, ours = protocol_figures(CorpusStack(policies), rounds)
    in_process, ours_in_process = in_process_figures(policies, rounds)
    external = external_figures(external_python, policies, rounds)
    protocol["ratio_to_in_process"] = _ratio(
        protocol["analyze_docs_per_second"], in_process["docs_per_second"]
    )
    protocol["flagged_for_escalation"] = len(ours)
    protocol["flagged"] = sorted(ours)
    in_process["flagged_for_escalation"] = len(ours_in_process)
    in_process["flagged_not_through_protocol"] = sorted(ours_in_process - ours)
    in_process["flagged_only_through_protocol"] = sorted(ours - ours_in_process)
    tools: dict[str, dict[str, Any]] = {}
    for name in TOOLS:
        tool = dict(external["tools"][name])
        theirs = set(tool["flagged"])
        tool["ratio_to_ours_in_process"] = _ratio(tool["docs_per_second"], in_process["docs_per_second"])
        tool["ratio_to_ours_protocol"] = _ratio(tool["docs_per_second"], protocol["analyze_docs_per_second"])
        tool["flagged_for_escalation"] = len(theirs)
        tool["flagged_by_it_not_us"] = sorted(theirs - ours)
        tool["flagged_by_us_not_it"] = sorted(ours - theirs)
        # Of those, the documents the tool never audited (rejected by its own checks, or raised on).
        unaudited = set(tool.get("not_analysed", [])) | set(tool.get("errors", {}))
        tool["flagged_by_us_not_it_unaudited"] = sorted((ours - theirs) & unaudited)
        tools[name] = tool
    provenance = aws_managed.provenance()
    return {
        "corpus": {"documents": len(policies), "source": provenance.get("source", "")},
        "ours_protocol": protocol,
        "ours_in_process": in_process,
        "tools": tools,
        "tools_python": external.get("python", ""),
        "seconds": time.perf_counter() - start,
        "met": {"no_pack_errors": protocol["pack_errors"] == 0},
    }


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "none"


def markdown(section: dict[str, Any]) -> str:
    """bench/managed_policy_corpus.md: the section as a table, then the disagreements by name."""
    protocol, in_process, tools = section["ours_protocol"], section["ours_in_process"], section["tools"]
    corpus = section["corpus"]
    rows = [
        (
            f"iamtiers-guardrails {protocol['pack_version']}, Analyze through the protocol",
            protocol["analyze_docs_per_second"],
            protocol["ratio_to_in_process"],
            protocol["flagged_for_escalation"],
            "(us)",
            "(us)",
        ),
        (
            "iamtiers-guardrails, in-process analysis",
            in_process["docs_per_second"],
            1.0,
            in_process["flagged_for_escalation"],
            str(len(in_process["flagged_not_through_protocol"])),
            str(len(in_process["flagged_only_through_protocol"])),
        ),
        *(
            (
                f"{name} {tool['version']}",
                tool["docs_per_second"],
                tool["ratio_to_ours_in_process"],
                tool["flagged_for_escalation"],
                str(len(tool["flagged_by_it_not_us"])),
                str(len(tool["flagged_by_us_not_it"])),
            )
            for name, tool in tools.items()
        ),
    ]
    lines = [
        "# AWS-managed policies: the pack against cloudsplaining and parliament",
        "",
        "<!-- Generated by `make bench` (bench/run.py, bench/managed_corpus.py); do not edit. -->",
        "",
        f"All {corpus['documents']} AWS-managed policy documents ({corpus['source']}), judged for "
        "privilege escalation. Us: the pack through the Analyzer protocol, which flags a policy when its "
        "attachment or its group has an IAM-ESC-001 or IAM-ESC-002 finding; in-process: "
        "`completed_methods` is not empty; cloudsplaining: `allows_privilege_escalation` is not empty; "
        "parliament: it reports `PRIVILEGE_ESCALATION` (community auditors on). Documents per second: "
        "Analyze of each attachment through the protocol, the analysis alone in-process, each tool's call "
        "per document.",
        "",
        "| Analyser | Documents/s | Relative to ours in-process | Flagged for escalation "
        "| Flagged by it, not by us | Flagged by us, not by it |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {rate:,.0f} | {ratio:.3g} | {flagged} | {theirs_only} | {ours_only} |"
            for name, rate, ratio, flagged, theirs_only, ours_only in rows
        ),
        "",
        f"Through the protocol: one AnalyzeStack over all {protocol['analyze_stack_resources']} resources "
        f"took {protocol['analyze_stack_seconds']:.2f} s; PACK-ERROR findings: {protocol['pack_errors']}. "
        f"Timing: through the protocol, {protocol['timing']}; in-process, {in_process['timing']}; "
        + "; ".join(f"{name}, {tool['timing']}" for name, tool in tools.items())
        + f". This part of `make bench` took {section['seconds']:.0f} s.",
        "",
        f"For full administrator access the pack reports {FULL_ADMIN_FINDING} instead of an escalation path, "
        f"so these count as not flagged by us: {_names(protocol['full_admin'])}. In-process only: "
        f"{_names(in_process['flagged_not_through_protocol'])}; through the protocol only: "
        f"{_names(in_process['flagged_only_through_protocol'])}.",
        "",
    ]
    for name, tool in tools.items():
        lines += [
            f"## {name}",
            "",
            f"- Flagged by {name}, not by us ({len(tool['flagged_by_it_not_us'])}): "
            f"{_names(tool['flagged_by_it_not_us'])}",
            f"- Flagged by us, not by {name} ({len(tool['flagged_by_us_not_it'])}): "
            f"{_names(tool['flagged_by_us_not_it'])}",
            f"- Of those, never audited by {name} ({len(tool['flagged_by_us_not_it_unaudited'])}): "
            f"{_names(tool['flagged_by_us_not_it_unaudited'])}",
        ]
        if tool.get("not_analysed"):
            reasons = ", ".join(f"{issue} {count}" for issue, count in tool["not_analysed_reasons"].items())
            lines.append(
                f"- {name} rejected {len(tool['not_analysed'])} documents before its auditors ran, so it "
                f"could not flag them (documents with each of its findings: {reasons})"
            )
        if tool.get("errors"):
            lines.append(f"- {name} raised on: {_names(sorted(tool['errors']))}")
        lines.append("")
    return "\n".join(lines)
