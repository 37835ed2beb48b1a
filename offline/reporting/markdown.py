"""The check as GitHub-flavoured Markdown, for a pull-request comment (docs/report-formats.md).

The verdict first, then one table per mode (mandatory findings first) under its counts, then the
access tests and the exemptions in force. Text from findings and config is escaped so that it renders
as written (offline/reporting/markdown_text.py): `|` would end a table cell, `<provider>` would vanish as
an HTML tag and a line break would end the table.
"""

from __future__ import annotations

from offline.judging.access_tests import AccessTestResult
from offline.reporting.check_report import (
    CheckReport,
    ExemptionInForce,
    Violation,
    access_tests_heading,
    override_line,
)
from offline.reporting.markdown_text import code, text_lines


def text_cell(value: str) -> str:
    """Prose as one table cell: Markdown punctuation escaped, line breaks kept as <br>."""
    return text_lines(value)


def code_cell(value: str) -> str:
    """An identifier in a code span, in a table cell (a `|` escaped: GFM splits cells on it even there)."""
    return code(value, cell=True)


def _violation_row(report: CheckReport, violation: Violation) -> str:
    kind = violation.resource_type.rsplit(":", 1)[-1]
    origin = violation.origin
    location = code_cell(f"{report.relative(origin.path)}:{origin.line}") if origin else ""
    cells = [
        f"**{violation.level}**" if violation.level == "mandatory" else violation.level,
        code_cell(violation.policy),
        code_cell(violation.finding_id) if violation.finding_id else "",
        f"{text_cell(kind)} {code_cell(violation.resource_name)}",
        text_cell(violation.message),
        text_cell(violation.fix),
        location,
    ]
    return f"| {' | '.join(cells)} |"


def _exemption_row(exemption: ExemptionInForce) -> str:
    cells = [
        code_cell(exemption.policy),
        code_cell(exemption.resource),
        text_cell(exemption.reason),
        text_cell(exemption.owner) if exemption.owner else "",
        exemption.expires.isoformat(),
    ]
    return f"| {' | '.join(cells)} |"


def _access_test_row(report: CheckReport, result: AccessTestResult) -> str:
    origin = report.access_test_origin(result)
    cells = [
        "ok" if result.passed else "**FAILED**",
        code_cell(result.request),
        text_cell(result.test.expect),
        result.evaluation.decision.value,
        text_cell("; ".join(s.label for s in result.evaluation.deciding) or "no statement allows it"),
        text_cell(result.test.why),
        code_cell(f"{report.relative(origin.path)}:{origin.line}"),
    ]
    return f"| {' | '.join(cells)} |"


def render_markdown(report: CheckReport) -> str:
    config = code(report.pack_config) if report.pack_config else "none (policy defaults)"
    lines = [
        f"## Policy check: stack {code(report.stack)}",
        "",
        f"**{report.verdict()}**",  # our own words, code spans meant
        "",
        f"Pack {code(report.pack_name)} {text_cell(report.pack_version)}, config {config}.",
    ]
    if report.today_override:
        lines += ["", f"**{text_cell(override_line(report))}.**"]
    for result in report.results:
        violations = report.violations(result)
        lines += [
            "",
            f"### {result.mode.capitalize()}: {len(result.mandatory)} mandatory, "
            f"{len(result.advisory)} advisory violation(s)",
            "",
        ]
        if not violations:
            lines.append("No violations.")
            continue
        lines += [
            "| Level | Policy | Finding | Resource | Message | Fix | Config line |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(_violation_row(report, violation) for violation in violations),
        ]
    if report.access_tests:
        lines += ["", f"### {access_tests_heading(report)}", ""]
        lines += [
            "| Result | Test | Expected | Decision | Decided by | Why | Config line |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(_access_test_row(report, result) for result in report.access_tests),
        ]
    lines += ["", f"### Exemptions in force on {report.today.isoformat()}: {len(report.exemptions)}", ""]
    if report.exemptions:
        lines += [
            "| Policy | Resource | Reason | Owner | Expires |",
            "| --- | --- | --- | --- | --- |",
            *(_exemption_row(exemption) for exemption in report.exemptions),
        ]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
