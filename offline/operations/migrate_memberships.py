"""`iamtiers migrate-memberships`: take the old per-user group memberships out of a stack's state.

Up to this version every User component registered an `aws.iam.UserGroupMembership`; now each Group
registers one exclusive `aws.iam.GroupMembership` for all its members. Left in the state, the old
resources would be deleted by the first `pulumi up` of this version, after the new memberships were
created, and deleting one calls RemoveUserFromGroup: every user would silently lose their groups.
Taken out of the state first, they are forgotten, not deleted (the memberships stay in AWS, and the
new GroupMemberships adopt them: adding a user to a group they are in changes nothing):

    pulumi stack export | iamtiers migrate-memberships | pulumi stack import

It reads the `pulumi stack export` document (a version 3 deployment) on stdin or from `--input`, and
writes it to stdout or `--output` without every `UserGroupMembership` whose parent is a User
component (`iamtiers:index:User`), the removed URNs also taken out of the other resources'
`dependencies`, `propertyDependencies` and `deletedWith`; everything else is written as it was read.
stderr says how many were removed. A UserGroupMembership outside a User component (written by hand)
stays. Running it again removes nothing. Exit 0 on success, also with nothing to remove; exit 2,
with one `error:` line and nothing written, on input it cannot use: among others a key twice in one
object (a reader keeps only one of them, so resources would vanish), `NaN` or `Infinity` (not JSON:
`pulumi stack import` cannot read them back) and a closed stdin.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.iam_user import TYPE_TOKEN as USER_TYPE
from offline.reporting.output_file import missing_directory, write_output

logger = logging.getLogger(__name__)

USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
DEPLOYMENT_VERSION = 3  # what `pulumi stack export` writes (apitype.DeploymentSchemaVersionCurrent)
USAGE = "pulumi stack export | iamtiers migrate-memberships | pulumi stack import"


class MigrationError(Exception):
    """The input is not a stack export this migration can rewrite; the message says why."""


@dataclass(frozen=True)
class Migration:
    export: dict[str, Any]  # the rewritten `pulumi stack export` document
    # The URN of each removed resource, in state order (twice for one also pending deletion).
    removed: tuple[str, ...]


def _urn_type(urn: str) -> str:
    """A resource's own type from its URN: `urn:pulumi:s::p::parent$type::name` -> `type`."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _resources(export: Any) -> list[dict[str, Any]]:
    """The deployment's resources, after checking the document's shape."""
    if not isinstance(export, dict) or "deployment" not in export:
        raise MigrationError(
            "not a `pulumi stack export` document: expected a JSON object with 'version' and 'deployment'"
        )
    version = export.get("version")
    if version != DEPLOYMENT_VERSION:
        raise MigrationError(
            f"stack export version {version!r}: this migration reads version {DEPLOYMENT_VERSION}, what "
            "`pulumi stack export` writes; export the stack again with the Pulumi CLI"
        )
    deployment = export["deployment"]
    if not isinstance(deployment, dict):
        raise MigrationError("'deployment' is not a JSON object")
    resources = deployment.get("resources", [])  # a stack with no resources has none
    if not isinstance(resources, list):
        raise MigrationError("'deployment.resources' is not a list")
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            raise MigrationError(f"deployment.resources[{index}] is not a JSON object")
        for key in ("urn", "type"):
            if not isinstance(resource.get(key), str) or not resource[key]:
                raise MigrationError(f"deployment.resources[{index}]: '{key}' is missing or not a string")
    return resources


def _is_old_membership(resource: dict[str, Any], types_by_urn: dict[str, str]) -> bool:
    parent = resource.get("parent")
    if resource["type"] != USER_GROUP_MEMBERSHIP or not isinstance(parent, str):
        return False
    return types_by_urn.get(parent, _urn_type(parent)) == USER_TYPE


def _without(urns: Any, removed: set[str]) -> Any:
    return [urn for urn in urns if urn not in removed] if isinstance(urns, list) else urns


def _unlinked(resource: dict[str, Any], removed: set[str], index: int) -> dict[str, Any]:
    """The resource with the removed URNs taken out of what it depends on."""
    if resource.get("parent") in removed:
        raise MigrationError(
            f"deployment.resources[{index}] ({resource['urn']}) is a child of {resource['parent']}; "
            "no program of this project parents a resource to a membership, so this state is not "
            "one this migration knows: remove that resource first (`pulumi state delete`)"
        )
    result = dict(resource)
    if "dependencies" in result:
        result["dependencies"] = _without(result["dependencies"], removed)
    if isinstance(result.get("propertyDependencies"), dict):
        result["propertyDependencies"] = {
            key: _without(urns, removed) for key, urns in result["propertyDependencies"].items()
        }
    if result.get("deletedWith") in removed:
        del result["deletedWith"]
    return result


def migrate(export: Any) -> Migration:
    """`export` without the UserGroupMemberships of User components; raise `MigrationError` when it
    is not a version 3 stack export, or when one of them is in the middle of an operation."""
    resources = _resources(export)
    types_by_urn = {resource["urn"]: resource["type"] for resource in resources}
    removed_order = [r["urn"] for r in resources if _is_old_membership(r, types_by_urn)]
    removed = set(removed_order)
    deployment = export["deployment"]
    operations = deployment.get("pending_operations") or []
    if not isinstance(operations, list):
        raise MigrationError("'deployment.pending_operations' is not a list")
    for operation in operations:
        resource = operation.get("resource") if isinstance(operation, dict) else None
        urn = resource.get("urn") if isinstance(resource, dict) else None
        if urn in removed:
            raise MigrationError(
                f"the state has a pending '{operation.get('type')}' operation on {urn} (an update was "
                "interrupted); resolve it first (`pulumi refresh`, or `pulumi cancel` if it is still "
                "running), then export the stack again"
            )
    if not removed:
        return Migration(export, ())
    kept = [
        _unlinked(resource, removed, index)
        for index, resource in enumerate(resources)
        if resource["urn"] not in removed
    ]
    return Migration({**export, "deployment": {**deployment, "resources": kept}}, tuple(removed_order))


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`migrate-memberships`, registered on the `iamtiers` command line."""
    parser = commands.add_parser(
        "migrate-memberships",
        help="remove the User components' UserGroupMemberships from a `pulumi stack export` "
        "(run once, before the first `pulumi up` of this version)",
        description=f"Usage: {USAGE}",
    )
    parser.add_argument("--input", type=Path, help="read the export from this file instead of stdin")
    parser.add_argument("--output", type=Path, help="write the new export to this file instead of stdout")
    parser.add_argument("--debug", action="store_true", help="log at debug level (tracebacks)")


class _Duplicated(dict[str, Any]):
    """A JSON object that had a key twice: `json.loads` keeps the last value, so it is refused."""

    def __init__(self, pairs: list[tuple[str, Any]], key: str) -> None:
        super().__init__(pairs)
        self.duplicate = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook`: a plain dict, or a `_Duplicated` naming the first key seen twice."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _Duplicated(pairs, key)
        seen.add(key)
    return dict(pairs)


def _refuse_constant(name: str) -> Any:
    """`parse_constant`: Python's reader accepts NaN and Infinity, which are not JSON."""
    raise MigrationError(
        f"'{name}' is not a JSON value, and `pulumi stack import` cannot read it back; export the stack "
        "again with `pulumi stack export` (or replace it by hand with a number or a string)"
    )


def _first_duplicate(value: Any, path: str = "") -> tuple[str, str] | None:
    """(the duplicate key, its JSON path) of the first object with a key twice, in document order."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:  # iterative: a deep document must not exhaust the recursion limit
        node, where = stack.pop()
        if isinstance(node, _Duplicated):
            return node.duplicate, f"{where}.{node.duplicate}" if where else node.duplicate
        if isinstance(node, dict):
            children = [(child, f"{where}.{key}" if where else key) for key, child in node.items()]
        elif isinstance(node, list):
            children = [(child, f"{where}[{index}]") for index, child in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))
    return None


def _parse(text: str, shown: str) -> Any:
    """The JSON document of `text`; refused: invalid JSON, NaN/Infinity, a key twice in one object."""
    try:
        document = json.loads(text, object_pairs_hook=_object, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise MigrationError(f"{shown}: not valid JSON: {error}") from None
    except MigrationError as error:
        raise MigrationError(f"{shown}: {error}") from None
    duplicate = _first_duplicate(document)
    if duplicate is not None:
        key, path = duplicate
        raise MigrationError(
            f"{shown}: duplicate key '{key}' at {path}: an object holds it twice, and only one could be "
            "kept without losing the other; export the stack again with `pulumi stack export` (or merge "
            "the two by hand)"
        )
    return document


def _read(path: Path | None) -> Any:
    if path is None:
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise MigrationError(f"stdin is closed; pipe the stack export in or pass --input FILE: {USAGE}")
        if sys.stdin.isatty():
            raise MigrationError(f"reads the stack export on stdin or from --input FILE: {USAGE}")
        text, shown = sys.stdin.read(), "stdin"
    else:
        try:
            text, shown = path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise MigrationError(f"--input {path}: file not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise MigrationError(f"--input {path}: cannot be read: {error}") from None
    if not text.strip():
        raise MigrationError(f"{shown} is empty; expected the output of `pulumi stack export`")
    return _parse(text, shown)


def run_migration(args: argparse.Namespace) -> int:
    """Run `migrate-memberships`: 0 written, 2 refused (an `error:` line on stderr, nothing written)."""
    output: Path | None = args.output
    try:
        if (problem := missing_directory(output)) is not None:
            raise MigrationError(problem)
        migration = migrate(_read(args.input))
        write_output(json.dumps(migration.export, indent=4, ensure_ascii=False) + "\n", output)
    except MigrationError as error:
        print(f"error: migrate-memberships: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # never a traceback: the state is at stake, say what happened
        logger.debug("the migration failed unexpectedly", exc_info=True)
        print(f"error: migrate-memberships: could not run: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    for urn in migration.removed:
        logger.info("removed %s", urn)
    count = len(migration.removed)
    if count:
        print(
            f"removed {count} UserGroupMembership resource(s) of User components from the state (the "
            "memberships stay in AWS); import it with `pulumi stack import` before the first `pulumi up` "
            "of this version",
            file=sys.stderr,
        )
    else:
        print(
            "removed 0 resources: the state holds no UserGroupMembership of a User component (already "
            "migrated, or never deployed with them); the export is written unchanged",
            file=sys.stderr,
        )
    return 0
