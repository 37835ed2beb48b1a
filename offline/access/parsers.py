"""The command-line arguments of `iamtiers can` and `iamtiers who-can` (offline/access/questions.py),
kept apart so that building the parser loads no IAM analysis."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_question_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], project_dir: Path
) -> None:
    """`can` and `who-can` on the command line."""
    can = commands.add_parser("can", help="may PRINCIPAL call ACTION on a resource? (exit 0 yes, 1 no)")
    can.add_argument("principal", help="user/<name>, group/<name> or tier/<name>")
    who = commands.add_parser("who-can", help="every user, group and tier allowed ACTION, and how")
    for parser in (can, who):
        parser.add_argument("action", help="one IAM action, e.g. s3:DeleteObject")
        parser.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
        parser.add_argument("--project-dir", type=Path, default=project_dir)
        parser.add_argument("--resource", default="*", help="the resource ARN (default: *)")
        mfa = parser.add_mutually_exclusive_group()
        mfa.add_argument(
            "--mfa", dest="mfa", action="store_true", default=True, help="signed in with MFA (default)"
        )
        mfa.add_argument("--no-mfa", dest="mfa", action="store_false", help="signed in without MFA")
        parser.add_argument(
            "--context",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a request context key, e.g. aws:SourceIp=203.0.113.7 (repeat; a,b,c for a multivalued key "
            "with --context 'aws:TagKeys=[a,b]')",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument("--debug", action="store_true", help="log at debug level (tracebacks)")
