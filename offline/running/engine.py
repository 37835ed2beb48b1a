"""The offline engine: run the real program for one stack under Pulumi's mock runtime.

Every registration is recorded as the engine would see it (type, name, URN, parent, inputs with
unknown sentinels, dependencies, property dependencies), and the stack outputs as they would be
stored. Preview mode answers each registration like `pulumi preview` does for a create: the
outputs are the inputs, and everything the provider computes (ids, ARNs, passwords) stays unknown.
"""

from __future__ import annotations

import asyncio
import contextvars
import runpy
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from offline.running.mock_outputs import computed_outputs, invoke_outputs
from offline.running.stack_files import StackSettings, load_stack_settings

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's wire sentinel for unknown values
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # key marking a secret value on the wire
SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Registration:
    """One RegisterResource call, as the engine receives it."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str = ""
    delete_before_replace: bool = False
    # What the provider answered (wire form): the inputs in preview, inputs plus computed values in
    # an update. Empty for the stack; a component's real outputs are in `StackRun.registered_outputs`.
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class StackRun:
    """Everything one run of the program registered, in registration order."""

    project: str
    stack: str
    preview: bool
    registrations: list[Registration] = field(default_factory=list)
    registered_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by URN

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack outputs, in wire form (secrets and unknowns marked)."""
        stack = next((r.urn for r in self.registrations if r.type == STACK_TYPE), "")
        return self.registered_outputs.get(stack, {})

    def by_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    def children(self, parent_urn: str) -> list[Registration]:
        return self.children_by_parent().get(parent_urn, [])

    def children_by_parent(self) -> dict[str, list[Registration]]:
        """parent URN -> its children in registration order; one pass, for walking the whole tree."""
        index: dict[str, list[Registration]] = {}
        for registration in self.registrations:
            index.setdefault(registration.parent, []).append(registration)
        return index

    @property
    def resources(self) -> list[Registration]:
        """Registrations other than the stack itself."""
        return [r for r in self.registrations if r.type != STACK_TYPE]


class ProgramError(Exception):
    """The program stopped with an error meant for the user (bad config and the like)."""


class _UpdateMocks(pulumi_mocks.Mocks):
    """Provider answers for an update: inputs echoed, plus plausible computed outputs."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, computed = computed_outputs(
            args.typ, args.name, args.inputs, account_id=self.account_id, region=self.region
        )
        return resource_id, {**args.inputs, **computed}

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        # The Identity Center look-ups are answered; any other call gets {} and stays visible.
        return invoke_outputs(args.token, dict(args.args)), []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock resource monitor that keeps each raw RegisterResourceRequest, exactly once.

    The SDK calls the monitor from several threads at once, so recording happens under a lock.
    """

    def __init__(self, mocks: pulumi_mocks.Mocks, run: StackRun) -> None:
        super().__init__(mocks)
        self.run = run
        self._lock = threading.Lock()
        self._recorded: dict[str, Registration] = {}
        self.duplicates: list[str] = []  # one message per refused registration
        # The mocks answer through `_sync_await`, which gives each executor thread an event loop of
        # its own and never closes it; `record` closes them once the run's threads have ended.
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()

    def _note_thread_loop(self) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:  # this thread made no loop
            return
        with self._lock:
            self.thread_loops.add(loop)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        try:
            return super().Invoke(request)  # type: ignore[no-untyped-call]
        finally:
            self._note_thread_loop()

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        try:
            return super().ReadResource(request)  # type: ignore[no-untyped-call]
        finally:
            self._note_thread_loop()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        registration = Registration(
            type=request.type,
            name=request.name,
            urn=urn,
            parent=request.parent,
            custom=bool(request.custom),
            inputs=json_format.MessageToDict(request.object),
            dependencies=list(request.dependencies),
            property_dependencies={
                key: list(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            provider=request.provider,
            delete_before_replace=bool(request.deleteBeforeReplace),
        )
        # Recorded on arrival, before the mocks answer, so registration order stays the program's.
        with self._lock:
            first = self._recorded.get(urn)
            if first is not None and request.type == STACK_TYPE:
                # set_mocks registers a root stack of its own before the program's, and children may
                # name it before the program's arrives: the program's takes its place, first.
                self.run.registrations[self.run.registrations.index(first)] = registration
                self._recorded[urn] = registration
            elif first is None:
                self._recorded[urn] = registration
                self.run.registrations.append(registration)
        if first is not None and request.type != STACK_TYPE:
            message = (
                f"duplicate resource URN {urn}: resource {request.name!r} registered a second time "
                f"(first as {first.name!r} of type {first.type}); give each resource a unique name"
            )
            with self._lock:
                self.duplicates.append(message)
            # Refused, not merged, as the engine does; answered so the program runs on and every
            # duplicate is reported together once it ends (`record` raises ProgramError then).
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)
        if self.run.preview and request.type != STACK_TYPE:
            # A create in preview: outputs are the inputs, unknowns stay unknown, no id yet.
            response = resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)
        else:
            try:
                response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            finally:
                self._note_thread_loop()
        registration.outputs.update(json_format.MessageToDict(response.object))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        outputs = json_format.MessageToDict(request.outputs)
        with self._lock:
            self.run.registered_outputs[request.urn] = outputs
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


def _close(loop: asyncio.AbstractEventLoop, thread_loops: set[asyncio.AbstractEventLoop]) -> None:
    """Close a run's event loop, its executor threads and the loops those threads made, now: left to
    the garbage collector, a loop is closed at interpreter exit, after its self-pipe may be gone, and
    prints `Exception ignored in: BaseEventLoop.__del__` into the check's stderr."""
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        for thread_loop in thread_loops:  # idle: their threads have ended with the executor
            if not thread_loop.is_running():
                thread_loop.close()


def _record_in_context(
    program: Callable[[], None],
    settings: StackSettings,
    run: StackRun,
    thread_loops: set[asyncio.AbstractEventLoop],
) -> None:
    pulumi.runtime.set_all_config(settings.config, [])
    mocks = _UpdateMocks(settings.account_id, settings.region)
    monitor = RecordingMonitor(mocks, run)
    monitor.thread_loops = thread_loops  # shared with `record`, which closes them after the run
    pulumi.runtime.set_mocks(
        mocks, project=settings.project, stack=settings.stack, preview=run.preview, monitor=monitor
    )
    # Where its config loader reads collection files (as the CLI's --root_directory). Set on every
    # run, None included: the SDK keeps the first value set in a context as the default of all others.
    pulumi_settings.SETTINGS.root_directory = str(settings.project_dir) if settings.project_dir else None
    # set_mocks finishes a root stack at once; the program's exports need a live one.
    pulumi_settings.ROOT.set(None)
    _sync_await(run_in_stack(program))
    if monitor.duplicates:
        listing = "\n".join(f"  - {message}" for message in sorted(monitor.duplicates))
        raise ProgramError(f"the program registered {len(monitor.duplicates)} resource(s) twice:\n{listing}")


def record(program: Callable[[], None], settings: StackSettings, *, preview: bool) -> StackRun:
    """Run any Pulumi program function under the mocks and record what it registers.

    Raises `ProgramError` with the program's own message when it stops on bad input.
    """
    run = StackRun(project=settings.project, stack=settings.stack, preview=preview)
    # A fresh context per run: the SDK keeps its root resource and config in context variables.
    # A loop of its own, current before the mocks are set (they bind to it), closed after the run.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    thread_loops: set[asyncio.AbstractEventLoop] = set()
    try:
        contextvars.Context().run(_record_in_context, program, settings, run, thread_loops)
    except pulumi.RunError as error:
        raise ProgramError(str(error)) from None
    finally:
        _close(loop, thread_loops)
    return run


def run_stack(project_dir: Path, stack: str, *, preview: bool) -> StackRun:
    """Run `project_dir/__main__.py` for `stack` (Pulumi.<stack>.yaml) in preview or update mode."""
    settings = load_stack_settings(project_dir, stack)
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    program = project_dir / "__main__.py"

    def main_module() -> None:
        runpy.run_path(str(program), run_name="__main__")

    return record(main_module, settings, preview=preview)


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get(SECRET_SIG) == SECRET_VALUE_SIG)
