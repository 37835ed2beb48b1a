"""Reading Pulumi.yaml and Pulumi.<stack>.yaml: a mistaken file is refused, never half-read."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config_keys import config_key_problems
from offline.running import stack_files
from offline.running.engine import ProgramError, record
from offline.running.stack_files import StackFileError, load_stack_settings
from tests.conftest import PROJECT_DIR, stack_config

DECLARED = {
    "iamtiers:account",
    "iamtiers:groups",
    "iamtiers:role_tiers",
    "iamtiers:users",
    "iamtiers:password_policy",
    "iamtiers:monitoring",
}

# Nine levels of nine aliases: about 387 million strings once expanded.
ALIAS_BOMB = """config:
  iamtiers:account: {id: "111111111111", alias: acme-test}
  iamtiers:monitoring:
    lol0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    lol1: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    lol2: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    lol3: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    lol4: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    lol5: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    lol6: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    lol7: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    lol8: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def project(tmp_path: Path, stack_text: str, project_text: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_text or (PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.test.yaml").write_text(stack_text)
    return tmp_path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(StackFileError) as caught:
        load_stack_settings(directory, "test")
    return caught.value.problems


def dev_text() -> str:
    return (PROJECT_DIR / "Pulumi.dev.yaml").read_text()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_load(stack: str) -> None:
    settings = load_stack_settings(PROJECT_DIR, stack)
    assert settings.project == "iamtiers"
    assert json.loads(settings.config["iamtiers:account"])["id"] in {"111111111111", "222222222222"}


# --- duplicate keys ---------------------------------------------------------------------------


def test_a_second_top_level_block_is_refused_not_merged(tmp_path: Path) -> None:
    text = dev_text() + "\n  iamtiers:users:\n    items: []\n"
    last_line = len(text.splitlines()) - 1
    first_line = dev_text().splitlines().index("  iamtiers:users:") + 1
    problems = problems_of(project(tmp_path, text))
    assert problems == [
        f"{tmp_path / 'Pulumi.test.yaml'}:{last_line}: duplicate key 'config.iamtiers:users' (first on "
        f"line {first_line}); YAML would silently keep only the last one, so merge the two into one entry"
    ]


def test_a_repeated_key_inside_a_list_item_is_refused(tmp_path: Path) -> None:
    text = dev_text().replace(
        "        groups: [LabGuest]\n", "        groups: [LabGuest]\n        groups: [LabUser]\n"
    )
    problems = problems_of(project(tmp_path, text))
    assert len(problems) == 1
    assert ": duplicate key 'config.iamtiers:users.items[5].groups' (first on line " in problems[0]


def test_duplicates_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    text = (
        "config:\n  aws:region: eu-west-1\n  iamtiers:account:\n    id: '1'\n    id: '2'\n  aws:region: x\n"
    )
    problems = problems_of(project(tmp_path, text))
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == ["5", "6"]
    assert "'config.iamtiers:account.id' (first on line 4)" in problems[0]
    assert "'config.aws:region' (first on line 2)" in problems[1]


def test_keys_that_json_would_merge_are_duplicates(tmp_path: Path) -> None:
    # `1` and "1" (or true and "true") become one key once the value is JSON text.
    text = "config:\n  iamtiers:account: {id: '111111111111', alias: acme-test}\n  aws:x: {1: a, '1': b}\n"
    assert "duplicate key 'config.aws:x.1'" in problems_of(project(tmp_path, text))[0]


def test_duplicate_keys_in_the_project_file_are_refused(tmp_path: Path) -> None:
    project_text = (PROJECT_DIR / "Pulumi.yaml").read_text() + "name: other\n"
    problems = problems_of(project(tmp_path, dev_text(), project_text))
    assert len(problems) == 1
    assert "Pulumi.yaml:" in problems[0] and "duplicate key 'name' (first on line 1)" in problems[0]


# --- anchors and aliases ----------------------------------------------------------------------


def test_alias_bomb_is_refused_before_anything_is_constructed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = yaml.composer.Composer.compose_document

    def compose_unless_bomb(loader: Any) -> Any:
        # The reader keeps the text it was given in `buffer`; Pulumi.yaml is composed as usual.
        assert "lol" not in loader.buffer, "the alias bomb reached the composer"
        return compose(loader)

    monkeypatch.setattr(yaml.composer.Composer, "compose_document", compose_unless_bomb)
    problems = problems_of(project(tmp_path, ALIAS_BOMB))
    assert len(problems) == 9  # one line per line that defines or uses an anchor
    assert problems[0] == (
        f"{tmp_path / 'Pulumi.test.yaml'}:4: anchor '&a': stack files may not use YAML anchors/aliases; "
        "write the values out"
    )
    assert problems[1].endswith(
        ":5: anchor '&b', alias '*a': stack files may not use YAML anchors/aliases; write the values out"
    )


def test_an_anchor_without_alias_and_a_merge_key_are_refused(tmp_path: Path) -> None:
    text = "config:\n  iamtiers:account: &acct {id: '111111111111'}\n  aws:x:\n    <<: {a: 1}\n"
    problems = problems_of(project(tmp_path, text))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "anchor '&acct': stack files may not use YAML anchors/aliases; write the values out",
        "merge key '<<': stack files may not use YAML anchors/aliases; write the values out",
    ]


# --- config namespaces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "iamtier:users",
            "namespace 'iamtier' is not this project's ('iamtiers'); did you mean 'iamtiers:users'?",
        ),
        (
            "IAMTIERS:users",
            "namespace 'IAMTIERS' is not this project's ('iamtiers'); did you mean 'iamtiers:users'?",
        ),
        ("iam-tiers:groups", "did you mean 'iamtiers:groups'?"),
        ("iamtier:usres", "did you mean 'iamtiers:users'?"),
        (
            "iamtiers-users",
            "'iamtiers:iamtiers-users' is not a config key of this project; did you mean 'iamtiers:users'?",
        ),
        (
            "iamtiers:user",
            "'iamtiers:user' is not a config key of this project; did you mean 'iamtiers:users'?",
        ),
        ("gruops", "'iamtiers:gruops' is not a config key of this project; did you mean 'iamtiers:groups'?"),
        ("AWS:region", "namespace 'AWS' is not the AWS provider's ('aws'); did you mean 'aws:region'?"),
    ],
)
def test_config_key_typos_are_refused_with_a_suggestion(key: str, expected: str) -> None:
    problems = config_key_problems([key], "iamtiers", DECLARED)
    assert len(problems) == 1 and problems[0][0] == key
    assert expected in problems[0][1]


def test_unknown_project_key_without_a_close_match_lists_the_declared_keys() -> None:
    [(_, message)] = config_key_problems(["iamtiers:zzz"], "iamtiers", DECLARED)
    assert message.startswith(
        "'iamtiers:zzz' is not a config key of this project (declared: iamtiers:account,"
    )
    assert message.endswith("; declare it in Pulumi.yaml or remove it")


@pytest.mark.parametrize(
    "key", ["iamtiers:users", "users", "aws:region", "awsx:foo", "pulumi:tags", "gcp:zone"]
)
def test_known_and_foreign_keys_pass(key: str) -> None:
    assert config_key_problems([key], "iamtiers", DECLARED) == []


def test_without_declarations_only_namespaces_are_judged() -> None:
    assert config_key_problems(["iamtiers:anything"], "iamtiers", set()) == []
    assert config_key_problems(["iamtier:anything"], "iamtiers", set())[0][1].endswith(
        "did you mean 'iamtiers:anything'?"
    )


def test_namespace_typo_in_a_stack_file_names_file_and_line(tmp_path: Path) -> None:
    text = dev_text().replace("  iamtiers:users:\n", "  iamtier:users:\n")
    line = text.splitlines().index("  iamtier:users:") + 1
    problems = problems_of(project(tmp_path, text))
    assert problems == [
        f"{tmp_path / 'Pulumi.test.yaml'}:{line}: config key 'iamtier:users': namespace 'iamtier' is not "
        "this project's ('iamtiers'); did you mean 'iamtiers:users'?"
    ]


def test_config_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    problems = problems_of(project(tmp_path, "config:\n  - iamtiers:users\n"))
    assert problems == [
        f"{tmp_path / 'Pulumi.test.yaml'}:2: 'config' must be a mapping of 'namespace:key' to value"
    ]


def test_every_kind_of_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = dev_text().replace("  iamtiers:users:\n", "  iamtier:users:\n") + "  aws:region: us-east-1\n"
    problems = problems_of(project(tmp_path, text))
    assert len(problems) == 2, problems
    assert "duplicate key 'config.aws:region'" in problems[0]
    assert "did you mean 'iamtiers:users'?" in problems[1]
    error = StackFileError(problems)
    assert str(error).splitlines()[0] == "2 problems in the project and stack files:"
    assert str(error).splitlines()[1:] == [f"  - {p}" for p in problems]


def test_a_single_problem_stays_one_line() -> None:
    assert str(StackFileError("Pulumi.x.yaml: file not found")) == "Pulumi.x.yaml: file not found"


def test_the_reader_is_a_safe_loader() -> None:
    assert issubclass(stack_files.StackFileLoader, yaml.SafeLoader)


# --- end to end: `iamtiers check` ----------------------------------------------------


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "test", "--project-dir", str(directory)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""  # no plan: nothing was registered
    for line in expected:
        assert line in result.stderr, result.stderr


def test_check_refuses_a_duplicate_block(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    directory = project_with_stack(stack_config("dev"))
    (directory / "Pulumi.test.yaml").write_text(dev_text() + "\n  iamtiers:users:\n    items: []\n")
    assert_clean_error(
        check(directory),
        "error: stack 'test': ",
        "Pulumi.test.yaml:",
        "duplicate key 'config.iamtiers:users'",
    )


def test_check_refuses_an_alias_bomb(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    directory = project_with_stack(stack_config("dev"))
    (directory / "Pulumi.test.yaml").write_text(ALIAS_BOMB)
    assert_clean_error(
        check(directory),
        "error: stack 'test': 9 problems in the project and stack files:",
        "Pulumi.test.yaml:12: anchor '&i', alias '*h': stack files may not use YAML anchors/aliases",
    )


def test_check_refuses_a_namespace_typo(project_with_stack: Callable[[dict[str, Any]], Path]) -> None:
    directory = project_with_stack(stack_config("dev"))
    (directory / "Pulumi.test.yaml").write_text(
        dev_text().replace("  iamtiers:users:\n", "  iamtier:users:\n")
    )
    assert_clean_error(check(directory), "did you mean 'iamtiers:users'?")


def test_check_lists_every_config_problem_one_per_line(
    project_with_stack: Callable[[dict[str, Any]], Path],
) -> None:
    config = stack_config("dev")
    users = config["iamtiers:users"]["items"]
    users[5]["name"] = "farah.haddád"
    users[0]["tags"] = {"aws:team": "soc"}
    config["iamtiers:groups"]["items"][2]["statements"][0]["conditions"] = {"StringEqual": {"aws:x": "y"}}
    directory = project_with_stack(config)
    result = check(directory)
    assert_clean_error(
        result,
        "error: stack 'test': stack config has 3 problem(s):",
        "  - iamtiers:users.items[5].name: 'farah.haddád' is not a valid IAM user name",
        "  - iamtiers:users.items[0].tags.aws:team: tag key 'aws:team' starts with 'aws:'",
        "unknown condition operator 'StringEqual' (did you mean 'StringEquals'?)",
    )


def test_a_misspelt_namespace_stops_the_program_under_the_real_cli_too() -> None:
    """The CLI hands the program every key; the program's own loader refuses a misspelt namespace."""
    settings = load_stack_settings(PROJECT_DIR, "dev")
    users = settings.config.pop("iamtiers:users")
    config = {**settings.config, "iamtier:users": users}

    def program() -> None:
        runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")

    with pytest.raises(ProgramError) as raised:
        record(program, replace(settings, config=config), preview=True)
    message = str(raised.value)
    assert "iamtier:users: namespace 'iamtier' is not this project's ('iamtiers')" in message
    assert "did you mean 'iamtiers:users'?" in message
