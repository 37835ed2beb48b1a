"""Drive a CrossGuard policy pack over the Analyzer gRPC protocol, the way the Pulumi CLI does.

`PolicyPackProcess` boots `policypack/__main__.py` as the CLI's python policy plugin does (cwd is the
pack directory; the pack prints its port as the first stdout line), then exposes the calls the
engine makes: GetAnalyzerInfo, Configure (after reconciling a `--policy-pack-config` document with
the pack's defaults), ConfigureStack, Remediate, Analyze and AnalyzeStack.

What the engine sends, and what this module therefore sends (pulumi/pulumi, step_generator.go and
sdk/go/common/resource/plugin/analyzer_plugin.go):

- Analyze runs for *every* registration the step generator sees: custom resources, component
  resources and the `pulumi:pulumi:Stack` root alike (there is no `custom` check before the analyzer
  loop). Its properties are the resource's inputs; `options.parent` is set.
- AnalyzeStack runs once at the end with every resource of the run; its properties are the
  resource's *outputs*, `parent`/`dependencies`/`propertyDependencies` are top-level fields and
  `options.parent` is left empty.
- Properties are marshalled with `SkipInternalKeys` (keys starting with `__` are dropped), unknowns
  and secrets kept in their wire form.
- Only the parent is known of the resource options: the offline engine does not record the others,
  and the program sets none, so the CLI's defaults (all false/empty, zero timeouts) are sent.
- The `provider` field is left unset: the mock runtime registers no default provider, so there is
  no provider resource to describe.
"""

from __future__ import annotations

import collections
import errno
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from components.config_variable import (
    CONFIG_VARIABLE,
    MAX_ARG_STRLEN,
    config_size_message,
    config_variable,
    config_variable_size,
)
from components.pack_modules import PACK_DIR as PACK_DIR  # re-exported: the pack the check runs
from components.pack_modules import load_pack_module
from offline.running.engine import Registration

logger = logging.getLogger(__name__)

# Enforcement levels as the CLI spells them in --policy-pack-config (apitype.EnforcementLevel).
ENFORCEMENT_LEVELS: dict[str, analyzer_pb2.EnforcementLevel.ValueType] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_LEVEL_NAMES = {value: name for name, value in ENFORCEMENT_LEVELS.items()}
_SEVERITY_NAMES: dict[analyzer_pb2.PolicySeverity.ValueType, str] = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
ALL_POLICIES_KEY = "all"  # the CLI's key for "this enforcement level for every policy"
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024  # the CLI's and the pack server's gRPC message limit
_CALL_TIMEOUT_SECONDS = 120.0
_STDERR_TAIL_LINES = 60
_STDERR_SHOWN_LINES = 20  # of the tail kept, how many an error message quotes
# A pack that dies closes its socket a moment before it can be reaped: wait that long for its exit code.
_EXIT_GRACE_SECONDS = 2.0
_TRANSPORT_FAILURES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})


class PolicyPackError(RuntimeError):
    """The pack would not start, or failed while answering a call; the message carries its stderr."""


class PolicyConfigError(ValueError):
    """A policy pack config the CLI or the pack would not accept, or would silently ignore.

    `problems` holds one line per problem, each naming the policy and the key (and the closest valid
    key when there is one).
    """

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation, attributed to a resource the way the engine attributes it."""

    policy_name: str
    message: str  # as the pack reports it: the policy description, a newline, the finding
    urn: str
    enforcement_level: str  # advisory | mandatory | remediate | disabled
    severity: str  # unspecified | low | medium | high | critical
    resource_name: str = ""
    resource_type: str = ""
    description: str = ""

    @property
    def finding(self) -> str:
        """The message without the policy description the pack prefixes to every finding."""
        prefix = f"{self.description}\n"
        if self.description and self.message.startswith(prefix):
            return self.message[len(prefix) :]
        return self.message


@dataclass(frozen=True)
class Remediation:
    """One Remediate result: new properties for the resource, or a diagnostic when it failed."""

    policy_name: str
    description: str
    properties: dict[str, Any] | None
    diagnostic: str


@dataclass(frozen=True)
class ResolvedPolicyConfig:
    """What Configure receives for one policy after the CLI's reconciliation."""

    enforcement_level: str
    properties: dict[str, Any]


# --- request building (pure) ---------------------------------------------------------------------


def _without_internal_keys(value: Any) -> Any:
    """Drop `__`-prefixed keys at any depth, as MarshalProperties(SkipInternalKeys) does."""
    if isinstance(value, Mapping):
        return {key: _without_internal_keys(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [_without_internal_keys(item) for item in value]
    return value


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(dict(value), struct)
    return struct


def _resource_options(parent: str) -> analyzer_pb2.AnalyzerResourceOptions:
    # The CLI always sends a CustomTimeouts message (zeros when unset), so send one too.
    return analyzer_pb2.AnalyzerResourceOptions(
        parent=parent, customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts()
    )


def analyze_request(
    registration: Registration, properties: Mapping[str, Any] | None = None, *, internal_keys: bool = False
) -> analyzer_pb2.AnalyzeRequest:
    """The AnalyzeRequest (also Remediate's request) for one registration; properties default to its inputs.

    `internal_keys=True` keeps `__` keys, as the CLI does for Remediate only.
    """
    props = registration.inputs if properties is None else properties
    return analyzer_pb2.AnalyzeRequest(
        type=registration.type,
        properties=_struct(props if internal_keys else _without_internal_keys(props)),
        urn=registration.urn,
        name=registration.name,
        options=_resource_options(registration.parent),
    )


def analyzer_resource(
    registration: Registration, properties: Mapping[str, Any] | None = None
) -> analyzer_pb2.AnalyzerResource:
    """One AnalyzeStack entry; pass the resource's outputs as `properties` (the engine does)."""
    props = registration.inputs if properties is None else properties
    return analyzer_pb2.AnalyzerResource(
        type=registration.type,
        properties=_struct(_without_internal_keys(props)),
        urn=registration.urn,
        name=registration.name,
        options=_resource_options(""),  # AnalyzeResources leaves options.parent empty
        parent=registration.parent,
        dependencies=registration.dependencies,
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
            for key, urns in registration.property_dependencies.items()
            if urns  # the CLI skips properties without dependencies
        },
    )


def analyze_stack_request(
    registrations: Iterable[Registration], properties: Mapping[str, Mapping[str, Any]] | None = None
) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStackRequest for a run; `properties` maps URN -> outputs (default: the inputs)."""
    by_urn = properties or {}
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[analyzer_resource(r, by_urn.get(r.urn)) for r in registrations]
    )


# --- configuration (pure) ------------------------------------------------------------------------


def _parse_level(key: str, value: Any) -> str:
    if not isinstance(value, str) or value not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(
            f"{key}: {value!r} is not a valid enforcement level (use one of {', '.join(ENFORCEMENT_LEVELS)})"
        )
    return value


def _parse_entry(key: str, value: Any) -> tuple[str | None, dict[str, Any]]:
    """One `--policy-pack-config` entry: a bare level, or an object with an optional level and properties."""
    if isinstance(value, str):
        return _parse_level(key, value), {}
    if isinstance(value, Mapping):
        properties = {str(k): v for k, v in value.items() if k != "enforcementLevel"}
        if "enforcementLevel" in value:
            return _parse_level(f"{key}.enforcementLevel", value["enforcementLevel"]), properties
        return None, properties
    raise PolicyConfigError(f"{key}: {value!r} is not valid; use an enforcement level or an object")


def _load_pack_json_schema() -> ModuleType:
    """The project pack's own config checker (`iam_guard/json_schema.py`, dependency-free), loaded
    by path so that the offline check and the pack's Configure word every config problem alike."""
    try:
        return load_pack_module(PACK_DIR / "iam_guard" / "json_schema.py")
    except ImportError as error:
        raise PolicyPackError(str(error)) from None


_PACK_JSON_SCHEMA = _load_pack_json_schema()
_PACK_EXEMPTIONS = load_pack_module(PACK_DIR / "iam_guard" / "exemptions.py")
TODAY_VARIABLE: str = _PACK_EXEMPTIONS.TODAY_VARIABLE  # the offline check's replay day
TODAY_FLAG: str = _PACK_EXEMPTIONS.TODAY_FLAG  # how the harness hands it to the pack
ENGINE_VARIABLE: str = _PACK_EXEMPTIONS.ENGINE_VARIABLE
# What in a value breaks a JSON Schema, one line each: `<path>: <problem>` (`exemptions[0].reason: ...`).
schema_problems: Callable[[Mapping[str, Any], Any], list[str]] = _PACK_JSON_SCHEMA.schema_problems
_suggestion: Callable[[str, Iterable[str]], str] = _PACK_JSON_SCHEMA.suggestion


def _unknown_policy_message(unknown: str, pack_name: str, valid: Sequence[str]) -> str:
    return (
        f"unknown policy '{unknown}'{_suggestion(unknown, valid)}; "
        f"policy pack '{pack_name}' has: {', '.join(valid)}"
    )


def policy_config_schema(policy: analyzer_pb2.PolicyInfo) -> dict[str, Any]:
    """A policy's config schema as the CLI builds it from GetAnalyzerInfo, but closed to other keys.

    The protocol carries only `properties` and `required`, so the CLI's schema admits any other key
    and the pack would silently ignore a misspelt one; here an unknown key is an error, as it is for
    a pack that checks its Configure (ours does).
    """
    return {
        "type": "object",
        "properties": json_format.MessageToDict(policy.configSchema.properties),
        "required": list(policy.configSchema.required),
        "additionalProperties": False,
    }


def reconcile_policy_config(
    info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any]
) -> dict[str, ResolvedPolicyConfig]:
    """The config Configure receives: every policy's defaults, then the pack's initial config, then `config`.

    Mirrors the CLI's ReconcilePolicyPackConfig (schema defaults, `all`, per-policy overrides,
    validation of the result). Stricter than the CLI where the CLI lets a mistake through to a pack
    that would ignore it: a key that names no policy, a property a policy's schema does not list,
    and a property under `all` (which only sets every policy's enforcement level) are errors here.
    Raises `PolicyConfigError` with every problem found, one line each.
    """
    if not isinstance(config, Mapping):
        raise PolicyConfigError("expected a JSON object mapping policy names to their config")
    valid = sorted([ALL_POLICIES_KEY, *(policy.name for policy in info.policies)])
    problems = [_unknown_policy_message(key, info.name, valid) for key in config if key not in valid]

    resolved: dict[str, ResolvedPolicyConfig] = {}
    schemas = {policy.name: policy_config_schema(policy) for policy in info.policies}
    for policy in info.policies:
        defaults = {
            name: spec["default"]
            for name, spec in schemas[policy.name]["properties"].items()
            if isinstance(spec, dict) and "default" in spec
        }
        resolved[policy.name] = ResolvedPolicyConfig(_LEVEL_NAMES[policy.enforcementLevel], defaults)

    initial = {
        key: {
            "enforcementLevel": _LEVEL_NAMES[value.enforcementLevel],
            **json_format.MessageToDict(value.properties),
        }
        for key, value in info.initialConfig.items()
    }
    for layer in (initial, config):
        parsed: dict[str, tuple[str | None, dict[str, Any]]] = {}
        for key, value in layer.items():
            try:
                parsed[key] = _parse_entry(key, value)
            except PolicyConfigError as error:
                problems += error.problems
        all_level, all_properties = parsed.get(ALL_POLICIES_KEY, (None, {}))
        problems += [
            f"{ALL_POLICIES_KEY}: unknown property '{name}': only enforcementLevel applies to every "
            "policy; set it under each policy that takes it"
            for name in all_properties
        ]
        if all_level is not None:
            resolved = {k: ResolvedPolicyConfig(all_level, v.properties) for k, v in resolved.items()}
        for key, (level, properties) in parsed.items():
            if key == ALL_POLICIES_KEY or key not in resolved:
                continue  # `all` is applied above; unknown names are reported above
            current = resolved[key]
            resolved[key] = ResolvedPolicyConfig(
                level or current.enforcement_level, {**current.properties, **properties}
            )

    problems += [
        f"{name}: {problem}"
        for name, schema in schemas.items()
        for problem in schema_problems(schema, resolved[name].properties)
    ]
    if problems:
        raise PolicyConfigError(*problems)
    return resolved


def configure_request(resolved: Mapping[str, ResolvedPolicyConfig]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    return analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            name: analyzer_pb2.PolicyConfig(
                enforcementLevel=ENFORCEMENT_LEVELS[entry.enforcement_level],
                properties=_struct(entry.properties),
            )
            for name, entry in resolved.items()
        }
    )


def cli_environment(
    project: str, stack: str, config: Mapping[str, str], *, dry_run: bool | None = None
) -> dict[str, str]:
    """The variables the CLI sets for a policy pack process (constructEnv): project, stack, config
    (PULUMI_CONFIG encoded as the CLI encodes it, components/config_variable.py)."""
    env = {"PULUMI_PROJECT": project, "PULUMI_STACK": stack}
    if config:
        env[CONFIG_VARIABLE] = config_variable(config)
    if dry_run is not None:
        env["PULUMI_DRY_RUN"] = "true" if dry_run else "false"
    return env


# --- the process ---------------------------------------------------------------------------------


def _environment_too_large(environment: Mapping[str, str]) -> str:
    """Why Linux would not start the pack (E2BIG), as the offline check words it before it starts."""
    if CONFIG_VARIABLE in environment:
        try:
            config = json.loads(environment[CONFIG_VARIABLE])
        except json.JSONDecodeError:
            config = None
        if isinstance(config, dict) and config_variable_size(config) > MAX_ARG_STRLEN:
            project, stack = environment.get("PULUMI_PROJECT", ""), environment.get("PULUMI_STACK", "<stack>")
            return f"the policy pack could not be started: {config_size_message(config, project, stack)}"
    sizes = {name: len(f"{name}={value}".encode()) + 1 for name, value in environment.items()}
    largest = max(sizes, key=lambda name: sizes[name])
    return (
        f"the policy pack could not be started: Linux refused its environment as too large (E2BIG); "
        f"{len(environment)} variables, {sum(sizes.values()):,} bytes in all, the largest {largest} "
        f"({sizes[largest]:,} bytes; one variable may hold {MAX_ARG_STRLEN:,}); unset what the pack "
        "does not need"
    )


def _read_lines(
    stream: IO[bytes], first_line: queue.Queue[bytes] | None, sink: collections.deque[str], label: str
) -> None:
    """Pump a pipe so the pack never blocks on a full buffer; hand the first line over if asked."""
    for index, raw in enumerate(iter(stream.readline, b"")):
        if index == 0 and first_line is not None:
            first_line.put(raw)
            continue
        line = raw.decode(errors="replace").rstrip("\n")
        sink.append(line)
        logger.debug("policy pack %s: %s", label, line)
    if first_line is not None:
        first_line.put(b"")  # EOF: the process closed stdout (usually: it exited)
    stream.close()


def pack_command(main: Path, environment: dict[str, str]) -> list[str]:
    """How the offline harness starts the pack: `python -u __main__.py`, the replay day (`IAMTIERS_TODAY`)
    moved from the environment to `--iamtiers-today=`, the one channel the pack honours for it and
    the engine never uses. `PULUMI_DRY_RUN` is the engine's mark: the harness never passes it on."""
    replay = environment.pop(TODAY_VARIABLE, "")
    environment.pop(ENGINE_VARIABLE, None)
    return [sys.executable, "-u", str(main), *([f"{TODAY_FLAG}={replay}"] if replay else [])]


def engine_command(engine_address: str) -> list[str]:
    """How the Pulumi CLI starts a Python pack: its `pulumi-analyzer-policy-python` shim runs
    `python -u -m pulumi.policy <engine address> .` in the pack directory, environment untouched."""
    return [sys.executable, "-u", "-m", "pulumi.policy", engine_address, "."]


class PolicyPackProcess:
    """A running policy pack and a gRPC client for it. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        *,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
        engine_address: str | None = None,
    ) -> None:
        """Start the pack as the offline harness does; with `engine_address`, as the Pulumi CLI does."""
        self.pack_dir = pack_dir.resolve()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        self._stdout: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        self._channel: Any = None
        main = self.pack_dir / "__main__.py"
        if not main.is_file():
            raise PolicyPackError(f"{main}: file not found; is {self.pack_dir} a policy pack?")
        environment = {**os.environ, **(env or {})}
        command = (
            pack_command(main, environment) if engine_address is None else engine_command(engine_address)
        )
        try:
            # -u: the pack writes its port without flushing, and stdout is a pipe here.
            self._process = subprocess.Popen(
                command,
                cwd=self.pack_dir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            if error.errno != errno.E2BIG:
                raise
            raise PolicyPackError(_environment_too_large(environment)) from None
        assert self._process.stdout is not None and self._process.stderr is not None  # noqa: S101 - PIPE
        first_line: queue.Queue[bytes] = queue.Queue()
        self._readers = [
            threading.Thread(
                target=_read_lines,
                args=(self._process.stdout, first_line, self._stdout, "stdout"),
                daemon=True,
            ),
            threading.Thread(
                target=_read_lines, args=(self._process.stderr, None, self._stderr, "stderr"), daemon=True
            ),
        ]
        for reader in self._readers:
            reader.start()
        try:
            port = self._wait_for_port(first_line, start_timeout)
            self._channel = grpc.insecure_channel(
                f"127.0.0.1:{port}",
                options=[
                    ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
                ],
            )
            self._wait_until_serving(port, start_timeout)
        except BaseException:
            self.close()
            raise
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.version = self._declared_version()
        logger.debug("policy pack %s listening on port %d", self.pack_dir, port)

    def _stderr_text(self) -> str:
        """`; its last stderr lines: ...` (indented, one a line), for the end of an error message."""
        self._readers[1].join(timeout=5)
        lines = [line for line in self._stderr if line.strip()][-_STDERR_SHOWN_LINES:]
        if not lines:
            return "; it wrote nothing to stderr"
        return "; its last stderr lines:\n" + "\n".join(f"  {line}" for line in lines)

    def _exit_status(self, grace: float = 0.0) -> str | None:
        """How the process ended (`exited with code 3`, `was killed by signal 9 (SIGKILL)`), or None."""
        try:
            code = self._process.wait(timeout=grace) if grace else self._process.poll()
        except subprocess.TimeoutExpired:
            return None
        if code is None:
            return None
        if code < 0:
            try:
                name = f" ({signal.Signals(-code).name})"
            except ValueError:
                name = ""
            return f"was killed by signal {-code}{name}"
        return f"exited with code {code}"

    def _wait_until_serving(self, port: int, timeout: float) -> None:
        """Wait for the pack's gRPC server, noticing at once when the process ends instead."""
        ready = grpc.channel_ready_future(self._channel)
        deadline = time.monotonic() + timeout
        while True:
            try:
                ready.result(timeout=0.2)
                return
            except grpc.FutureTimeoutError:
                pass
            ended = self._exit_status()
            if ended is not None:
                ready.cancel()
                raise PolicyPackError(
                    f"the policy pack process {ended} after printing port {port}{self._stderr_text()}"
                )
            if time.monotonic() >= deadline:
                ready.cancel()
                raise PolicyPackError(
                    f"policy pack {self.pack_dir} printed port {port} but did not answer on it "
                    f"within {timeout:.0f}s{self._stderr_text()}"
                )

    def _wait_for_port(self, first_line: queue.Queue[bytes], timeout: float) -> int:
        try:
            line = first_line.get(timeout=timeout)
        except queue.Empty:
            self._process.kill()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed no port within {timeout:.0f}s{self._stderr_text()}"
            ) from None
        text = line.decode(errors="replace").strip()
        if not line:
            ended = self._exit_status(grace=10) or "closed its stdout"
            raise PolicyPackError(
                f"policy pack {self.pack_dir} {ended} before printing its port{self._stderr_text()}"
            )
        if not text.isdigit():
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed {text!r} "
                f"where its port was expected{self._stderr_text()}"
            )
        return int(text)

    def _declared_version(self) -> str:
        # The CLI reports the version from PulumiPolicy.yaml over the one the pack answers.
        manifest = self.pack_dir / "PulumiPolicy.yaml"
        loaded = yaml.safe_load(manifest.read_text()) if manifest.is_file() else None
        if isinstance(loaded, dict) and loaded.get("version"):
            return str(loaded["version"])
        return str(self.info().version)

    def _call(self, method: str, request: Any, *, optional: bool = False) -> Any:
        """One unary call; `optional` calls answer None when the pack does not implement them."""
        try:
            return getattr(self._stub, method)(request, timeout=_CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            if optional and error.code() == grpc.StatusCode.UNIMPLEMENTED:
                logger.debug("policy pack does not implement %s; skipped, as the CLI does", method)
                return None
            grace = _EXIT_GRACE_SECONDS if error.code() in _TRANSPORT_FAILURES else 0.0
            ended = self._exit_status(grace)
            if ended is not None:
                raise PolicyPackError(
                    f"the policy pack process {ended} during {method}{self._stderr_text()}"
                ) from None
            if method == "Configure" and error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise PolicyConfigError(*(error.details() or "").splitlines()) from None
            raise PolicyPackError(
                f"policy pack failed in {method}: {error.code()}: {error.details()}"
            ) from None

    # --- the Analyzer calls ---

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """GetAnalyzerInfo: the pack's name and every policy with its default enforcement level."""
        result: analyzer_pb2.AnalyzerInfo = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        return result

    @property
    def pid(self) -> int:
        """The pack process's id (for resource measurements)."""
        return self._process.pid

    def configure(self, config: Mapping[str, Any]) -> dict[str, ResolvedPolicyConfig]:
        """Configure the pack from a `--policy-pack-config` document (policy -> level or object).

        The pack receives every policy's resolved config, as from the CLI; `{}` restores the
        defaults. Raises `PolicyConfigError` naming the key for unknown policies and bad values.
        """
        resolved = reconcile_policy_config(self.info(), config)
        self._call("Configure", configure_request(resolved))
        return resolved

    def configure_stack(
        self, *, project: str, stack: str, dry_run: bool, config: Mapping[str, str] | None = None
    ) -> None:
        """ConfigureStack: which stack is analyzed and whether this is a preview."""
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            project=project, stack=stack, dry_run=dry_run, config=dict(config or {})
        )
        self._call("ConfigureStack", request, optional=True)

    def remediate(
        self, registration: Registration, properties: Mapping[str, Any] | None = None
    ) -> list[Remediation]:
        """Remediate one resource (the engine's first pass); only `remediate`-level policies act."""
        request = analyze_request(registration, properties, internal_keys=True)
        response = self._call("Remediate", request, optional=True)
        if response is None:
            return []
        return [
            Remediation(
                policy_name=item.policyName,
                description=item.description,
                properties=json_format.MessageToDict(item.properties)
                if item.HasField("properties")
                else None,
                diagnostic=item.diagnostic,
            )
            for item in response.remediations
        ]

    def analyze(
        self, registration: Registration, properties: Mapping[str, Any] | None = None
    ) -> list[Diagnostic]:
        """Analyze one resource's inputs (or `properties`).

        Every diagnostic is attributed to this resource, whatever URN the pack put in it: the engine
        does the same.
        """
        response = self._call("Analyze", analyze_request(registration, properties))
        return [_diagnostic(d, registration.urn, registration) for d in response.diagnostics]

    def analyze_stack(
        self, registrations: Sequence[Registration], properties: Mapping[str, Mapping[str, Any]] | None = None
    ) -> list[Diagnostic]:
        """AnalyzeStack over `registrations`; `properties` maps URN -> outputs (default: inputs).

        A diagnostic keeps the URN the pack reported; the resource name and type are filled in when
        that URN is one of `registrations`.
        """
        response = self._call("AnalyzeStack", analyze_stack_request(registrations, properties), optional=True)
        if response is None:
            return []
        by_urn = {registration.urn: registration for registration in registrations}
        return [_diagnostic(d, d.urn, by_urn.get(d.urn)) for d in response.diagnostics]

    # --- lifecycle ---

    def close(self, timeout: float = 10.0) -> None:
        """Close the channel and stop the pack: terminate, then kill after `timeout` seconds."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning("policy pack %s ignored SIGTERM; killing it", self.pack_dir)
                self._process.kill()
                self._process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=timeout)

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _diagnostic(d: analyzer_pb2.AnalyzeDiagnostic, urn: str, registration: Registration | None) -> Diagnostic:
    return Diagnostic(
        policy_name=d.policyName,
        message=d.message,
        urn=urn,
        enforcement_level=_LEVEL_NAMES.get(d.enforcementLevel, str(d.enforcementLevel)),
        severity=_SEVERITY_NAMES.get(d.severity, str(d.severity)),
        resource_name=registration.name if registration else "",
        resource_type=registration.type if registration else "",
        description=d.description,
    )
