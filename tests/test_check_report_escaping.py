"""Hostile strings in the check's data cannot change the shape of `iamtiers check --format markdown`,
and stay plain text in SARIF.

A `CheckReport` is built directly from its dataclasses (no stack run), with a hostile string in every
field that reaches the Markdown report (enumerated in `hostile_report`): what the stack file and pack
config choose, and what the pack reports about them. The Markdown is parsed with markdown-it-py
(tests/markdown_visibility.py) and must keep its headings and tables, show every finding, resource,
principal and reason exactly as written (line breaks as ⏎ in code, `<br>` between lines of prose),
and hold no heading, HTML, code block or comment of a hostile string's own.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from markdown_it.token import Token

from components.config.access_tests import AccessTest
from offline.judging.access_tests import AccessTestResult
from offline.judging.analyzer_client import Diagnostic
from offline.judging.gate import GateResult
from offline.reporting.check_report import (
    CheckReport,
    ExemptionInForce,
    PolicySummary,
    Violation,
    access_tests_heading,
    override_line,
)
from offline.reporting.markdown import render_markdown
from offline.reporting.origin_nodes import Traced as _Traced
from offline.reporting.origins import ConfigOrigin, ResourceOrigins
from offline.reporting.sarif import render_sarif
from tests.markdown_visibility import (
    HOSTILE,
    NASTY,
    assert_no_markup_of_its_own,
    code_spans,
    headings,
    parse,
    shown,
    shown_lines,
    table_rows,
    visible,
)

# isort: split
from iam_guard.request_evaluation import Decision, Evaluation
from iam_guard.statement_index import DecidingStatement

ROOT = Path("/nonexistent-iamtiers-repository")  # never resolved through a symlink
TODAY = date(2026, 6, 30)
EXPECTATIONS: tuple[Literal["allowed", "denied"], ...] = ("allowed", "denied")  # one fails, one passes
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def hostile_report(value: str, other: str) -> CheckReport:
    """A report with `value` or `other` in every field that reaches the Markdown report."""
    traced_urn = f"urn:pulumi:{value}::p::aws:iam/group:Group::{value}"
    stack_file = ROOT / f"Pulumi.{value}.yaml"
    origins = ResourceOrigins(
        stack_file,
        3,
        # A traced resource: its stack-file path (and config key) reach the location cell.
        {traced_urn: _Traced(ConfigOrigin(ROOT / f"{other}.yaml", 12, f"iamtiers:groups[{value}]"))},
    )
    diagnostics = (
        Diagnostic(
            policy_name=value,  # the policy
            description=other,  # the policy's description, which the finding starts with
            message=f"{other}\n[IAM-TEST-001] {value}: {other}. Fix: {value}",  # ID, message, fix
            urn=traced_urn,
            enforcement_level="mandatory",
            severity="high",
            resource_name=value,  # the resource (a config name)
            resource_type=f"aws:iam/{value}:{other}",  # its kind: what follows the last `:`
        ),
        Diagnostic(
            policy_name=other,
            message=value,  # a finding without an ID: the policy's remediation is the fix
            urn=f"urn:{other}",  # not traced: no config line
            enforcement_level="advisory",
            severity="low",
            resource_name=other,
            resource_type=value,
        ),
    )
    policies = (PolicySummary(other, value, "advisory", "low", other, "docs/policies/x.md"),)  # remediation
    results = (
        GateResult("preview", value, value, value, other, 2, diagnostics),
        GateResult("update", value, value, value, other, 2, diagnostics[:1]),
    )
    tests = tuple(
        AccessTestResult(
            index,
            # model_construct: the config model's validation is not what keeps the report whole.
            AccessTest.model_construct(
                principal=f"user/{value}",  # the principal
                action=f"s3:{other}",
                resource=value,
                mfa=False,
                context={value: other, "aws:PrincipalTag/x": (other, value)},  # context keys and values
                expect=expect,
                why=other,  # the test's description
            ),
            Evaluation(
                Decision.EXPLICITLY_DENIED,
                (DecidingStatement(policy=value, index=0, sid=other, effect="Deny"),),  # deciding statement
            ),
        )
        for index, expect in enumerate(EXPECTATIONS)
    )
    return CheckReport(
        project=value,
        stack=value,  # the heading's stack name
        stack_file=stack_file,
        source_root=ROOT,
        pack_name=value,  # the pack's name and version
        pack_version=other,
        pack_config=f"{other}.json",  # the pack config's path
        policies=policies,
        results=results,
        origins=origins,
        exemptions=(
            ExemptionInForce(value, other, value, other, TODAY),  # policy, resource, reason, owner
            ExemptionInForce(other, value, other, None, TODAY),
        ),
        today=TODAY,
        plan="",
        access_tests=tests,
        access_test_origins=(ConfigOrigin(ROOT / f"{value}.yaml", 40, "iamtiers:access_tests[0]"),),
        today_override=value,  # IAMTIERS_TODAY, as the report shows it
    )


def _cells(row: list[Token]) -> tuple[list[str], list[list[str]]]:
    return [visible(cell) for cell in row], [code_spans(cell) for cell in row]


def _violation_rows(report: CheckReport, violations: list[Violation], rows: list[list[Token]]) -> None:
    assert len(rows) == len(violations), "a row was added or swallowed"
    for violation, row in zip(violations, rows, strict=True):
        text, spans = _cells(row)
        kind = violation.resource_type.rsplit(":", 1)[-1]
        origin = violation.origin
        location = f"{report.relative(origin.path)}:{origin.line}" if origin else None
        assert text[0] == violation.level
        assert spans[1] == [shown(violation.policy)], "the policy"
        assert spans[2] == ([shown(violation.finding_id)] if violation.finding_id else [])
        shown_kind = shown_lines(kind) + " " if shown_lines(kind) else ""  # a cell is trimmed
        assert text[3] == shown_kind + shown(violation.resource_name), "the resource"
        assert spans[3] == [shown(violation.resource_name)]
        assert text[4] == shown_lines(violation.message), "the finding's message"
        assert text[5] == shown_lines(violation.fix), "the finding's fix"
        assert spans[6] == ([shown(location)] if location else [])


def check_markdown(report: CheckReport) -> None:
    tokens = parse(render_markdown(report))
    found = headings(tokens)
    [(tag, title)] = found[:1]
    assert (tag, code_spans(title)) == ("h2", [shown(report.stack)])
    assert visible(title) == f"Policy check: stack {shown(report.stack)}"
    sections = [
        *(
            f"{r.mode.capitalize()}: {len(r.mandatory)} mandatory, {len(r.advisory)} advisory violation(s)"
            for r in report.results
        ),
        access_tests_heading(report),
        f"Exemptions in force on {TODAY.isoformat()}: {len(report.exemptions)}",
    ]
    assert [(tag, inline.content) for tag, inline in found[1:]] == [("h3", s) for s in sections]

    paragraphs = [visible(tokens[i + 1]) for i, token in enumerate(tokens) if token.type == "paragraph_open"]
    pack = f"Pack {shown(report.pack_name)} {shown_lines(report.pack_version)}"
    assert paragraphs[:3] == [
        report.verdict().replace("`", ""),  # our own words, their code spans meant
        f"{pack}, config {shown(report.pack_config or '')}.",
        f"{shown_lines(override_line(report))}.",  # the clock override line
    ]

    tables = table_rows(tokens)
    assert len(tables) == len(report.results) + 2, "a table was added or swallowed"
    for result, rows in zip(report.results, tables, strict=False):
        _violation_rows(report, report.violations(result), rows)
    tests = tables[len(report.results)]
    assert len(tests) == len(report.access_tests)
    for test, row in zip(report.access_tests, tests, strict=True):
        text, spans = _cells(row)
        origin = report.access_test_origin(test)
        assert text[0] == ("ok" if test.passed else "FAILED")
        assert spans[1] == [shown(test.request)], "the principal and its request"
        labels = "; ".join(s.label for s in test.evaluation.deciding)
        assert text[4] == shown_lines(labels), "the deciding statements"
        assert text[5] == shown_lines(test.test.why), "the test's why"
        assert spans[6] == [shown(f"{report.relative(origin.path)}:{origin.line}")]
    exemptions = tables[-1]
    assert len(exemptions) == len(report.exemptions)
    for exemption, row in zip(report.exemptions, exemptions, strict=True):
        text, spans = _cells(row)
        assert (spans[0], spans[1]) == ([shown(exemption.policy)], [shown(exemption.resource)])
        assert text[2] == shown_lines(exemption.reason), "the exemption's reason"
        assert text[3] == (shown_lines(exemption.owner) if exemption.owner else ""), "its owner"
        assert text[4] == TODAY.isoformat()
    assert_no_markup_of_its_own(tokens, html_inline=frozenset({"<br>"}))


def test_the_reviewers_strings_keep_the_markdown_report_whole() -> None:
    for value in NASTY:
        check_markdown(hostile_report(value, NASTY[0]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE, other=HOSTILE)
def test_hostile_strings_in_every_field_keep_the_markdown_report_whole(value: str, other: str) -> None:
    check_markdown(hostile_report(value, other))


def _messages(node: Any) -> list[dict[str, Any]]:
    """Every SARIF `message` object in the log."""
    if isinstance(node, dict):
        own = [node["message"]] if isinstance(node.get("message"), dict) else []
        return own + [m for value in node.values() for m in _messages(value)]
    if isinstance(node, list):
        return [m for item in node for m in _messages(item)]
    return []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE, other=HOSTILE)
def test_hostile_strings_stay_plain_text_in_sarif(value: str, other: str) -> None:
    """SARIF messages are plain text (no `markdown`, which would need escaping) and say exactly what
    the pack said; the log stays valid SARIF; the one Markdown SARIF carries, a rule's help, is escaped."""
    import jsonschema

    report = hostile_report(value, other)
    log = json.loads(render_sarif(report, {}))
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    messages = _messages(log)
    assert messages and all(set(message) == {"text"} for message in messages), "a message.markdown"
    texts = {message["text"] for message in messages}
    for result in report.results:
        for violation in report.violations(result):
            assert violation.text in texts
    assert f"{report.failed_access_tests[0].request}: " in "".join(texts)
    [policy] = report.policies
    [rule] = [rule for rule in log["runs"][0]["tool"]["driver"]["rules"] if rule["id"] == policy.name]
    help_markdown = parse(rule["help"]["markdown"])
    assert_no_markup_of_its_own(help_markdown, html_inline=frozenset({"<br>"}))
    paragraphs = [visible(token) for token in help_markdown if token.type == "inline"]
    remediation = shown_lines(policy.remediation)
    assert paragraphs == [*([remediation] if remediation else []), "Rule documentation"]
