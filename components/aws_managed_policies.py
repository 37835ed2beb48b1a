"""The AWS-managed policies the policy pack vendors, for checking the stack config's references.

The pack (policypack/) is a separate package, which the Pulumi CLI runs in its own virtualenv, so the
program cannot import `iam_guard`. Its `iam_guard/aws_managed.py` uses the standard library only and
is loaded here by file path: the program reads the same data file (`data/aws_managed_policies.tsv`,
with `data/retired_managed_policies.json`) and words a missing policy as the pack does.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iam_guard.aws_managed import ManagedPolicy

PACK_DIR = Path(__file__).resolve().parent.parent / "policypack"


def _load_pack_aws_managed() -> ModuleType:
    """The pack's `iam_guard/aws_managed.py`, loaded by path (see the module docstring)."""
    path = PACK_DIR / "iam_guard" / "aws_managed.py"
    spec = importlib.util.spec_from_file_location("iamtiers_pack_aws_managed", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: cannot be loaded; is the policy pack complete?")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as `import` does: its dataclass looks its module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_PACK_AWS_MANAGED = _load_pack_aws_managed()
# Whether an ARN is `arn:<partition>:iam::aws:policy/...`, i.e. names an AWS-managed policy.
is_aws_managed_arn: Callable[[str], bool] = _PACK_AWS_MANAGED.is_aws_managed_arn
# The AWS-managed policy at an ARN (any partition), or None when the vendored data has no such policy.
lookup: Callable[[str], ManagedPolicy | None] = _PACK_AWS_MANAGED.lookup
# Why an ARN names no AWS-managed policy, with the fix: the right path, the successor, or the closest name.
why_missing: Callable[[str], str] = _PACK_AWS_MANAGED.why_missing
