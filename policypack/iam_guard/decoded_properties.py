"""Each resource's properties turned into Python once per request, not once per policy.

pulumi-policy hands every policy its own copy of a resource's properties: for each registered policy
it runs `json_format.MessageToDict` and `deserialize_properties` again, for Analyze over one resource
and for AnalyzeStack over every resource of the stack. With 26 policies that is most of what a request
costs. Inside a request (`request_scope`), `install_decoding_once()` makes those calls, and the
read-only proxy pulumi-policy wraps around the result, answer each distinct property message once, by
content, and hands every policy the same value. That is safe because neither pulumi-policy's Analyze
and AnalyzeStack nor any rule changes the properties it reads (rules unwrap copies with `types.raw`).
Outside a request (Configure, and anything without a scope), every call is the SDK's.

If a pulumi-policy release moves those calls, nothing is replaced and the pack runs as before, only
slower; a test pins that the pinned release is covered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format

from iam_guard.request_scope import in_request, shared

log = logging.getLogger(__name__)

_SDK_MODULE = "pulumi_policy.policy"


class _JsonFormatOncePerRequest:
    """Stands in for `json_format` in pulumi-policy's servicer: MessageToDict remembered by content."""

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - protobuf's name
        if args or kwargs or not in_request():
            return json_format.MessageToDict(message, *args, **kwargs)
        decoded: dict[bytes, Any] = shared("decoded_messages", dict)
        key = message.SerializeToString(deterministic=True)
        if key not in decoded:
            decoded[key] = json_format.MessageToDict(message)
        return decoded[key]


def _once_per_object(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`original(value, *flags)` answered once per request for each value object and flags."""

    def once(value: Any, *flags: Any) -> Any:
        if not in_request():
            return original(value, *flags)
        # Keyed by identity: the same content is already the same object (MessageToDict above). The
        # entry keeps `value` alive, so no other object can take its id while the request lasts.
        done: dict[tuple[Any, ...], tuple[Any, Any]] = shared(name, dict)
        key = (id(value), *flags)
        entry = done.get(key)
        if entry is None or entry[0] is not value:
            entry = (value, original(value, *flags))
            done[key] = entry
        return entry[1]

    return once


# What pulumi-policy's servicer calls per policy on each resource, in the order it calls them.
_PER_POLICY_CALLS = ("deserialize_properties", "unknown_checking_proxy")


def install_decoding_once() -> bool:
    """Replace the servicer's calls; False (and a warning) when this pulumi-policy lacks them."""
    import importlib

    module = importlib.import_module(_SDK_MODULE)
    originals: dict[str, Callable[..., Any]] = {
        name: original for name in _PER_POLICY_CALLS if callable(original := getattr(module, name, None))
    }
    if getattr(module, "json_format", None) is not json_format or len(originals) != len(_PER_POLICY_CALLS):
        log.warning("%s has moved its property decoding: each policy decodes its own copy", _SDK_MODULE)
        return False
    module.json_format = _JsonFormatOncePerRequest()  # type: ignore[attr-defined]
    for name, original in originals.items():
        setattr(module, name, _once_per_object(original, name))
    return True
