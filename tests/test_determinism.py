"""Reordering entries in the stack file changes no resource name and no attachment."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from offline.reporting.plan import render_plan
from offline.running.engine import StackRun, run_stack
from tests.conftest import stack_config


def _reordered(config: dict[str, Any], seed: int) -> dict[str, Any]:
    shuffled = copy.deepcopy(config)
    rng = random.Random(seed)
    for key in ("iamtiers:groups", "iamtiers:role_tiers", "iamtiers:users"):
        items = shuffled[key]["items"]
        rng.shuffle(items)
        for item in items:
            for field in ("managed_policies", "groups", "assumable_tiers"):
                if field in item:
                    rng.shuffle(item[field])
    return dict(reversed(list(shuffled.items())))


def _signature(run: StackRun) -> dict[str, dict[str, Any]]:
    return {r.urn: r.inputs for r in run.resources}


def test_reordering_changes_no_resource(
    project_with_stack: Callable[[dict[str, Any]], Path], dev_update: StackRun
) -> None:
    original = _signature(dev_update)
    for seed in (1, 2, 3):
        project = project_with_stack(_reordered(stack_config("dev"), seed))
        reordered = _signature(run_stack(project, "test", preview=False))
        assert set(reordered) == {urn.replace("urn:pulumi:dev::", "urn:pulumi:test::") for urn in original}
        for urn, inputs in original.items():
            twin = reordered[urn.replace("urn:pulumi:dev::", "urn:pulumi:test::")]
            if "groups" in inputs and isinstance(inputs["groups"], list):
                assert sorted(twin["groups"]) == sorted(inputs["groups"]), urn
                continue
            tags = (
                {"iamtiers:stack": "test"} if "tags" in inputs and "iamtiers:stack" in inputs["tags"] else {}
            )
            expected = {**inputs, "tags": {**inputs["tags"], **tags}} if tags else inputs
            assert twin == expected, urn


def test_the_plan_does_not_depend_on_the_order_resources_registered_in(
    dev_preview: StackRun, dev_update: StackRun
) -> None:
    """Siblings register from several threads; the printed plan must not show which finished first."""
    shuffled = [
        replace(run, registrations=random.Random(7).sample(run.registrations, len(run.registrations)))
        for run in (dev_preview, dev_update)
    ]
    assert render_plan(*shuffled) == render_plan(dev_preview, dev_update)
