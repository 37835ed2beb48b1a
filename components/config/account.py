"""`account`: the account the stack manages, by id, and its alias (managed unless turned off)."""

from __future__ import annotations

import re

from pydantic import field_validator

from components.config.fields import AccountId, _Strict

_ACCOUNT_ALIAS = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")


class Account(_Strict):
    id: AccountId
    alias: str | None = None
    manage_alias: bool = True

    @field_validator("alias")
    @classmethod
    def _alias(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT_ALIAS.match(value):
            raise ValueError(
                f"'{value}' is not an account alias (3-63 lower-case letters, digits or hyphens, "
                "not starting or ending with a hyphen)"
            )
        return value
