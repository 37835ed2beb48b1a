"""The checks of `identity_center` across its own lists and `role_tiers`, on raw values so that they
report alongside type errors: duplicate names and assignments, unknown users, groups, permission sets,
tiers and accounts (with "did you mean"), and the managed-policy quota once `from_tier` is resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from components.config.identity_center import DEFAULT_MANAGED_POLICY_QUOTA
from components.config.permission_sets import permission_set_name_problem

Suggest = Callable[[str, list[str]], str]
_ACCOUNT_ID = re.compile(r"^\d{12}$")
KEY = "identity_center"


def _list(raw: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = raw.get(key)
    return [(f"{KEY}.{key}[{i}]", item) for i, item in enumerate(value)] if isinstance(value, list) else []


def _mappings(raw: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    return [(path, item) for path, item in _list(raw, key) if isinstance(item, Mapping)]


def _duplicates(pairs: list[tuple[str, str]], kind: str) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for path, name in pairs:
        if name in seen:
            problems.append(f"{path}: duplicate {kind} '{name}' (also {seen[name]}); remove or rename one")
        seen.setdefault(name, path)
    return problems


def _set_name(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or entry.get("from_tier") or "")


def _permission_set_problems(
    raw: Mapping[str, Any], tiers: Mapping[str, Mapping[str, Any]], suggest: Suggest
) -> list[str]:
    quota = raw.get("managed_policy_quota", DEFAULT_MANAGED_POLICY_QUOTA)
    quota = quota if isinstance(quota, int) else DEFAULT_MANAGED_POLICY_QUOTA
    problems: list[str] = []
    for path, entry in _mappings(raw, "permission_sets"):
        tier_name = entry.get("from_tier")
        source: Mapping[str, Any] = entry
        if isinstance(tier_name, str):
            if tier_name not in tiers:
                problems.append(
                    f"{path}.from_tier: unknown role tier '{tier_name}'{suggest(tier_name, list(tiers))}"
                )
                continue
            source = tiers[tier_name]
            named = entry.get("name")
            problem = None if named else permission_set_name_problem(tier_name)
            if problem:
                problems.append(
                    f"{path}.from_tier: the tier's name becomes the set's, and {problem} with 'name'"
                )
        managed = source.get("managed_policies")
        customer = entry.get("customer_managed_policies")
        count = sum(len(value) for value in (managed, customer) if isinstance(value, list))
        if count > quota:
            where = f"role tier '{tier_name}'" if source is not entry else "this permission set"
            problems.append(
                f"{path}.managed_policies: {count} managed policies in {where} exceed the quota of "
                f"{quota} (IAM's per-role quota applies in every target account); merge some into "
                f"statements, or raise {KEY}.managed_policy_quota (at most 20) once every target "
                "account's IAM quota is raised"
            )
    return problems


def _account_problems(
    path: str, references: Any, accounts: Mapping[str, Any], own_id: str | None, suggest: Suggest
) -> list[str]:
    problems: list[str] = []
    known_ids = {str(value) for value in accounts.values()} | ({own_id} if own_id else set())
    for index, reference in enumerate(references if isinstance(references, list) else []):
        where = f"{path}.accounts[{index}]"
        text = str(reference)
        if text in accounts:
            continue
        if _ACCOUNT_ID.match(text):
            if accounts and text not in known_ids:
                problems.append(
                    f"{where}: unknown account '{text}'{suggest(text, sorted(known_ids))}; "
                    f"add it to {KEY}.accounts, or fix the id"
                )
            continue
        problems.append(
            f"{where}: unknown account '{text}'{suggest(text, list(accounts))}; write a 12-digit id "
            f"(quoted) or a name of {KEY}.accounts"
        )
    return problems


def _assignment_problems(raw: Mapping[str, Any], own_id: str | None, suggest: Suggest) -> list[str]:
    accounts_raw = raw.get("accounts")
    accounts: Mapping[str, Any] = accounts_raw if isinstance(accounts_raw, Mapping) else {}
    external = [str(name) for _, name in _list(raw, "external_groups")]
    groups = [str(g.get("name")) for _, g in _mappings(raw, "groups")] + external
    users = [str(u.get("user_name")) for _, u in _mappings(raw, "users")]
    sets = [_set_name(entry) for _, entry in _mappings(raw, "permission_sets")]
    problems: list[str] = []
    seen: dict[tuple[str, str, str, str], str] = {}
    for path, entry in _mappings(raw, "assignments"):
        kind, principal = ("group", entry.get("group")) if "group" in entry else ("user", entry.get("user"))
        if kind == "group" and isinstance(principal, str) and principal not in groups:
            problems.append(f"{path}.group: unknown group '{principal}'{suggest(principal, groups)}")
        # With an external IdP, users are looked up by user name; the stack only knows its own.
        if kind == "user" and isinstance(principal, str) and not external and principal not in users:
            problems.append(f"{path}.user: unknown user '{principal}'{suggest(principal, users)}")
        name = entry.get("permission_set")
        if isinstance(name, str) and name not in sets:
            problems.append(f"{path}.permission_set: unknown permission set '{name}'{suggest(name, sets)}")
        references = entry.get("accounts")
        problems.extend(_account_problems(path, references, accounts, own_id, suggest))
        for index, reference in enumerate(references if isinstance(references, list) else []):
            account = str(accounts.get(str(reference), reference))
            key = (kind, str(principal), str(name), account)
            where = f"{path}.accounts[{index}]"
            if key in seen:
                problems.append(
                    f"{where}: duplicate assignment of {kind} '{principal}' to permission set '{name}' "
                    f"in account {account} (also {seen[key]}); remove one"
                )
            seen.setdefault(key, where)
    return problems


def identity_center_problems(
    raw: Any, tiers: Mapping[str, Mapping[str, Any]], own_id: str | None, suggest: Suggest
) -> list[str]:
    """Every cross-reference problem of the raw `identity_center` value; `tiers` maps each role tier's
    name to its merged raw entry."""
    if not isinstance(raw, Mapping):
        return []
    users = [str(u.get("user_name")) for _, u in _mappings(raw, "users")]
    problems = [
        *_duplicates(
            [(f"{p}.user_name", str(u.get("user_name"))) for p, u in _mappings(raw, "users")], "user"
        ),
        *_duplicates([(f"{p}.name", str(g.get("name"))) for p, g in _mappings(raw, "groups")], "group"),
        *_duplicates([(p, str(name)) for p, name in _list(raw, "external_groups")], "external group"),
        *_duplicates(
            [(p, _set_name(e)) for p, e in _mappings(raw, "permission_sets") if _set_name(e)],
            "permission set",
        ),
    ]
    for path, group in _mappings(raw, "groups"):
        members = group.get("members")
        for index, member in enumerate(members if isinstance(members, list) else []):
            if str(member) not in users:
                problems.append(
                    f"{path}.members[{index}]: unknown user '{member}'{suggest(str(member), users)}"
                )
    problems.extend(_permission_set_problems(raw, tiers, suggest))
    problems.extend(_assignment_problems(raw, own_id, suggest))
    return problems
