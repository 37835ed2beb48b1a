"""What one request to the pack computes once and every policy reads.

pulumi-policy calls each registered policy in turn with its own copy of the request's resources.
What does not depend on the policy (the stack model above all) is built once per request and shared,
inside the request only: the next request, preview or update, builds its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_scope: ContextVar[dict[str, Any] | None] = ContextVar("iamtiers_request_scope", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Share values built during one request (the handler runs every policy in this thread)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def in_request() -> bool:
    return _scope.get() is not None


def shared(key: str, build: Callable[[], T]) -> T:
    """The value built once in the current request; outside a request, built on every call."""
    scope = _scope.get()
    if scope is None:
        return build()
    if key not in scope:
        scope[key] = build()
    value: T = scope[key]
    return value
