"""Ask a stack one access question: may this principal call this action on this resource?

The request carries what AWS would put in its context for that caller (its ARN and name, its tags,
MFA, the time, TLS), plus what the asker adds. A user is judged with their own and their groups'
policies; a tier as a session of its role; a group as a member of it alone. `who_can` also follows
each user's tier switches: user → group → `sts:AssumeRole` (judged with the role's trust) → tier.
There is one evaluator, the pack's (iam_guard/request_evaluation.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard
from offline.judging.principals import Subject, Subjects

# isort: split
from iam_guard.request_evaluation import (
    Decision,
    Evaluation,
    Request,
    evaluate_assume_role,
    evaluate_request,
    principal_context,
)
from iam_guard.request_evaluation import request_time as noon_utc

ASSUME_ROLE = "sts:AssumeRole"
MFA_AGE_SECONDS = "300"  # a session whose MFA was entered five minutes ago
ContextValue = str | tuple[str, ...]


class QuestionError(ValueError):
    """An access question that names no principal of the stack; the message says which exist."""


@dataclass(frozen=True)
class Answer:
    """The evaluator's verdict for one principal, and how the principal got there: directly, or
    (for `who-can`) through a tier it switched into."""

    subject: Subject
    evaluation: Evaluation
    via: tuple[str, ...] = ()  # e.g. ("group SOC_Admins", "tier SOC_Administrator")
    switch: Evaluation | None = None  # the sts:AssumeRole that reached the tier

    @property
    def allowed(self) -> bool:
        return self.evaluation.decision is Decision.ALLOWED


def describe_request(action: str, resource: str, mfa: bool, context: Mapping[str, ContextValue]) -> str:
    """`s3:PutObject on arn:aws:s3:::b/k with MFA, aws:SourceIp=10.0.0.1`: a question as reports word it."""
    extra = "".join(f", {key}={value}" for key, value in sorted(context.items()))
    return f"{action} on {resource} {'with' if mfa else 'without'} MFA{extra}"


def context_document(context: Mapping[str, ContextValue]) -> dict[str, str | list[str]]:
    """A request context as JSON: a multivalued key as a list."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in context.items()}


def request_time(today: datetime.date | None = None) -> datetime.datetime:
    """The moment a question is asked: noon UTC of `today` (default: the UTC date), as the pack
    judges its own requests (iam_guard.request_evaluation.request_time)."""
    return noon_utc(today or datetime.datetime.now(datetime.UTC).date())


def caller_context(
    subject: Subject, *, mfa: bool, when: datetime.datetime, extra: Mapping[str, ContextValue] | None = None
) -> dict[str, ContextValue]:
    """The request context AWS gives `subject`'s console or CLI session, then `extra` over it."""
    context: dict[str, ContextValue] = {
        **principal_context(subject.caller_arn),
        "aws:CurrentTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(when.timestamp())),
        "aws:SecureTransport": "true",
        # Console and role sessions carry the key, false without MFA.
        "aws:MultiFactorAuthPresent": "true" if mfa else "false",
    }
    if mfa:
        context["aws:MultiFactorAuthAge"] = MFA_AGE_SECONDS
    if subject.username is not None:
        context["aws:userid"] = f"AIDA{subject.username.upper()}"
    for key, value in subject.tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    context.update(extra or {})
    return context


def ask(
    subject: Subject,
    action: str,
    resource: str = "*",
    *,
    mfa: bool = True,
    when: datetime.datetime,
    extra: Mapping[str, ContextValue] | None = None,
    tiers: Mapping[str, Subject] | None = None,
) -> Evaluation:
    """The decision on `subject` calling `action` on `resource`; `sts:AssumeRole` on a tier's role
    (`tiers`, by role ARN) is judged with that role's trust policy too."""
    target = (tiers or {}).get(resource) if action.lower() == ASSUME_ROLE.lower() else None
    if target is not None and target.trust is not None:
        return switch_into(subject, target, mfa=mfa, when=when, extra=extra)
    request = Request(
        action, resource, subject.caller_arn, caller_context(subject, mfa=mfa, when=when, extra=extra)
    )
    return evaluate_request(subject.identity, request, boundary=subject.boundary)


def switch_into(
    subject: Subject,
    tier: Subject,
    *,
    mfa: bool,
    when: datetime.datetime,
    extra: Mapping[str, ContextValue] | None,
) -> Evaluation:
    """May `subject` assume `tier`'s role: its identity policies and the role's trust, together."""
    assert tier.trust is not None  # noqa: S101 - only tiers with a trust policy are offered
    request = Request(
        ASSUME_ROLE, tier.arn, subject.caller_arn, caller_context(subject, mfa=mfa, when=when, extra=extra)
    )
    return evaluate_assume_role(subject.identity, request, trust=tier.trust, boundary=subject.boundary)


def subject(subjects: Subjects, reference: str) -> Subject:
    """The principal `reference` names (`user/alice.nguyen`), or `QuestionError` listing the known ones."""
    found = subjects.by_reference.get(reference)
    if found is None:
        kind = reference.partition("/")[0]
        known = sorted(ref for ref in subjects.by_reference if ref.startswith(f"{kind}/")) or sorted(
            subjects.by_reference
        )
        raise QuestionError(
            f"no principal '{reference}' in this stack; write user/<name>, group/<name> or tier/<name>, "
            f"one of: {', '.join(known)}"
        )
    return found


def who_can(
    subjects: Subjects,
    action: str,
    resource: str = "*",
    *,
    mfa: bool = True,
    when: datetime.datetime,
    extra: Mapping[str, ContextValue] | None = None,
) -> list[Answer]:
    """Every user, group and tier allowed, each once per path: directly, or a user through a tier
    they may switch into (user → group → tier). Disabled users are left out: they hold no group."""
    answers: list[Answer] = []
    tiers = [tier for tier in subjects.of_kind("tier") if tier.trust is not None]
    tier_verdicts = {
        tier.reference: ask(tier, action, resource, mfa=mfa, when=when, extra=extra) for tier in tiers
    }
    for principal in sorted(subjects.by_reference.values(), key=lambda s: (s.kind, s.name)):
        if principal.disabled:
            continue
        direct = ask(principal, action, resource, mfa=mfa, when=when, extra=extra)
        if direct.decision is Decision.ALLOWED:
            answers.append(Answer(principal, direct))
        if principal.kind != "user":
            continue
        for tier in tiers:
            verdict = tier_verdicts[tier.reference]
            if verdict.decision is not Decision.ALLOWED:
                continue
            switch = switch_into(principal, tier, mfa=mfa, when=when, extra=extra)
            if switch.decision is Decision.ALLOWED:
                granting = sorted({s.policy.split(":", 1)[0] for s in switch.deciding if s.effect == "Allow"})
                via = (*(g for g in granting if not g.startswith("role ")), f"tier {tier.name}")
                answers.append(Answer(principal, verdict, via=tuple(via), switch=switch))
    return answers
