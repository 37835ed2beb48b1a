"""Requests the pack refuses to unpack: nested too deep, or larger than any IAM resource can be.

The SDK turns each request into Python by recursion, once per policy: a request nested a few
hundred levels deep fails the call with a RecursionError, one nested ten thousand levels deep
crashes the protobuf decoder (and the process), and a document of 100,000 statements costs
seconds per policy. IAM itself accepts nothing of the kind, so such a resource is blocked with a
mandatory finding, in milliseconds, and the process answers every other request as before.

Two layers, both installed by `install_request_limits()` before the pack starts serving:
- the request decoder measures nesting on the wire, without recursion, and replaces a property
  tree that is too deep by a marker before protobuf decodes it;
- the Analyze, AnalyzeStack and Remediate handlers turn a marker, an oversized IAM resource, or
  any exception into a mandatory finding, never an RPC error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf import struct_pb2
from google.protobuf.descriptor import Descriptor
from google.protobuf.empty_pb2 import Empty
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from iam_guard.findings import finding_message
from iam_guard.request_scope import request_scope

log = logging.getLogger(__name__)

# No AWS resource input nests anywhere near this deep (an IAM document nests 6 levels); the SDK's
# recursion handles about 150.
MAX_PROPERTY_DEPTH = 64
# On the wire each level of properties is three messages: Value, Struct and its map entry.
_MAX_WIRE_DEPTH = 3 * MAX_PROPERTY_DEPTH + 4
# An IAM resource holds at most a few documents of 10,240 characters, names, tags and a path.
MAX_IAM_PROPERTIES_BYTES = 256 * 1024
IAM_TYPE_PREFIX = "aws:iam/"
UNREADABLE_KEY = "__iamtiers_unreadable__"  # marks properties the decoder refused to unpack
REPORTING_POLICY = "iam-policy-document-valid"  # findings here are about what the pack cannot read

_LENGTH_DELIMITED, _VARINT, _FIXED64, _FIXED32 = 2, 0, 1, 5


class _WireError(ValueError):
    """Bytes that are not protobuf wire format; protobuf itself reports them."""


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise _WireError("truncated varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(field number, wire type, field start, payload start, field end) of one message."""
    position = start
    while position < end:
        field_start = position
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        payload = position
        if wire_type == _VARINT:
            _, position = _varint(data, position)
        elif wire_type == _FIXED64:
            position += 8
        elif wire_type == _FIXED32:
            position += 4
        elif wire_type == _LENGTH_DELIMITED:
            length, payload = _varint(data, position)
            position = payload + length
        else:
            raise _WireError(f"unsupported wire type {wire_type}")
        if position > end:
            raise _WireError("field runs past its message")
        yield number, wire_type, field_start, payload, position


def _message_fields(
    data: bytes, start: int, end: int, descriptor: Descriptor
) -> Iterator[tuple[int, int, int, int, Descriptor | None]]:
    """(number, field start, payload start, field end, message type or None) of each field of a message."""
    for number, wire_type, field_start, payload, field_end in _fields(data, start, end):
        field = descriptor.fields_by_number.get(number)
        nested = field.message_type if field is not None and wire_type == _LENGTH_DELIMITED else None
        yield number, field_start, payload, field_end, nested


def _too_deep(data: bytes, start: int, end: int, descriptor: Descriptor, budget: int) -> bool:
    """True when the message nests more than `budget` messages deep (measured without recursion)."""
    pending = [(start, end, descriptor, 1)]
    while pending:
        message_start, message_end, message_type, depth = pending.pop()
        if depth > budget:
            return True
        for _, _, payload, field_end, nested in _message_fields(
            data, message_start, message_end, message_type
        ):
            if nested is not None:
                pending.append((payload, field_end, nested, depth + 1))
    return False


def _length_delimited(number: int, payload: bytes) -> bytes:
    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    return varint((number << 3) | _LENGTH_DELIMITED) + varint(len(payload)) + payload


def _marker(descriptor: Descriptor, reason: str) -> bytes:
    """A `properties` field holding only the marker; protobuf merges it into the message's map."""
    field = descriptor.fields_by_name.get("properties")
    if field is None:
        return b""
    marker = struct_pb2.Struct()
    marker[UNREADABLE_KEY] = reason
    return _length_delimited(field.number, marker.SerializeToString())


def _without_deep_fields(data: bytes, start: int, end: int, descriptor: Descriptor, level: int) -> bytes:
    """The message with each too-deep field dropped (looking one level into resource lists)."""
    kept: list[bytes] = []
    dropped = False
    for number, field_start, payload, field_end, nested in _message_fields(data, start, end, descriptor):
        if nested is None or not _too_deep(data, payload, field_end, nested, _MAX_WIRE_DEPTH - level):
            kept.append(data[field_start:field_end])
        elif level == 0 and nested.fields_by_name.get("properties") is not None:
            # A resource of a stack request: keep its URN and name, drop only what is too deep.
            inner = _without_deep_fields(data, payload, field_end, nested, level + 1)
            kept.append(_length_delimited(number, inner))
        else:
            dropped = True
    if dropped:
        reason = f"its inputs nest more than {MAX_PROPERTY_DEPTH} levels deep; no IAM resource does"
        kept.append(_marker(descriptor, reason))
    return b"".join(kept)


def guarded_decoder(message_type: Any) -> Callable[[bytes], Any]:
    """`message_type.FromString`, refusing property trees too deep to decode safely."""
    descriptor: Descriptor = message_type.DESCRIPTOR

    def decode(data: bytes) -> Any:
        try:
            if _too_deep(data, 0, len(data), descriptor, _MAX_WIRE_DEPTH):
                data = _without_deep_fields(data, 0, len(data), descriptor, 0)
        except _WireError:
            pass  # not wire format at all: protobuf's own decoder says so
        return message_type.FromString(data)

    return decode


# --- the handlers -------------------------------------------------------------------------------


def unreadable_reason(resource_type: str, properties: struct_pb2.Struct) -> str | None:
    """Why the pack will not unpack these properties, or None when it will."""
    marker = properties.fields.get(UNREADABLE_KEY)
    if marker is not None:
        return marker.string_value or "its inputs cannot be read"
    size = properties.ByteSize()
    if resource_type.startswith(IAM_TYPE_PREFIX) and size > MAX_IAM_PROPERTIES_BYTES:
        return (
            f"its inputs are {size:,} bytes; no IAM resource is over {MAX_IAM_PROPERTIES_BYTES:,} "
            "(a policy document is at most 10,240 characters)"
        )
    return None


class _Reporter:
    """Builds mandatory diagnostics in the pack's name, as the SDK's own reports are built."""

    def __init__(self, servicer: Any) -> None:
        info = servicer.GetAnalyzerInfo(Empty(), None)
        self.pack_name = info.name
        self.pack_version = info.version
        self.description = next((p.description for p in info.policies if p.name == REPORTING_POLICY), "")

    def diagnostic(self, finding_id: str, detail: str, urn: str) -> analyzer_pb2.AnalyzeDiagnostic:
        return analyzer_pb2.AnalyzeDiagnostic(
            policyName=REPORTING_POLICY,
            policyPackName=self.pack_name,
            policyPackVersion=self.pack_version,
            message=f"{self.description}\n{finding_message(finding_id, detail)}",
            urn=urn,
            description=self.description,
            enforcementLevel=analyzer_pb2.MANDATORY,
            severity=analyzer_pb2.POLICY_SEVERITY_CRITICAL,
        )


def _failure(reporter: _Reporter, method: str, error: Exception, urn: str) -> analyzer_pb2.AnalyzeResponse:
    log.exception("%s failed", method)
    detail = f"{method} failed with {type(error).__name__}: {error}"
    return analyzer_pb2.AnalyzeResponse(diagnostics=[reporter.diagnostic("PACK-ERROR-001", detail, urn)])


def _guarded_analyze(behaviour: Callable[..., Any], reporter: _Reporter) -> Callable[..., Any]:
    def analyze(request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        try:
            reason = unreadable_reason(request.type, request.properties)
            if reason is not None:
                diagnostic = reporter.diagnostic("PACK-INPUT-001", f"'{request.name}': {reason}", request.urn)
                return analyzer_pb2.AnalyzeResponse(diagnostics=[diagnostic])
            with request_scope():  # the resource's properties decoded once for every policy
                return behaviour(request, context)
        except Exception as error:  # noqa: BLE001 - the pack fails closed, never with an RPC error
            return _failure(reporter, "Analyze", error, request.urn)

    return analyze


def _guarded_analyze_stack(behaviour: Callable[..., Any], reporter: _Reporter) -> Callable[..., Any]:
    def analyze_stack(request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> Any:
        refused: list[analyzer_pb2.AnalyzeDiagnostic] = []
        try:
            for resource in request.resources:
                reason = unreadable_reason(resource.type, resource.properties)
                if reason is not None:
                    detail = f"'{resource.name}': {reason}"
                    refused.append(reporter.diagnostic("PACK-INPUT-001", detail, resource.urn))
                    resource.properties.Clear()  # the rest of the stack is still judged
            with request_scope():  # one stack model, and each resource decoded once, for every policy
                response = behaviour(request, context)
            response.diagnostics.extend(refused)
            return response
        except Exception as error:  # noqa: BLE001 - the pack fails closed, never with an RPC error
            failed = _failure(reporter, "AnalyzeStack", error, "")
            failed.diagnostics.extend(refused)
            return failed

    return analyze_stack


def _guarded_remediate(behaviour: Callable[..., Any], reporter: _Reporter) -> Callable[..., Any]:
    def remediate(request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        try:
            if unreadable_reason(request.type, request.properties) is not None:
                return analyzer_pb2.RemediateResponse()  # Analyze reports it
            return behaviour(request, context)
        except Exception:  # Analyze, which follows, reports the resource
            log.exception("Remediate failed")
            return analyzer_pb2.RemediateResponse()

    return remediate


_GUARDS = {
    "Analyze": (_guarded_analyze, analyzer_pb2.AnalyzeRequest),
    "AnalyzeStack": (_guarded_analyze_stack, analyzer_pb2.AnalyzeStackRequest),
    "Remediate": (_guarded_remediate, analyzer_pb2.AnalyzeRequest),
}


def _guarded(method: str, handler: Any, reporter: _Reporter) -> Any:
    if method not in _GUARDS:
        return handler
    guard, request_type = _GUARDS[method]
    return handler._replace(
        request_deserializer=guarded_decoder(request_type),
        unary_unary=guard(handler.unary_unary, reporter),
    )


def install_request_limits() -> None:
    """Guard the Analyzer service the SDK registers; call before `PolicyPack(...)` starts serving."""
    register = analyzer_pb2_grpc.add_AnalyzerServicer_to_server
    if getattr(register, "request_limits", False):
        return

    def add_guarded_analyzer(servicer: Any, server: grpc.Server) -> None:
        reporter = _Reporter(servicer)
        rpc_method_handlers = {
            method: _guarded(method, handler, reporter)
            for method, handler in _method_handlers(register, servicer).items()
        }
        generic = grpc.method_handlers_generic_handler("pulumirpc.Analyzer", rpc_method_handlers)
        server.add_generic_rpc_handlers((generic,))

    add_guarded_analyzer.request_limits = True  # type: ignore[attr-defined]
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server = add_guarded_analyzer


class _CallDetails:
    """What a generic handler reads to pick its method handler."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


class _HandlerCollector:
    """Stands in for a server to collect the handlers the generated code would register."""

    def __init__(self) -> None:
        self.generic: list[grpc.GenericRpcHandler] = []

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        self.generic.extend(handlers)


def _method_handlers(register: Callable[[Any, Any], None], servicer: Any) -> dict[str, Any]:
    """The SDK's handler for each method of the Analyzer service, by method name."""
    collector = _HandlerCollector()
    register(servicer, collector)
    service = analyzer_pb2.DESCRIPTOR.services_by_name["Analyzer"]
    handlers: dict[str, Any] = {}
    for method in service.methods:
        details = _CallDetails(f"/{service.full_name}/{method.name}")
        handler = next((h for g in collector.generic if (h := g.service(details)) is not None), None)
        if handler is None:
            raise RuntimeError(f"the Analyzer service registered no handler for {method.name}")
        handlers[method.name] = handler
    return handlers
