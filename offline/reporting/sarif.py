"""The check as SARIF 2.1.0, for GitHub code scanning (docs/report-formats.md, "SARIF").

One rule per policy of the pack; one result per distinct finding, placed on the stack-file line
the resource comes from (`offline.reporting.origins`). A finding that preview and update both report is one
result, its `properties.modes` naming both; findings that differ between the modes stay apart.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from offline.reporting.check_report import (
    CheckReport,
    PolicySummary,
    Violation,
    exemption_document,
    override_line,
)
from offline.reporting.markdown_text import text_lines
from offline.reporting.origins import ConfigOrigin

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT_ID = "%SRCROOT%"  # the repository root, as CodeQL names it; paths are relative to it
LEVELS = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
# GitHub ranks security alerts by `security-severity` (a CVSS-like score): critical > 9, high 7-8.9,
# medium 4-6.9, low below 4.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_GITHUB_ACTIONS_VARIABLES = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")


def help_uri(url: str, environ: Mapping[str, str]) -> str:
    """A policy's docs page: in GitHub Actions (where SARIF is uploaded) the file at the analysed
    commit, so that the link opens from the alert; elsewhere the path from the repository root."""
    server, repository, commit = (environ.get(k) for k in _GITHUB_ACTIONS_VARIABLES)
    if server and repository and commit:
        return f"{server.rstrip('/')}/{repository}/blob/{commit}/{url}"
    return url


def rule_name(policy: str) -> str:
    """SARIF's human-readable rule name: `no-full-admin-access` -> `NoFullAdminAccess`."""
    return "".join(part.capitalize() for part in policy.split("-"))


def _rule(policy: PolicySummary, environ: Mapping[str, str]) -> dict[str, Any]:
    docs = help_uri(policy.url, environ)
    properties: dict[str, Any] = {
        "tags": ["security", "iam"],
        "enforcementLevel": policy.enforcement_level,
        "severity": policy.severity,
    }
    if policy.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    return {
        "id": policy.name,
        "name": rule_name(policy.name),
        "shortDescription": {"text": policy.description},
        "fullDescription": {"text": policy.description},
        "helpUri": docs,
        "help": {
            "text": f"{policy.remediation}\n\nDocumentation: {docs}",
            # The pack's words, shown as written: SARIF viewers render `markdown` (results carry text only).
            "markdown": f"{text_lines(policy.remediation)}\n\n[Rule documentation]({docs})",
        },
        "defaultConfiguration": {
            "level": LEVELS.get(policy.enforcement_level, "warning"),
            "enabled": policy.enforcement_level != "disabled",
        },
        "properties": properties,
    }


def _result(
    report: CheckReport, violation: Violation, origin: ConfigOrigin, rule_index: dict[str, int]
) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": violation.policy}
    if violation.policy in rule_index:
        result["ruleIndex"] = rule_index[violation.policy]
    result |= {
        "level": LEVELS.get(violation.level, "warning"),
        "message": {"text": violation.text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": report.relative(origin.path), "uriBaseId": SOURCE_ROOT_ID},
                    "region": {"startLine": origin.line},
                },
                "logicalLocations": [
                    {"name": violation.resource_name, "fullyQualifiedName": violation.urn, "kind": "resource"}
                ],
            }
        ],
        "properties": {
            "modes": [violation.mode],
            "finding": violation.finding_id,
            "fix": violation.fix,
            "resourceType": violation.resource_type,
            "configKey": origin.key,
        },
    }
    return result


def _results(report: CheckReport, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    """One result per (rule, location, resource, message), whichever modes reported it."""
    merged: dict[tuple[str, str, int, str, str], dict[str, Any]] = {}
    for result in report.results:
        for violation in report.violations(result):
            origin = report.origins.placed(violation.origin)  # traced once, by `violations`
            key = (violation.policy, report.relative(origin.path), origin.line, violation.urn, violation.text)
            if key in merged:
                merged[key]["properties"]["modes"].append(violation.mode)
            else:
                merged[key] = _result(report, violation, origin, rule_index)

    def order(result: dict[str, Any]) -> tuple[bool, int, str, str]:
        line: int = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        return result["level"] != "error", line, result["ruleId"], result["message"]["text"]

    return sorted(merged.values(), key=order)


ACCESS_TEST_RULE = "access-test"
ACCESS_TEST_DOCS = "docs/access-tests.md"


def _access_test_rule(environ: Mapping[str, str]) -> dict[str, Any]:
    text = "A promise of the stack file's `iamtiers:access_tests` holds: the principal is allowed or denied."
    fix = "Change the stack so that the promise holds again, or the test if the promise changed."
    docs = help_uri(ACCESS_TEST_DOCS, environ)
    return {
        "id": ACCESS_TEST_RULE,
        "name": rule_name(ACCESS_TEST_RULE),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "helpUri": docs,
        "help": {"text": f"{fix}\n\nDocumentation: {docs}", "markdown": f"{fix}\n\n[Access tests]({docs})"},
        "defaultConfiguration": {"level": "error", "enabled": True},
        "properties": {"tags": ["security", "iam", "access-test"]},
    }


def _access_test_results(report: CheckReport, rule_index: int) -> list[dict[str, Any]]:
    """One error per failed access test, on the test's own line of the stack file."""
    results = []
    for failed in report.failed_access_tests:
        origin = report.access_test_origin(failed)
        results.append(
            {
                "ruleId": ACCESS_TEST_RULE,
                "ruleIndex": rule_index,
                "level": "error",
                "message": {"text": f"{failed.request}: {failed.outcome}. Why it matters: {failed.test.why}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": report.relative(origin.path),
                                "uriBaseId": SOURCE_ROOT_ID,
                            },
                            "region": {"startLine": origin.line},
                        },
                        "logicalLocations": [{"name": failed.test.principal, "kind": "principal"}],
                    }
                ],
                "properties": {
                    "configKey": origin.key,
                    "decision": failed.evaluation.decision.value,
                    "deciding": [statement.label for statement in failed.evaluation.deciding],
                },
            }
        )
    return results


def sarif_log(report: CheckReport, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The SARIF log as a value; `environ` (default: the process's) tells whether this is GitHub Actions."""
    environment = os.environ if environ is None else environ
    rules = [_rule(policy, environment) for policy in report.policies]
    if report.access_tests:
        rules.append(_access_test_rule(environment))
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    root = report.source_root.as_uri().rstrip("/") + "/"  # a base URI ends with a slash
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": report.pack_name,
                        "version": report.pack_version,
                        "rules": rules,
                    }
                },
                # GitHub keeps one set of alerts per category: one per stack.
                "automationDetails": {"id": f"{report.project}/{report.stack}/"},
                "originalUriBaseIds": {SOURCE_ROOT_ID: {"uri": root}},
                "invocations": [_invocation(report)],
                "results": [
                    *_access_test_results(report, rule_index.get(ACCESS_TEST_RULE, -1)),
                    *_results(report, rule_index),
                ],
                "properties": {
                    "project": report.project,
                    "stack": report.stack,
                    "packConfig": report.pack_config,
                    "today": report.today.isoformat(),
                    "todayOverride": report.today_override,
                    "exemptions": [exemption_document(exemption) for exemption in report.exemptions],
                },
            }
        ],
    }


def _invocation(report: CheckReport) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "exitCode": report.exit_code}
    if report.today_override:  # a replayed run says so where SARIF viewers show the invocation
        invocation["environmentVariables"] = {"IAMTIERS_TODAY": report.today_override}
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": override_line(report)}}
        ]
    return invocation


def render_sarif(report: CheckReport, environ: Mapping[str, str] | None = None) -> str:
    return json.dumps(sarif_log(report, environ), indent=2, ensure_ascii=False) + "\n"
