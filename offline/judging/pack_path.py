"""Make the policy pack's package, `iam_guard`, importable here as the pack process imports it.

The pack is its own project (policypack/), run by the CLI from its own directory. The access report
reuses its analysis (model, evaluation, catalog, exemptions) rather than copying it, so that the
document and the pack never disagree about what a policy grants. Import this module before any
`iam_guard` import.
"""

from __future__ import annotations

import sys

from offline.judging.analyzer_client import PACK_DIR

if str(PACK_DIR) not in sys.path:
    sys.path.append(str(PACK_DIR))
