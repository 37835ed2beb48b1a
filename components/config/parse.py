"""`parse_stack_config`: the project's raw config keys to a validated `StackConfig`, or one
`ConfigError` listing every problem; with the checks across keys (duplicate names, unknown groups and
tiers, tiers that do not trust this account) and the placing of each problem at its key, and at its file
and line when the key came from a collection file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from components.config.access_tests import access_test_reference_problems
from components.config.break_glass_checks import break_glass_problems
from components.config.defaults_merge import _COLLECTIONS, _split_collection
from components.config.fields import CONFIG_NAMESPACE, CollectionFile, ConfigError
from components.config.identity_center_refs import identity_center_problems
from components.config.stack import StackConfig
from components.config.users import unencrypted_credential_problems
from components.config.wording import _validation_problems


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(sorted(known)) or 'none'})"


def _names(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [str(entry.get("name", "")) for _, entry in entries]


def _cross_reference(
    entries: dict[str, list[tuple[str, dict[str, Any]]]],
    raw: Mapping[str, Any],
    namespace: str,
    files: Mapping[str, CollectionFile],
    prior: list[str],
) -> list[str]:
    """Duplicate names and dangling references, judged on the merged entries.

    Works on raw values so that it reports alongside type errors, not after them; `prior` holds those,
    so that a misnamed user, group or tier is not reported again at every access test naming it.
    """
    problems: list[str] = []
    for kind, pairs in entries.items():
        seen: dict[str, str] = {}
        for path, entry in pairs:
            name = str(entry.get("name", ""))
            key = name.strip().lower()  # as the model reads it: surrounding whitespace is dropped
            if key and key in seen:
                problems.append(
                    f"{path}.name: duplicate {kind} name '{name}' (also {seen[key]}; "
                    "IAM names are case-insensitive and surrounding spaces are dropped)"
                )
            seen.setdefault(key, path)
    tiers = {str(entry.get("name")): (path, entry) for path, entry in entries["role tier"]}
    tier_names = list(tiers)
    tiers_by_name = {name: entry for name, (_, entry) in tiers.items()}
    account_raw = raw.get("account")
    account: Mapping[str, Any] = account_raw if isinstance(account_raw, Mapping) else {}
    for path, group in entries["group"]:
        references = group.get("assumable_tiers") or []
        for index, reference in enumerate(references if isinstance(references, list) else []):
            where = f"{path}.assumable_tiers[{index}]"
            if isinstance(reference, Mapping):
                if str(reference.get("account_id")) == str(account.get("id")):
                    problems.append(
                        f"{where}: tier of this account; name it directly as '{reference.get('tier')}'"
                    )
                continue
            if not isinstance(reference, str):
                continue
            if reference not in tiers:
                problems.append(f"{where}: unknown role tier '{reference}'{_suggest(reference, tier_names)}")
                continue
            tier_path, tier = tiers[reference]
            if tier.get("create_role") is False:
                problems.append(
                    f"{where}: tier '{reference}' has create_role: false (offered only as a permission "
                    f"set), so there is no role to switch into; set {namespace}:{tier_path}.create_role: "
                    "true or remove the reference"
                )
                continue
            trust = tier.get("trust")
            if not (isinstance(trust, Mapping) and trust.get("this_account") is True):
                tiers_file = files.get("role_tiers")
                in_file = f" in {tiers_file.where(tier_path.partition('.')[2])}" if tiers_file else ""
                problems.append(
                    f"{where}: tier '{reference}' does not trust this account's users; "
                    f"set {namespace}:{tier_path}.trust.this_account: true{in_file}"
                )
    problems.extend(_unoffered_tiers(raw, tiers, namespace))
    group_names = _names(entries["group"])
    for path, user in entries["user"]:
        memberships = user.get("groups") or []
        for index, name in enumerate(memberships if isinstance(memberships, list) else []):
            if isinstance(name, str) and name not in group_names:
                problems.append(
                    f"{path}.groups[{index}]: unknown group '{name}'{_suggest(name, group_names)}"
                )
    names = {
        "user": _names(entries["user"]),
        "group": group_names,
        "tier": tier_names,
    }
    # A user, group or tier whose own name is wrong is reported once, at its name, not again at
    # every access test that names it correctly.
    misnamed = any(
        re.match(r"^(users|groups|role_tiers)\.items\[\d+\]\.name: ", problem) for problem in prior
    )
    if not misnamed:
        problems.extend(access_test_reference_problems(raw.get("access_tests"), names, _suggest))
    own_id = str(account["id"]) if "id" in account else None
    problems.extend(identity_center_problems(raw.get("identity_center"), tiers_by_name, own_id, _suggest))
    if raw.get("require_pgp_key") is True:
        problems.extend(unencrypted_credential_problems(entries["user"], namespace))
    if account.get("manage_alias", True) and not account.get("alias") and "id" in account:
        problems.append(
            "account.alias: required while account.manage_alias is true; set it or turn manage_alias off"
        )
    return problems


def parse_stack_config(
    raw: Mapping[str, Any],
    namespace: str = CONFIG_NAMESPACE,
    files: Mapping[str, CollectionFile] | None = None,
) -> StackConfig:
    """Validate the project's config keys (without namespace) into a `StackConfig`.

    Raises `ConfigError` listing every problem, each with its key path as `pulumi config set --path`
    spells it (`iamtiers:users.items[3].name`) and the fix. `files` names the collections whose
    `{defaults, items}` came from a collection file (`users` -> people/dev-users.yaml): a problem in
    one starts with that file and line (`people/dev-users.yaml:14: iamtiers:users.items[3].name: ...`).
    """
    files = files or {}
    problems: list[str] = []
    document: dict[str, Any] = {k: v for k, v in raw.items() if k not in _COLLECTIONS}
    entries: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, kind in (("groups", "group"), ("role_tiers", "role tier"), ("users", "user")):
        entries[kind] = _split_collection(key, raw.get(key), problems)
        document[key] = [entry for _, entry in entries[kind]]
    paths = {kind: [path for path, _ in pairs] for kind, pairs in entries.items()}
    config: StackConfig | None = None
    try:
        config = StackConfig.model_validate(document)
    except ValidationError as error:
        problems.extend(_rewrite_item_path(p, paths) for p in _validation_problems("", error, StackConfig))
    problems.extend(_cross_reference(entries, raw, namespace, files, problems))
    if config is not None:
        problems.extend(break_glass_problems(config, namespace))
    if problems or config is None:
        raise ConfigError([_placed(problem, namespace, files) for problem in problems])
    return config


def _placed(problem: str, namespace: str, files: Mapping[str, CollectionFile]) -> str:
    """A problem with its namespace, and the file and line first when its key came from a file."""
    location = problem.split(": ", 1)[0]
    for key, file in files.items():
        if location == key or location.startswith((f"{key}.", f"{key}[")):
            return f"{file.where(location[len(key) :].lstrip('.'))}: {namespace}:{problem}"
    return f"{namespace}:{problem}"


def _rewrite_item_path(problem: str, paths: dict[str, list[str]]) -> str:
    """Map `groups[2]...` (index into merged entries) back to `groups.items[2]...`."""
    match = re.match(r"^(groups|role_tiers|users)\[(\d+)\]", problem)
    if not match:
        return problem
    kind = {"groups": "group", "role_tiers": "role tier", "users": "user"}[match.group(1)]
    return paths[kind][int(match.group(2))] + problem[match.end() :]


def _unoffered_tiers(
    raw: Mapping[str, Any], tiers: Mapping[str, tuple[str, Mapping[str, Any]]], namespace: str
) -> list[str]:
    """A tier without a role must be offered as a permission set, or it grants nothing anywhere."""
    center = raw.get("identity_center")
    sets = center.get("permission_sets") if isinstance(center, Mapping) else None
    entries = sets if isinstance(sets, list) else []
    offered = {entry.get("from_tier") for entry in entries if isinstance(entry, Mapping)}
    return [
        f"{namespace}:{path}.create_role: false, and no identity_center.permission_sets entry offers "
        f"tier '{name}' (from_tier); offer it there, set create_role: true, or remove the tier"
        for name, (path, tier) in tiers.items()
        if tier.get("create_role") is False and name not in offered
    ]
