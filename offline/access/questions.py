"""`iamtiers can` and `iamtiers who-can`: one action on one resource, asked of a stack's update-mode run.

`can` judges one principal and prints ALLOWED or DENIED (explicit|implicit) with the statements that
decided and their stack-file lines; it exits 0 when allowed, 1 when denied, 2 on bad input. `who-can`
lists every user, group and tier allowed and the path by which each is (user → group → tier switch).
Both speak JSON with `--format json`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config.access_tests import request_resource_problem, single_action_problem
from offline.judging.access_tests import AccessTestError, implicit_denial
from offline.judging.analyzer_client import PACK_DIR
from offline.judging.principals import Subject, Subjects, subjects_of
from offline.judging.requests import (
    Answer,
    ContextValue,
    QuestionError,
    ask,
    context_document,
    describe_request,
    request_time,
    subject,
    who_can,
)
from offline.reporting.check_report import ReportError, exemptions_in_force
from offline.reporting.origins import ResourceOrigins, trace_origins
from offline.running.engine import ProgramError, run_stack
from offline.running.stack_files import StackFileError, load_stack_config_nodes, load_stack_settings

# isort: split
from iam_guard.request_evaluation import DecidingStatement, Decision, Evaluation

logger = logging.getLogger(__name__)
VERDICTS = {
    Decision.ALLOWED: "ALLOWED",
    Decision.EXPLICITLY_DENIED: "DENIED (explicit)",
    Decision.IMPLICITLY_DENIED: "DENIED (implicit)",
}


class InputError(ValueError):
    """A question the stack cannot answer as asked; the message names the argument and the fix."""


@dataclass(frozen=True)
class AskedStack:
    subjects: Subjects
    origins: ResourceOrigins
    project_dir: Path


def parse_context(pairs: list[str]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or ":" not in key:
            raise InputError(
                f"--context {pair!r}: write KEY=VALUE with a namespaced key, e.g. aws:SourceIp=10.0.0.1"
            )
        if value.startswith("[") and value.endswith("]"):
            context[key.strip()] = tuple(item.strip() for item in value[1:-1].split(",") if item.strip())
        else:
            context[key.strip()] = value
    return context


def _checked(action: str, resource: str) -> None:
    for argument, problem in (
        ("ACTION", single_action_problem(action)),
        ("--resource", request_resource_problem(resource)),
    ):
        if problem:
            raise InputError(f"{argument}: {problem}")


def load_stack(stack: str, project_dir: Path) -> AskedStack:
    """The update-mode run of `stack`, its principals and the stack-file line of each resource."""
    settings = load_stack_settings(project_dir, stack)
    run = run_stack(project_dir, stack, preview=False)
    nodes = load_stack_config_nodes(project_dir, stack, settings.project)
    return AskedStack(subjects_of(run, settings.account_id), trace_origins(nodes, [run]), project_dir)


def _where(asked: AskedStack, principal: Subject, statement: DecidingStatement) -> str | None:
    urn = principal.policy_sources.get(statement.policy)
    origin = asked.origins.of(urn, statement.sid or "") if urn else None
    if origin is None:
        return None
    path = origin.path.resolve()
    root = asked.project_dir.resolve()
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return f"{shown}:{origin.line}"


def _statements(asked: AskedStack, principal: Subject, evaluation: Evaluation) -> list[dict[str, Any]]:
    return [
        {
            "statement": statement.label,
            "policy": statement.policy,
            "index": statement.index,
            "sid": statement.sid,
            "effect": statement.effect,
            "location": _where(asked, principal, statement),
        }
        for statement in evaluation.deciding
    ]


def _statement_lines(asked: AskedStack, principal: Subject, evaluation: Evaluation) -> list[str]:
    lines = []
    for entry in _statements(asked, principal, evaluation):
        verb = "denied by" if entry["effect"] == "Deny" else "allowed by"
        where = f"  ({entry['location']})" if entry["location"] else ""
        lines.append(f"  {verb} {entry['statement']}{where}")
    if evaluation.decision is Decision.IMPLICITLY_DENIED:
        lines.append(f"  {implicit_denial(evaluation)}")
    return lines


def answer_can(
    asked: AskedStack, args: argparse.Namespace, context: dict[str, ContextValue], when: datetime.datetime
) -> tuple[str, int]:
    principal = subject(asked.subjects, args.principal)
    evaluation = ask(
        principal,
        args.action,
        args.resource,
        mfa=args.mfa,
        when=when,
        extra=context,
        tiers=asked.subjects.tiers_by_arn(),
    )
    code = 0 if evaluation.decision is Decision.ALLOWED else 1
    if args.format == "json":
        document = {
            "stack": args.stack,
            "principal": principal.reference,
            "caller": principal.caller_arn,
            "action": args.action,
            "resource": args.resource,
            "mfa": args.mfa,
            "context": context_document(context),
            "decision": evaluation.decision.value,
            "missing": evaluation.missing,
            "deciding": _statements(asked, principal, evaluation),
        }
        return json.dumps(document, indent=2) + "\n", code
    question = describe_request(args.action, args.resource, args.mfa, context)
    head = f"{VERDICTS[evaluation.decision]}  {principal.reference}  {question}"
    return "\n".join([head, *_statement_lines(asked, principal, evaluation)]) + "\n", code


def _path(answer: Answer) -> str:
    """How the principal is allowed: its tier switch, the groups whose statements allow it, or its
    own policies by name."""
    if answer.via:
        return " → ".join(answer.via)
    kind = "role" if answer.subject.kind == "tier" else answer.subject.kind
    own = f"{kind} {answer.subject.arn.rsplit('/', 1)[-1]}"
    holders: dict[str, set[str]] = {}
    for statement in answer.evaluation.deciding:
        if statement.effect == "Allow":
            holder, _, policy = statement.policy.partition(": ")
            holders.setdefault(holder, set()).add(policy)
    groups = [holder for holder in sorted(holders) if holder != own]
    if groups:
        return ", ".join(groups)
    return "its own " + ", ".join(sorted(holders.get(own, set()))) if own in holders else "its own policies"


def answer_who_can(
    asked: AskedStack, args: argparse.Namespace, context: dict[str, ContextValue], when: datetime.datetime
) -> str:
    answers = who_can(asked.subjects, args.action, args.resource, mfa=args.mfa, when=when, extra=context)
    question = describe_request(args.action, args.resource, args.mfa, context)
    if args.format == "json":
        document = {
            "stack": args.stack,
            "action": args.action,
            "resource": args.resource,
            "mfa": args.mfa,
            "context": context_document(context),
            "allowed": [
                {
                    "principal": a.subject.reference,
                    "via": list(a.via),
                    "deciding": _statements(asked, a.subject, a.evaluation),
                }
                for a in answers
            ],
        }
        return json.dumps(document, indent=2) + "\n"
    lines = [f"Who can {question} in stack {args.stack}: {len(answers)}"]
    width = max((len(a.subject.reference) for a in answers), default=0)
    for a in answers:
        lines.append(f"  {a.subject.reference:<{width}}  via {_path(a)}")
    return "\n".join(lines) + "\n"


def run_question(args: argparse.Namespace) -> int:
    """`can` (0 allowed, 1 denied) or `who-can` (0); 2 with one `error:` line on bad input."""
    try:
        context = parse_context(args.context)
        _checked(args.action, args.resource)
        asked = load_stack(args.stack, args.project_dir)
        today, _ = exemptions_in_force(PACK_DIR, {})  # the pack's clock: IAMTIERS_TODAY when set
        when = request_time(today)
        if args.command == "can":
            text, code = answer_can(asked, args, context, when)
        else:
            text, code = answer_who_can(asked, args, context, when), 0
    except (InputError, QuestionError, AccessTestError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ProgramError, StackFileError, ReportError) as error:
        print(f"error: stack '{args.stack}': {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a question that could not be answered must not look like "denied" (1)
        logger.debug("the question failed unexpectedly", exc_info=True)
        print(f"error: could not answer: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return code
