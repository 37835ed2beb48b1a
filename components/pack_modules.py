"""The policy pack's standard-library-only modules, loaded by file path.

The pack (policypack/) is its own package, which the Pulumi CLI runs from its own directory and
virtualenv, so neither the program nor the offline check imports `iam_guard`. The few pack modules they
share (the AWS-managed policy data, the config checker, the exemptions) use the standard library only,
and are loaded from their file here, once per process, so that both sides read and word things alike.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PACK_DIR = Path(__file__).resolve().parent.parent / "policypack"
_LOADED: dict[Path, ModuleType] = {}


def load_pack_module(path: Path) -> ModuleType:
    """The module at `path` (e.g. `<pack>/iam_guard/aws_managed.py`); raises ImportError when it
    cannot be loaded."""
    resolved = path.resolve()
    if resolved in _LOADED:
        return _LOADED[resolved]
    # One name per file, so that two packs' modules of the same name never meet in sys.modules.
    name = f"iamtiers_pack_{resolved.stem}_{hashlib.sha256(str(resolved).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ImportError(f"{resolved}: cannot be loaded; is the policy pack complete?")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before it runs, as `import` does: dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    _LOADED[resolved] = module
    return module
