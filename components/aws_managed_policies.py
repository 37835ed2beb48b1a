"""The AWS-managed policies the policy pack vendors, for checking the stack config's references.

The pack (policypack/) is a separate package, which the Pulumi CLI runs in its own virtualenv, so the
program cannot import `iam_guard`. Its `iam_guard/aws_managed.py` uses the standard library only and
is loaded by file path (`components.pack_modules`): the program reads the same data file
(`data/aws_managed_policies.tsv`, with `data/retired_managed_policies.json`) and words a missing
policy as the pack does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from components.pack_modules import PACK_DIR, load_pack_module

if TYPE_CHECKING:
    from iam_guard.aws_managed import ManagedPolicy

_PACK_AWS_MANAGED = load_pack_module(PACK_DIR / "iam_guard" / "aws_managed.py")
# Whether an ARN is `arn:<partition>:iam::aws:policy/...`, i.e. names an AWS-managed policy.
is_aws_managed_arn: Callable[[str], bool] = _PACK_AWS_MANAGED.is_aws_managed_arn
# The AWS-managed policy at an ARN (any partition), or None when the vendored data has no such policy.
lookup: Callable[[str], ManagedPolicy | None] = _PACK_AWS_MANAGED.lookup
# Why an ARN names no AWS-managed policy, with the fix: the right path, the successor, or the closest name.
why_missing: Callable[[str], str] = _PACK_AWS_MANAGED.why_missing
