"""Realistic organisation-sized stacks for the scale benchmark (`make bench`), deterministic per seed.

An identity account of a company of N people: departments of teams, one IAM group per ~20 people
and one role tier per ~50 (capped), each group holding a mix of AWS-managed policies (real names
from the vendored data) and scoped inline statements and assuming its department's tiers; a few
programmatic users (access key, no console) in automation groups, a few contractors with tags, a
few PGP keys, a few offboarded users; every person with an e-mail and a department path. The
monitoring baseline is the one of an account under Control Tower (organization trail, recorder).
Every generated stack passes the pack with no mandatory finding (tests/test_bench_generator.py).

`write_project` lays it out as a project directory for `python -m offline check`: `Pulumi.yaml`,
`__main__.py`, `components/` and `policypack/` linked from this project, `Pulumi.scale-<N>.yaml`,
and the pack config `pack-config.json` (the break-glass tier is the admin tier; the audit account
is trusted). The people live in `people/scale-<N>-users.yaml`, which the stack file names
(`iamtiers:users: {file: ...}`, the file form), and so do the groups and the role tiers (at 5,000
people they alone pass the limit); `file_form=False` writes them all inline instead, which
outgrows the 128 KiB the CLI gives the whole config in one environment variable at ~800 people.

    python bench/generate_stack.py --people 1000 --out /tmp/scale-1000 [--inline]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # run as a script: the project's own packages

from components.config_variable import (  # noqa: E402
    COLLECTION_KEYS,
    config_value_text,
    config_variable_size,
)

SIZES = (100, 500, 1000, 2000, 5000)
SEED = 20261130
PROJECT = "iamtiers"
ACCOUNT_ID = "444455556666"
AUDIT_ACCOUNT_ID = "777788889999"
ACCOUNT_ALIAS = "acme-identity"
BREAK_GLASS_TIER = "BreakGlass"
AUDIT_TIER = "Audit"
PEOPLE_PER_GROUP = 20
PEOPLE_PER_TIER = 50
GROUPS_CAP = 250  # IAM allows 300 groups per account
TIERS_CAP = 60
LINKED = ("Pulumi.yaml", "__main__.py", "components", "policypack")
PACK_CONFIG_FILE = "pack-config.json"
PEOPLE_DIR = "people"

# (path and tier prefix, share of the people, teams); the shares add up to 1.
DEPARTMENTS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("eng", 0.45, ("platform", "payments", "search", "mobile", "web", "identity", "infra", "ml")),
    ("data", 0.10, ("analytics", "warehouse", "science")),
    ("sec", 0.05, ("soc", "appsec")),
    ("ops", 0.08, ("sre", "network", "release")),
    ("support", 0.10, ("tier1", "tier2")),
    ("sales", 0.08, ("emea", "amer", "apac")),
    ("finance", 0.06, ("billing", "fpa")),
    ("marketing", 0.04, ("web", "growth")),
    ("people", 0.02, ("talent",)),
    ("legal", 0.02, ("privacy",)),
)
# AWS-managed policies a team of each department reads with; all are in the pack's vendored data.
DEPARTMENT_POLICIES: dict[str, tuple[str, ...]] = {
    "eng": (
        "CloudWatchReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonEC2ReadOnlyAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "AWSLambda_ReadOnlyAccess",
        "AmazonSQSReadOnlyAccess",
        "AmazonRDSReadOnlyAccess",
        "AWSXrayReadOnlyAccess",
    ),
    "data": (
        "AmazonS3ReadOnlyAccess",
        "AmazonAthenaFullAccess",
        "AmazonRedshiftReadOnlyAccess",
        # Not AWSGlueConsoleFullAccess: glue:UpdateDevEndpoint on every endpoint takes over their roles
        # (the pack's no-compute-takeover), and a benchmark organisation passes the check.
        "AWSGlueSchemaRegistryReadonlyAccess",
        "CloudWatchReadOnlyAccess",
    ),
    "sec": (
        "SecurityAudit",
        "job-function/ViewOnlyAccess",
        "AWSCloudTrail_ReadOnlyAccess",
        "IAMReadOnlyAccess",
    ),
    "ops": (
        "ReadOnlyAccess",
        "CloudWatchReadOnlyAccess",
        "AmazonRoute53ReadOnlyAccess",
        "AWSHealthFullAccess",
    ),
    "support": ("job-function/ViewOnlyAccess", "CloudWatchReadOnlyAccess", "AWSSupportAccess"),
    "sales": ("AmazonS3ReadOnlyAccess", "AWSBillingReadOnlyAccess"),
    "finance": ("AWSBillingReadOnlyAccess", "job-function/Billing", "AWSBudgetsReadOnlyAccess"),
    "marketing": ("AmazonS3ReadOnlyAccess", "CloudWatchReadOnlyAccess"),
    "people": ("AmazonS3ReadOnlyAccess",),
    "legal": ("AmazonS3ReadOnlyAccess", "job-function/ViewOnlyAccess"),
}
# Role-tier kinds, in the order a department gains them: (suffix, managed policies, statement kinds).
TIER_KINDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ReadOnly", ("job-function/ViewOnlyAccess", "CloudWatchReadOnlyAccess"), ()),
    ("Operator", ("AmazonEC2ReadOnlyAccess",), ("start-stop-instances", "alarms")),
    ("Deployer", ("AWSLambda_ReadOnlyAccess",), ("deploy-functions", "artifacts")),
    ("DataAccess", ("AmazonS3ReadOnlyAccess",), ("team-data",)),
)
FIRST_NAMES = (
    "ada", "ahmed", "aiko", "alice", "amara", "ana", "andrei", "bashir", "bianca", "carlos", "chen",
    "dana", "dmitri", "elif", "emma", "farah", "femi", "gina", "hana", "ines", "ivan", "jamal", "jia",
    "kofi", "lars", "leila", "lucas", "maria", "mei", "nadia", "noah", "olga", "omar", "priya", "rahul",
    "sara", "sofia", "tariq", "yuki", "zoe",
)  # fmt: skip
LAST_NAMES = (
    "abe", "adeyemi", "bauer", "costa", "diaz", "dubois", "eriksen", "fischer", "garcia", "haddad",
    "ito", "ivanova", "jensen", "kim", "khan", "kowalski", "larsen", "lopez", "moreau", "mueller",
    "nguyen", "novak", "okafor", "oliveira", "patel", "petrov", "quinn", "rossi", "santos", "schmidt",
    "silva", "singh", "tanaka", "torres", "wang", "weber", "wolfe", "wright", "yilmaz", "zhang",
)  # fmt: skip


def stack_name(people: int) -> str:
    return f"scale-{people}"


def group_count(people: int) -> int:
    """One group per ~20 people, at least one per department and one for automation, at most GROUPS_CAP."""
    return max(len(DEPARTMENTS) + 1, min(GROUPS_CAP, round(people / PEOPLE_PER_GROUP)))


def tier_count(people: int) -> int:
    """One tier per ~50 people (the break-glass and audit tiers included), at least 3, at most TIERS_CAP."""
    return max(3, min(TIERS_CAP, round(people / PEOPLE_PER_TIER)))


def _shares(total: int, weights: Sequence[float]) -> list[int]:
    """`total` (at least one per weight) split by `weights`, each part at least one, by largest remainder."""
    exact = [total * weight for weight in weights]
    parts = [max(1, int(value)) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    index = 0
    while sum(parts) < total:
        parts[order[index % len(order)]] += 1
        index += 1
    while sum(parts) > total:
        parts[max(range(len(parts)), key=lambda i: parts[i])] -= 1
    return parts


@dataclass(frozen=True)
class _Team:
    department: str
    name: str  # the group name, e.g. eng-payments-2
    resource: str  # the team's resource prefix, e.g. acme-eng-payments-2


def _statement(kind: str, team: _Team, rng: random.Random) -> dict[str, Any]:
    """One scoped inline statement of `kind` for `team`: named actions on the team's own resources."""
    prefix, account = team.resource, ACCOUNT_ID
    region = rng.choice(("eu-west-1", "us-east-1"))
    if kind == "team-data":
        return {
            "sid": "TeamData",
            "actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
            "resources": [f"arn:aws:s3:::{prefix}-data", f"arn:aws:s3:::{prefix}-data/*"],
        }
    if kind == "tables":
        return {
            "sid": "TeamTables",
            "actions": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
            "resources": [f"arn:aws:dynamodb:{region}:{account}:table/{prefix}-*"],
        }
    if kind == "queues":
        return {
            "sid": "TeamQueues",
            "actions": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
            "resources": [f"arn:aws:sqs:{region}:{account}:{prefix}-*"],
        }
    if kind == "logs":
        return {
            "sid": "TeamLogs",
            "actions": ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"],
            "resources": [f"arn:aws:logs:{region}:{account}:log-group:/{prefix}/*"],
        }
    if kind == "start-stop-instances":
        return {
            "sid": "StartStopTeamInstances",
            "actions": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
            "resources": [f"arn:aws:ec2:*:{account}:instance/*"],
            "conditions": {"StringEquals": {"aws:ResourceTag/team": team.name}},
        }
    if kind == "alarms":
        return {
            "sid": "ManageTeamAlarms",
            "actions": ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState"],
            "resources": [f"arn:aws:cloudwatch:*:{account}:alarm:{prefix}-*"],
        }
    if kind == "deploy-functions":
        return {
            "sid": "DeployTeamFunctions",
            "actions": ["lambda:UpdateFunctionCode", "lambda:PublishVersion", "lambda:UpdateAlias"],
            "resources": [f"arn:aws:lambda:*:{account}:function:{prefix}-*"],
        }
    if kind == "artifacts":
        return {
            "sid": "PublishArtifacts",
            "actions": ["s3:PutObject", "s3:GetObject"],
            "resources": [f"arn:aws:s3:::{prefix}-artifacts/*"],
        }
    if kind == "metrics":
        return {
            "sid": "PublishMetrics",
            "actions": ["cloudwatch:PutMetricData"],
            "resources": ["*"],
            "conditions": {"StringEquals": {"cloudwatch:namespace": f"Acme/{team.name}"}},
        }
    raise ValueError(f"unknown statement kind {kind!r}")


_GROUP_STATEMENTS = ("team-data", "tables", "queues", "logs")


def _tiers(people: int, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The role tiers, and the tier names of each department (its groups may assume them)."""
    items: list[dict[str, Any]] = [
        {
            "name": BREAK_GLASS_TIER,
            "description": "Break-glass administration for the security team; fresh MFA only",
            "max_mfa_age_seconds": 900,
            "managed_policies": ["AdministratorAccess"],
        },
        {
            "name": AUDIT_TIER,
            "description": "Read-only view for the audit account",
            "trust": {"accounts": [AUDIT_ACCOUNT_ID]},
            "managed_policies": ["SecurityAudit", "job-function/ViewOnlyAccess"],
        },
    ]
    by_department: dict[str, list[str]] = {department: [] for department, _, _ in DEPARTMENTS}
    departmental = tier_count(people) - len(items)
    # Departments take tier kinds in turn, the largest first, so every department has a ReadOnly tier
    # before any has an Operator, and so on.
    order = sorted(DEPARTMENTS, key=lambda entry: -entry[1])
    slot = 0
    while slot < departmental:
        department, _, _ = order[slot % len(order)]
        suffix, managed, statements = TIER_KINDS[len(by_department[department]) % len(TIER_KINDS)]
        rank = len(by_department[department]) // len(TIER_KINDS)
        name = f"{department}-{suffix}" + (f"-{rank + 1}" if rank else "")
        team = _Team(department, name, f"acme-{department}")
        item: dict[str, Any] = {"name": name, "managed_policies": list(managed)}
        if statements:
            item["statements"] = [_statement(kind, team, rng) for kind in statements]
        items.append(item)
        by_department[department].append(name)
        slot += 1
    defaults = {
        "require_mfa": True,
        "max_mfa_age_seconds": 3600,
        "max_session_duration_seconds": 3600,
        "trust": {"this_account": True},
    }
    return [defaults, *items], by_department


def _teams(people: int) -> tuple[list[_Team], list[_Team]]:
    """The people teams and the automation teams (one per ~10 groups, at least one)."""
    total = group_count(people)
    automation = max(1, total // 10)
    per_department = _shares(total - automation, [share for _, share, _ in DEPARTMENTS])
    teams: list[_Team] = []
    for (department, _, names), count in zip(DEPARTMENTS, per_department, strict=True):
        for index in range(count):
            base = names[index % len(names)]
            rank = index // len(names)
            name = f"{department}-{base}" + (f"-{rank + 1}" if rank else "")
            teams.append(_Team(department, name, f"acme-{name}"))
    automation_departments = [department for department, _, _ in DEPARTMENTS[:automation]]
    machines = [
        _Team(
            automation_departments[index % len(automation_departments)],
            f"automation-{index + 1}",
            f"acme-automation-{index + 1}",
        )
        for index in range(automation)
    ]
    return teams, machines


def _groups(
    teams: list[_Team], machines: list[_Team], tiers: dict[str, list[str]], rng: random.Random
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for team in teams:
        pool = DEPARTMENT_POLICIES[team.department]
        managed = rng.sample(pool, k=rng.randint(1, min(3, len(pool))))
        kinds = rng.sample(_GROUP_STATEMENTS, k=rng.randint(1, 2))
        item: dict[str, Any] = {
            "name": team.name,
            "managed_policies": sorted(managed),
            "statements": [_statement(kind, team, rng) for kind in kinds],
        }
        assumable = tiers[team.department]
        if team.department == "sec":
            assumable = [*assumable, BREAK_GLASS_TIER]
        if assumable:
            item["assumable_tiers"] = rng.sample(assumable, k=rng.randint(1, min(3, len(assumable))))
        items.append(item)
    for machine in machines:
        items.append(
            {
                "name": machine.name,
                "description": "Machine users with access keys; they never sign in",
                "enforce_mfa": False,
                "self_service_credentials": False,
                "statements": [_statement(kind, machine, rng) for kind in ("metrics", "artifacts")],
            }
        )
    return [{"enforce_mfa": True, "self_service_credentials": True, "path": "/teams/"}, *items]


def _users(
    people: int, teams: list[_Team], machines: list[_Team], rng: random.Random
) -> list[dict[str, Any]]:
    """`people` users: ~4% programmatic (in automation groups), the rest people in their teams."""
    programmatic = max(2, round(people * 0.04))
    humans = people - programmatic
    by_department: dict[str, list[_Team]] = {}
    for team in teams:
        by_department.setdefault(team.department, []).append(team)
    per_department = _shares(humans, [share for _, share, _ in DEPARTMENTS])
    taken: set[str] = set()
    items: list[dict[str, Any]] = []
    for (department, _, _), count in zip(DEPARTMENTS, per_department, strict=True):
        department_teams = by_department[department]
        for index in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name, suffix = f"{first}.{last}", 1
            while name in taken:
                suffix += 1
                name = f"{first}.{last}{suffix}"
            taken.add(name)
            groups = [department_teams[index % len(department_teams)].name]
            if len(department_teams) > 1 and rng.random() < 0.2:  # works with a second team
                other = rng.choice([t.name for t in department_teams if t.name != groups[0]])
                groups.append(other)
            item: dict[str, Any] = {
                "name": name,
                "email": f"{name}@example.com",
                "path": f"/{department}/",
                "groups": groups,
            }
            draw = rng.random()
            if draw < 0.08:
                item["tags"] = {"employment": "contractor"}
            elif draw < 0.18:
                item["pgp_key"] = f"keybase:{first}_{last}"[: len("keybase:") + 16]  # handles: 2-16
            elif draw < 0.19:
                item["disabled"] = True
            items.append(item)
    for index in range(programmatic):
        machine = machines[index % len(machines)]
        items.append(
            {
                "name": f"svc-{machine.name}-{index + 1}",
                "path": "/automation/",
                "console_access": False,
                "programmatic_access": True,
                "groups": [machine.name],
                "tags": {"owner": machine.department},
            }
        )
    return items


def stack_config(people: int, *, seed: int = SEED) -> dict[str, Any]:
    """The `config:` mapping of the `people`-person stack (people inline), the same for the same seed."""
    if people < 20:
        raise ValueError(f"people: {people} is too few for an organisation; use at least 20")
    rng = random.Random(f"{seed}:{people}")  # noqa: S311 - reproducible test data, no secret
    tier_items, tiers_by_department = _tiers(people, rng)
    teams, machines = _teams(people)
    group_items = _groups(teams, machines, tiers_by_department, rng)
    users = _users(people, teams, machines, rng)
    return {
        "aws:region": "eu-west-1",
        f"{PROJECT}:account": {"id": ACCOUNT_ID, "alias": ACCOUNT_ALIAS},
        f"{PROJECT}:groups": {"defaults": group_items[0], "items": group_items[1:]},
        f"{PROJECT}:role_tiers": {"defaults": tier_items[0], "items": tier_items[1:]},
        f"{PROJECT}:users": {
            "defaults": {"console_access": True, "tags": {"company": "acme"}},
            "items": users,
        },
        f"{PROJECT}:monitoring": {
            # An account under Control Tower: the organization trail and recorder already exist.
            "cloudtrail": {"enabled": False},
            "alarms": {
                "existing_log_group_name": "aws-controltower/CloudTrailLogs",
                "emails": ["security-alerts@example.com"],
            },
            "config_rules": {"create_recorder": False},
        },
    }


def pack_config() -> dict[str, Any]:
    """The pack config of every generated stack: the break-glass tier is the admin tier."""
    admin = {"admin_tiers": [BREAK_GLASS_TIER]}
    return {
        "no-full-admin-access": admin,
        "no-privileged-managed-policy": admin,
        "no-privilege-escalation": admin,
        "no-privilege-escalation-across-policies": admin,
        "no-compute-takeover": admin,
        "no-service-wildcard": admin,
        "risky-actions-unconstrained": admin,
        "password-policy": {"profile": "CIS"},
        "role-trust-safe": {"trusted_accounts": [ACCOUNT_ID, AUDIT_ACCOUNT_ID]},
    }


@dataclass(frozen=True)
class GeneratedStack:
    """A generated project directory, ready for `python -m offline check`."""

    people: int
    stack: str
    project_dir: Path
    pack_config: Path
    file_form: bool
    groups: int
    tiers: int
    programmatic_users: int
    stack_file_bytes: int
    collection_file_bytes: int  # users, groups and role tiers in their files (0 inline)
    config_variable_bytes: int  # PULUMI_CONFIG=... as the CLI sets it for the program and the pack

    def check_command(self, python: str = sys.executable) -> list[str]:
        """`python -m offline check` for this stack, its report as JSON in the project dir."""
        return [
            python,
            "-m",
            "offline",
            "check",
            "--stack",
            self.stack,
            "--project-dir",
            str(self.project_dir),
            "--pack-config",
            str(self.pack_config),
            "--format",
            "json",
            "--output",
            str(self.project_dir / "report.json"),
        ]


def replace_link(target: Path, link: Path) -> None:
    """`link` -> `target`, whatever was at `link` before."""
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target, target_is_directory=target.is_dir())


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120)


def write_project(
    directory: Path, people: int, *, seed: int = SEED, file_form: bool = True
) -> GeneratedStack:
    """Write the `people`-person stack as a project directory `directory` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        replace_link(PROJECT_DIR / name, directory / name)
    stack = stack_name(people)
    config = stack_config(people, seed=seed)
    users = config[f"{PROJECT}:users"]
    collection_file_bytes = 0
    written = dict(config)
    if file_form:
        (directory / PEOPLE_DIR).mkdir(exist_ok=True)
        for key in COLLECTION_KEYS:  # each in people/<stack>-<key>.yaml in the file form
            relative = f"{PEOPLE_DIR}/{stack}-{key.replace('_', '-')}.yaml"
            text = _yaml(config[f"{PROJECT}:{key}"])
            (directory / relative).write_text(text)
            collection_file_bytes += len(text.encode())
            written[f"{PROJECT}:{key}"] = {"file": relative}
    header = f"# Generated by bench/generate_stack.py: {people} people, seed {seed}. Do not edit.\n"
    stack_text = header + _yaml({"config": written})
    (directory / f"Pulumi.{stack}.yaml").write_text(stack_text)
    pack_config_path = directory / PACK_CONFIG_FILE
    pack_config_path.write_text(json.dumps(pack_config(), indent=2) + "\n")
    return GeneratedStack(
        people=people,
        stack=stack,
        project_dir=directory,
        pack_config=pack_config_path,
        file_form=file_form,
        groups=len(config[f"{PROJECT}:groups"]["items"]),
        tiers=len(config[f"{PROJECT}:role_tiers"]["items"]),
        programmatic_users=sum(1 for user in users["items"] if user.get("programmatic_access")),
        stack_file_bytes=len(stack_text.encode()),
        collection_file_bytes=collection_file_bytes,
        config_variable_bytes=config_variable_size({key: config_value_text(v) for key, v in written.items()}),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, required=True, help=f"how many people (the bench uses {SIZES})")
    parser.add_argument("--out", type=Path, required=True, help="the project directory to write")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--inline", action="store_true", help="people in the stack file, not in people/")
    args = parser.parse_args(argv)
    generated = write_project(args.out, args.people, seed=args.seed, file_form=not args.inline)
    print(" ".join(generated.check_command()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
