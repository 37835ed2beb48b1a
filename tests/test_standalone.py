"""A clone stands alone: no project file reads anything beside the repository (`../shared` and the like)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Where code, build and CI files live; caches and the virtualenv are not the project's.
SCANNED = (
    *("README.md", "Makefile", ".ci", "__main__.py"),
    *("offline", "policypack", "components", "tests", "bench"),
)
SUFFIXES = {".py", ".md", ".json", ".yaml", ".yml", ".toml", ".txt", ".cfg", ""}
# `../<dir>` in a path string, or a pathlib walk up to the repository's parent.
OUTSIDE = re.compile(r"\.\./(?!\.)[\w.-]+/|PROJECT_DIR\.parent\b|parents\[\d+\]\s*/\s*\"\.\.\"")
SHARED = re.compile(r"\bparent\s*/\s*[\"']shared[\"']|[\"']\.\./shared\b|\.\./shared/")


def project_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = PROJECT_DIR / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        files += [
            p
            for p in candidates
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts and p != Path(__file__)
        ]
    return files


@pytest.mark.parametrize("path", project_files(), ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_file_reads_nothing_beside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    hits = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if SHARED.search(line) or OUTSIDE.search(line)
    ]
    assert hits == [], "a user's clone has nothing beside it; keep the data in the repository"
