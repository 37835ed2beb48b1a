"""AWS-managed policy documents, parsed once per process for every rule that reads them."""

from __future__ import annotations

import json
from functools import lru_cache

from iam_guard import aws_managed
from iam_guard.documents import PolicyDocument, parse_policy


@lru_cache(maxsize=2048)
def aws_managed_document(path_and_name: str) -> PolicyDocument:
    """The parsed default document of an AWS-managed policy (retired actions in it grant nothing)."""
    policy = aws_managed.lookup(f"arn:aws:iam::aws:policy/{path_and_name}")
    if policy is None:
        raise KeyError(path_and_name)
    return parse_policy(json.loads(policy.document_text), lenient=True, aws_managed=True)
