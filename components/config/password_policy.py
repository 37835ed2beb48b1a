"""`password_policy`: the account password policy (`PasswordPolicy`), CIS AWS Foundations by default."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from components.config.fields import _Strict


class PasswordPolicy(_Strict):
    """The account password policy; defaults are the CIS AWS Foundations profile."""

    enabled: bool = True
    minimum_length: Annotated[int, Field(ge=6, le=128)] = 14
    reuse_prevention: Annotated[int, Field(ge=1, le=24)] = 24
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    allow_users_to_change: bool = True
    max_age_days: Annotated[int, Field(ge=1, le=1095)] | None = None
    hard_expiry: bool = False
