"""Where a command's `--output` goes: stdout, or a file written whole or not at all."""

from __future__ import annotations

import sys
from pathlib import Path


def missing_directory(output: Path | None) -> str | None:
    """The error when `--output` names a file in a directory that does not exist; checked before any
    work, so nothing runs for a result that cannot be written."""
    if output is not None and not output.resolve().parent.is_dir():
        return f"--output {output}: directory {output.parent} does not exist"
    return None


def write_output(text: str, output: Path | None) -> None:
    """To stdout, or to `output` through a temporary file beside it: CI uploads whatever file it finds,
    and `pulumi stack import` must never read half a state."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    partial = output.with_name(f".{output.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(output)
