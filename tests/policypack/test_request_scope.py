"""One stack model per request, shared by every stack policy, and never changed by reading it."""

from __future__ import annotations

import threading

from iam_guard import types
from iam_guard.request_scope import request_scope, shared
from iam_guard.stack_model import StackModel, StackResource


def test_a_value_is_built_once_per_request_and_again_for_the_next() -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    with request_scope():
        assert [shared("model", build) for _ in range(14)] == [1] * 14
    with request_scope():
        assert shared("model", build) == 2
    assert shared("model", build) == 3  # outside a request nothing is kept
    assert len(builds) == 3


def test_requests_in_other_threads_do_not_share() -> None:
    seen: dict[str, object] = {}

    def handle(name: str) -> None:
        with request_scope():
            seen[name] = shared("model", object)

    threads = [threading.Thread(target=handle, args=(name,)) for name in ("preview", "update")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["preview"] is not seen["update"]


def test_reading_a_principal_never_adds_one() -> None:
    group = StackResource(types.GROUP, "ops", "urn:ops", {"name": "ops"}, {})
    model = StackModel([group])
    before = dict(model.principals)
    outside = model.principal("group", "not-in-this-stack")
    assert outside.urn is None and not outside.documents
    assert model.principals == before


def test_permissions_are_evaluated_once_per_principal() -> None:
    group = StackResource(types.GROUP, "ops", "urn:ops", {"name": "ops"}, {})
    model = StackModel([group])
    ops = model.principal("group", "ops")
    assert model.permissions(ops) is model.permissions(ops)
