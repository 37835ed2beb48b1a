"""The scale benchmark's generator (bench/generate_stack.py) and its floors; no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from bench.generate_stack import SIZES, GeneratedStack, group_count, stack_config, tier_count, write_project
from bench.scale import flat_project, group_memberships_per_person, noop_pack_problems, resources_per_user
from offline.running.engine import STACK_TYPE, run_stack
from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="module")
def stack_100(tmp_path_factory: pytest.TempPathFactory) -> GeneratedStack:
    return write_project(tmp_path_factory.mktemp("scale") / "project", 100)


@pytest.mark.parametrize("people", [100, 500])  # 500: every department's policies appear
def test_the_generated_stack_passes_the_check(tmp_path: Path, people: int) -> None:
    generated = write_project(tmp_path / "project", people)
    result = subprocess.run(
        generated.check_command(), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((generated.project_dir / "report.json").read_text())
    counts = {mode: report["modes"][mode]["counts"]["mandatory"] for mode in ("preview", "update")}
    assert counts == {"preview": 0, "update": 0}
    assert report["modes"]["update"]["analyzed"] > 3 * people  # every person, group and tier was analyzed


@pytest.mark.parametrize("key", ["users", "groups", "role-tiers"])
def test_collections_live_in_files_the_stack_file_names(stack_100: GeneratedStack, key: str) -> None:
    text = (stack_100.project_dir / "Pulumi.scale-100.yaml").read_text()
    assert f"iamtiers:{key.replace('-', '_')}: {{file: people/scale-100-{key}.yaml}}" in text
    assert (stack_100.project_dir / "people" / f"scale-100-{key}.yaml").is_file()


def test_the_5000_person_config_fits_the_environment_variable(tmp_path: Path) -> None:
    assert write_project(tmp_path, 5000).config_variable_bytes < 120 * 1024
    assert write_project(tmp_path, 1000, file_form=False).config_variable_bytes > 128 * 1024  # why files


def test_generation_is_deterministic_per_seed() -> None:
    assert stack_config(100) == stack_config(100)
    assert stack_config(100, seed=1) != stack_config(100)


@pytest.mark.parametrize("people", SIZES)
def test_every_size_has_its_people_groups_and_tiers(people: int) -> None:
    config = stack_config(people)
    users = config["iamtiers:users"]["items"]
    assert len(users) == people
    assert len({user["name"] for user in users}) == people
    assert len(config["iamtiers:groups"]["items"]) == group_count(people)
    assert len(config["iamtiers:role_tiers"]["items"]) == tier_count(people)
    assert sum(1 for user in users if user.get("programmatic_access")) >= 2
    assert any("pgp_key" in user for user in users)
    assert all(len(group.get("managed_policies", [])) <= 10 for group in config["iamtiers:groups"]["items"])


def test_groups_and_tiers_grow_with_people_within_their_caps() -> None:
    assert [group_count(people) for people in SIZES] == [11, 25, 50, 100, 250]
    assert [tier_count(people) for people in SIZES] == [3, 10, 20, 40, 60]


def test_the_flat_program_registers_the_programs_custom_resources(stack_100: GeneratedStack) -> None:
    program = run_stack(stack_100.project_dir, stack_100.stack, preview=False)
    flat = run_stack(flat_project(stack_100), stack_100.stack, preview=False)
    assert Counter(r.type for r in flat.registrations if r.type != STACK_TYPE) == Counter(
        r.type for r in program.registrations if r.custom
    )
    assert not any(r.type.startswith("iamtiers:") for r in flat.registrations)


def test_the_noop_pack_mirrors_the_packs_policies() -> None:
    assert noop_pack_problems() == []


def test_resources_per_user_by_kind(stack_100: GeneratedStack, tmp_path: Path) -> None:
    run = run_stack(stack_100.project_dir, stack_100.stack, preview=False)
    path = tmp_path / "registrations.json"
    documents = [{"preview": False, "registrations": [vars(r) for r in run.registrations]}]
    path.write_text(json.dumps(documents))
    per_user = resources_per_user(path)
    assert per_user["console_no_keys"]["registrations_per_user"] == 3  # the component, user, login
    assert per_user["programmatic"]["aws_resources_per_user"] == 2  # user, access key
    assert all(entry["same_for_every_user"] for entry in per_user.values())
    assert sum(entry["users"] for entry in per_user.values()) == 100
    # Each group's one membership, shared by its members: the honest cost beside the per-user count.
    memberships = group_memberships_per_person(path, 100)
    assert memberships == {
        "registrations": group_count(100),
        "people": 100,
        "per_person": group_count(100) / 100,
    }
