"""pulumi-policy's per-policy decoding, answered once per request by content, and only inside one."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from iam_guard.decoded_properties import install_decoding_once
from iam_guard.request_scope import request_scope

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PATCHED = ("json_format", "deserialize_properties", "unknown_checking_proxy")


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """pulumi-policy's servicer module, restored after the test."""
    module = importlib.import_module("pulumi_policy.policy")
    for name in PATCHED:
        monkeypatch.setattr(module, name, getattr(module, name))
    yield module


def _message(properties: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(properties)
    return message


def _decode(sdk: ModuleType, message: struct_pb2.Struct) -> Any:
    """What the servicer does per policy with a resource's properties."""
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(message)))


def test_the_pinned_pulumi_policy_is_covered(sdk: ModuleType) -> None:
    originals = {name: getattr(sdk, name) for name in PATCHED}
    assert install_decoding_once()
    assert all(getattr(sdk, name) is not originals[name] for name in PATCHED)


def test_in_a_request_equal_properties_are_decoded_once(sdk: ModuleType) -> None:
    install_decoding_once()
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    group_policy = {"group": "ops", "policy": policy}
    with request_scope():
        first = _decode(sdk, _message(group_policy))
        again = _decode(sdk, _message(group_policy))  # another message, the same content
        other = _decode(sdk, _message({"group": "admins", "policy": policy}))
        assert again is first
        assert other is not first
        assert first["group"] == "ops" and other["group"] == "admins"
    with request_scope():
        assert _decode(sdk, _message(group_policy)) is not first  # the next request decodes its own


def test_outside_a_request_every_call_is_the_sdks(sdk: ModuleType) -> None:
    install_decoding_once()
    message = _message({"group": "ops"})
    assert _decode(sdk, message) is not _decode(sdk, message)
    assert sdk.json_format.MessageToDict(message) == json_format.MessageToDict(message)


def test_unknowns_still_raise_for_each_policy_that_reads_them(sdk: ModuleType) -> None:
    install_decoding_once()
    error = importlib.import_module("pulumi_policy.proxy").UnknownValueError
    with request_scope():
        for _ in range(2):  # the shared proxy raises every time, not only for the first policy
            props = _decode(sdk, _message({"group": "ops", "policy": UNKNOWN}))
            with pytest.raises(error):
                props["policy"]


def test_a_release_that_moved_the_calls_is_left_alone(
    sdk: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(sdk, "unknown_checking_proxy")
    before = sdk.deserialize_properties
    assert not install_decoding_once()
    assert sdk.deserialize_properties is before
    assert sdk.json_format is json_format
