"""The pack's registry holds together: policies, finding IDs, docs pages, README table and shipped configs.

Pure checks over the source tree and the imported `iam_guard` package; no pack process is started.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import iam_guard
import pytest
from iam_guard.findings import FINDINGS
from pulumi_policy import EnforcementLevel, Severity

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACK_DIR = PROJECT_DIR / "policypack"
RULES_DIR = PACK_DIR / "iam_guard" / "rules"
DOCS_DIR = PACK_DIR / "docs"
README = PACK_DIR / "README.md"
RULE_SUPPORT = PACK_DIR / "iam_guard" / "rule_support.py"
REQUEST_LIMITS = PACK_DIR / "iam_guard" / "request_limits.py"

POLICY_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FINDING_ID = re.compile(r"^(IAM|PACK)-[A-Z]+-\d{3}$")
RESERVED_NAMES = {"all"}  # the CLI's key for "every policy" in --policy-pack-config
LEVELS = {level.value for level in EnforcementLevel}

POLICIES: list[Any] = list(iam_guard.ALL_POLICIES)
NAMES: list[str] = [policy.name for policy in POLICIES]


def rule_modules() -> list[Path]:
    return sorted(path for path in RULES_DIR.glob("*.py") if path.name != "__init__.py")


def finding_ids_in(path: Path) -> set[str]:
    """Every string literal in the file that is exactly a finding ID."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and FINDING_ID.match(node.value)
    }


@cache
def module_of_policy() -> dict[str, Path]:
    """Policy name -> the rule module whose `POLICY` it is (found by identity, not by file name)."""
    found: dict[str, Path] = {}
    for path in rule_modules():
        module: ModuleType = importlib.import_module(f"iam_guard.rules.{path.stem}")
        policy = getattr(module, "POLICY", None)
        assert policy is not None, f"{path.name} defines no POLICY"
        found[policy.name] = path
    return found


def docs_page(name: str) -> Path:
    return DOCS_DIR / f"{name}.md"


def rules_table_names(readme: str) -> list[str]:
    """Policy names in the first column of the first table under the README's '## Rules' heading."""
    _, heading, section = readme.partition("\n## Rules")
    assert heading, "policypack/README.md has no '## Rules' section"
    lines = section.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    table: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    names: list[str] = []
    for row in table[2:]:  # after the header and the separator
        match = re.search(r"`([a-z0-9-]+)`", row.strip("|").split("|")[0])
        assert match, f"README rules table row without a policy name in backticks: {row}"
        names.append(match.group(1))
    return names


# --- the policies themselves ---------------------------------------------------------------------


def test_the_pack_has_policies_and_names_are_unique() -> None:
    assert len(POLICIES) >= 20
    duplicates = sorted({name for name in NAMES if NAMES.count(name) > 1})
    assert duplicates == []


@pytest.mark.parametrize("name", NAMES)
def test_name_is_kebab_case_and_not_reserved(name: str) -> None:
    assert POLICY_NAME.match(name), f"'{name}' is not kebab-case"
    assert name not in RESERVED_NAMES


@pytest.mark.parametrize("policy", POLICIES, ids=NAMES)
def test_policy_metadata_is_complete(policy: Any) -> None:
    assert isinstance(policy.description, str) and policy.description.strip()
    assert isinstance(policy.severity, Severity)
    assert isinstance(policy.enforcement_level, EnforcementLevel)
    assert policy.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
    assert isinstance(policy.remediation_steps, str) and policy.remediation_steps.strip()
    assert policy.url == f"policypack/docs/{policy.name}.md"
    assert (PROJECT_DIR / policy.url).is_file(), f"{policy.url} does not exist"


@pytest.mark.parametrize("policy", POLICIES, ids=NAMES)
def test_every_policy_takes_exemptions_with_reasons(policy: Any) -> None:
    exemptions = policy.config_schema.properties["exemptions"]
    assert exemptions["type"] == "array"
    assert exemptions["items"]["required"] == ["resource", "reason", "expires"]


def test_every_rule_module_is_registered_once() -> None:
    modules = module_of_policy()
    assert sorted(modules) == sorted(NAMES)
    assert len(modules) == len(rule_modules())


# --- finding IDs ---------------------------------------------------------------------------------


def test_every_finding_id_used_by_a_rule_is_defined() -> None:
    used = {(path.name, fid) for path in rule_modules() for fid in finding_ids_in(path)}
    undefined = sorted((module, fid) for module, fid in used if fid not in FINDINGS)
    assert undefined == []


def test_every_defined_finding_is_emitted_somewhere() -> None:
    used = set().union(*(finding_ids_in(path) for path in [*rule_modules(), RULE_SUPPORT, REQUEST_LIMITS]))
    assert sorted(set(FINDINGS) - used) == []


def test_findings_are_keyed_by_their_own_id_and_complete() -> None:
    for key, finding in FINDINGS.items():
        assert FINDING_ID.match(key), key
        assert finding.finding_id == key
        assert finding.title.strip() and finding.remediation.strip(), key


def test_pack_level_findings_come_from_rule_support_and_the_request_limits() -> None:
    assert finding_ids_in(RULE_SUPPORT) == {"PACK-CONFIG-001", "PACK-ERROR-001"}
    assert finding_ids_in(REQUEST_LIMITS) == {"PACK-INPUT-001", "PACK-ERROR-001"}


def test_pack_level_findings_are_documented_under_the_policy_that_reports_them() -> None:
    text = docs_page("iam-policy-document-valid").read_text()
    assert "PACK-INPUT-001" in text


# --- docs pages ----------------------------------------------------------------------------------


def test_docs_pages_match_the_policies_exactly() -> None:
    pages = sorted(path.stem for path in DOCS_DIR.glob("*.md"))
    assert pages == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_docs_page_names_every_finding_of_its_rule(name: str) -> None:
    ids = finding_ids_in(module_of_policy()[name])
    assert ids, f"rule {name} emits no finding ID"
    text = docs_page(name).read_text()
    assert sorted(fid for fid in ids if fid not in text) == []


@pytest.mark.parametrize("policy", POLICIES, ids=NAMES)
def test_docs_page_names_the_policy_and_its_config_keys(policy: Any) -> None:
    text = docs_page(policy.name).read_text()
    assert text.startswith(f"# `{policy.name}`")
    missing = sorted(key for key in policy.config_schema.properties if f"`{key}`" not in text)
    assert missing == []


# --- the pack entry point ------------------------------------------------------------------------


def test_pack_main_holds_only_imports_a_docstring_the_guards_and_the_policy_pack_call() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text())
    body = list(tree.body)
    docstring, rest = body[0], body[1:]
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(docstring.value.value, str)
    calls = [node for node in rest if not isinstance(node, (ast.Import, ast.ImportFrom))]
    shown = [ast.dump(n)[:60] for n in calls]
    assert len(calls) == 5, f"expected five statements besides imports, got {shown}"
    *guards, statement = calls
    # The guards go first: they must be in place before the pack starts serving.
    names = [
        g.value.func.id
        for g in guards
        if isinstance(g, ast.Expr) and isinstance(g.value, ast.Call) and isinstance(g.value.func, ast.Name)
    ]
    assert names == [
        "pin_pack_clock",
        "refuse_config_outside_schemas",
        "install_request_limits",
        "install_decoding_once",
    ]
    assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    call = statement.value
    assert isinstance(call.func, ast.Name) and call.func.id == "PolicyPack"
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    policies = keywords.get("policies")
    assert isinstance(policies, ast.Name) and policies.id == "ALL_POLICIES"


# --- README --------------------------------------------------------------------------------------


def test_readme_rules_table_lists_every_policy_in_registry_order() -> None:
    assert rules_table_names(README.read_text()) == NAMES


# --- shipped pack configs ------------------------------------------------------------------------

CONFIG_FILES = sorted((PACK_DIR / "config").glob("*.json"))


def test_configs_are_shipped() -> None:
    assert {path.stem for path in CONFIG_FILES} >= {"dev", "prod"}


@pytest.mark.parametrize("path", CONFIG_FILES, ids=[path.name for path in CONFIG_FILES])
def test_config_names_only_policies_and_their_declared_properties(path: Path) -> None:
    config = json.loads(path.read_text())
    assert isinstance(config, dict)
    schemas = {policy.name: policy.config_schema.properties for policy in POLICIES}
    problems: list[str] = []
    for key, value in config.items():
        if key not in schemas:
            problems.append(f"{key}: not a policy name")
            continue
        if isinstance(value, str):
            if value not in LEVELS:
                problems.append(f"{key}: '{value}' is not an enforcement level")
            continue
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a level or an object")
            continue
        level = value.get("enforcementLevel", "advisory")
        if level not in LEVELS:
            problems.append(f"{key}.enforcementLevel: '{level}' is not an enforcement level")
        problems += [
            f"{key}.{prop}: not declared in the policy's config_schema"
            for prop in value
            if prop != "enforcementLevel" and prop not in schemas[key]
        ]
    assert problems == []
