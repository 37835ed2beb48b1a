"""`users`: the settings a user entry may inherit from `users.defaults` (`UserSettings`: console and
programmatic access, PGP key, path, tags) and a user (`User`): its email, groups and whether it is disabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from components.config.fields import Email, GroupName, IamPath, TagMap, UserName, _refuse, _Strict
from components.iam_limits import tag_value_problem


def _user_email_problem(email: str) -> str | None:
    # components/iam_user.py tags each user with its email, so it must be a valid tag value too.
    problem = tag_value_problem(email)
    return f"the email becomes the user's 'email' tag; {problem}" if problem else None


UserEmail = Annotated[Email, _refuse(_user_email_problem)]


# AWS accepts `keybase:<user>` or a base64-encoded public key (no armour lines).
_PGP_KEY = re.compile(r"^(keybase:[A-Za-z0-9_]{2,16}|[A-Za-z0-9+/]{100,}={0,2})$")


class UserSettings(_Strict):
    """What a user entry may inherit from `users.defaults`."""

    console_access: bool = True
    programmatic_access: bool = False
    pgp_key: str | None = None

    @field_validator("pgp_key")
    @classmethod
    def _pgp_key(cls, value: str | None) -> str | None:
        if value is not None and not _PGP_KEY.match(value.replace("\n", "")):
            raise ValueError(
                "expected 'keybase:<username>' or a base64-encoded PGP public key without the "
                "'-----BEGIN PGP PUBLIC KEY BLOCK-----' lines"
            )
        return value

    path: IamPath = "/"
    tags: TagMap = Field(default_factory=dict)


class User(UserSettings):
    name: UserName
    email: UserEmail | None = None
    groups: list[GroupName] = Field(default_factory=list)
    disabled: bool = False

    @model_validator(mode="after")
    def _credentials(self) -> User:
        if not self.disabled and not self.groups:
            raise ValueError(
                "user belongs to no group; add at least one group under 'groups' "
                "(permissions come only through groups)"
            )
        if self.console_access and self.programmatic_access:
            raise ValueError(
                "console users get no access key at creation (CIS 1.11); give automation its "
                "own user with console_access: false"
            )
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("a group is listed twice under 'groups'")
        return self


def unencrypted_credential_problems(
    entries: Sequence[tuple[str, Mapping[str, Any]]], namespace: str
) -> list[str]:
    """Under `require_pgp_key`, each enabled user that would get a password or access key kept only as
    a stack secret (no `pgp_key`), at its key path. Judged on the merged entries, so a `pgp_key` in
    `users.defaults` counts; a disabled user gets no credential and passes."""
    problems: list[str] = []
    for path, user in entries:
        if user.get("disabled") is True or user.get("pgp_key"):
            continue
        defaults = UserSettings.model_fields
        console = user.get("console_access", defaults["console_access"].default)
        programmatic = user.get("programmatic_access", defaults["programmatic_access"].default)
        what = [kind for kind, on in (("a console password", console), ("an access key", programmatic)) if on]
        if what:
            problems.append(
                f"{path}.pgp_key: user '{user.get('name')}' gets {' and '.join(what)} but has no pgp_key, "
                f"and {namespace}:require_pgp_key is true; set pgp_key to the person's base64 PGP public key "
                "or 'keybase:<username>' (or turn off console_access/programmatic_access)"
            )
    return problems
