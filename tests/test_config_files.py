"""Collection files (`iamtiers:users: {file: people/<stack>-users.yaml}`) and the size of PULUMI_CONFIG.

Through the loader directly (components/config_files.py, components/config/loader.py under the mock
runtime, as the real CLI would run it) and through `iamtiers check` on temp projects.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import offline.cli
import offline.operations.check
from components.config import ConfigError, parse_stack_config
from components.config_files import (
    MAX_FILE_BYTES,
    CollectionFileError,
    read_collection_file,
    read_collection_files,
)
from components.config_variable import (
    CONFIG_VARIABLE_LIMIT,
    MAX_ARG_STRLEN,
    config_value_text,
    config_variable,
    config_variable_size,
    go_json,
)
from offline.judging.analyzer_client import PACK_DIR, PolicyPackError, PolicyPackProcess, cli_environment
from offline.reporting.check_report import report_document
from offline.running.engine import ProgramError, StackRun, record, run_stack
from offline.running.stack_files import StackSettings, load_stack_settings
from tests.conftest import PROJECT_DIR, stack_config

PEOPLE_FILE = "people/test-users.yaml"
SHIPPED_STACK = "people-test"
SHIPPED_PEOPLE_FILE = "people/people-test-users.yaml"
COLLECTIONS = ("users", "groups", "role_tiers")
NO_ANCHORS = "collection files may not use YAML anchors/aliases; write the values out"
NOT_DEFAULTS_AND_ITEMS = (
    f"{PEOPLE_FILE}: iamtiers:users: expected a mapping of 'defaults' and 'items' at the top"
)


def write_project(directory: Path, config: dict[str, Any], files: dict[str, str] | None = None) -> Path:
    """A project dir whose `test` stack holds `config`, with files (relative path -> text) beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (directory / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    main = directory / "__main__.py"
    if not main.exists():
        main.symlink_to(PROJECT_DIR / "__main__.py")
    for relative, text in (files or {}).items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_text(text)
    return directory


def dev_with_users_file(directory: Path, users_text: str | None = None) -> Path:
    """dev, its users moved to people/test-users.yaml (`users_text` replaces the file's text)."""
    config = stack_config("dev")
    users = config["iamtiers:users"]
    config["iamtiers:users"] = {"file": PEOPLE_FILE}
    text = users_text if users_text is not None else yaml.safe_dump(users, sort_keys=False)
    return write_project(directory, config, {PEOPLE_FILE: text})


def users_text_with(old: str, new: str) -> str:
    """dev's users as a people file, with one text edit."""
    text = yaml.safe_dump(stack_config("dev")["iamtiers:users"], sort_keys=False)
    assert old in text
    return text.replace(old, new, 1)


def line_in(text: str, pattern: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if re.search(pattern, line))


def dev_raw() -> dict[str, Any]:
    return {
        key.split(":", 1)[1]: value
        for key, value in stack_config("dev").items()
        if key.startswith("iamtiers:")
    }


def loader_problems(directory: Path, raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        resolved, files = read_collection_files(raw, directory, "iamtiers")
        parse_stack_config(resolved, files=files)
    return caught.value.problems


def check_in_process(
    directory: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    code = offline.cli.main(["check", "--stack", "test", "--project-dir", str(directory), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_refused(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 2, err
    assert out == ""  # no plan: nothing was registered
    assert "Traceback" not in out + err
    for text in expected:
        assert text in err, err


# --- the same registrations -----------------------------------------------------------------------


def comparable(run: StackRun) -> list[tuple[Any, ...]]:
    """Every registration as the engine received it; dependency lists sorted (siblings register from
    several threads, so their order is the order they finished in)."""
    return sorted(
        (
            r.urn,
            r.type,
            r.name,
            r.parent,
            r.custom,
            r.inputs,
            sorted(r.dependencies),
            {key: sorted(urns) for key, urns in r.property_dependencies.items()},
            r.outputs,
        )
        for r in run.registrations
    )


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_the_file_form_registers_exactly_what_the_inline_form_does(tmp_path: Path, preview: bool) -> None:
    config = stack_config("dev")
    inline = write_project(tmp_path / "inline", config)
    in_files = dict(config)
    texts: dict[str, str] = {}
    for key in COLLECTIONS:
        relative = f"people/test-{key}.yaml"
        texts[relative] = yaml.safe_dump(config[f"iamtiers:{key}"], sort_keys=False)
        in_files[f"iamtiers:{key}"] = {"file": relative}
    files = write_project(tmp_path / "files", in_files, texts)
    runs = [run_stack(directory, "test", preview=preview) for directory in (inline, files)]
    assert len(runs[0].registrations) > 100
    assert comparable(runs[0]) == comparable(runs[1])
    assert runs[0].outputs == runs[1].outputs


def test_the_shipped_people_stack_reads_its_people_file() -> None:
    settings = load_stack_settings(PROJECT_DIR, SHIPPED_STACK)
    assert json.loads(settings.config["iamtiers:users"]) == {"file": SHIPPED_PEOPLE_FILE}
    run = run_stack(PROJECT_DIR, SHIPPED_STACK, preview=False)
    people = yaml.safe_load((PROJECT_DIR / SHIPPED_PEOPLE_FILE).read_text())["items"]
    users = [r.inputs["name"] for r in run.by_type("aws:iam/user:User")]
    assert sorted(users) == sorted(person["name"] for person in people)


# --- refusals, through the loader -----------------------------------------------------------------


def test_a_duplicate_key_in_a_people_file_is_refused_with_its_lines(tmp_path: Path) -> None:
    text = users_text_with("  groups:\n  - LabGuest\n", "  groups:\n  - LabGuest\n  groups:\n  - LabUser\n")
    directory = dev_with_users_file(tmp_path, text)
    first, second = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  groups:"][5:7]
    assert loader_problems(directory, {**dev_raw(), "users": {"file": PEOPLE_FILE}}) == [
        f"{PEOPLE_FILE}:{second}: duplicate key 'iamtiers:users.items[5].groups' (first on line {first}); "
        "YAML would silently keep only the last one, so merge the two into one entry"
    ]


def test_an_alias_in_a_people_file_is_refused(tmp_path: Path) -> None:
    text = (
        "defaults: {groups: &soc [SOC_Admins]}\n"
        "items:\n  - {name: alice.nguyen, groups: *soc}\n  - {name: bashir.khan, groups: [SOC_Admins]}\n"
    )
    directory = dev_with_users_file(tmp_path, text)
    assert loader_problems(directory, {**dev_raw(), "users": {"file": PEOPLE_FILE}}) == [
        f"{PEOPLE_FILE}:1: anchor '&soc': {NO_ANCHORS}",
        f"{PEOPLE_FILE}:3: alias '*soc': {NO_ANCHORS}",
    ]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (
            "people/nobody.yaml",
            "iamtiers:users.file: 'people/nobody.yaml' not found in the project directory",
        ),
        ("people", "iamtiers:users.file: 'people' is not a YAML file; name it .yaml or .yml"),
        ("/etc/passwd.yaml", "iamtiers:users.file: '/etc/passwd.yaml' is absolute; give it from the project"),
        ("../outside.yaml", "iamtiers:users.file: '../outside.yaml' is outside the project directory"),
        (
            "people/../../outside.yaml",
            "iamtiers:users.file: 'people/../../outside.yaml' is outside the project",
        ),
        ("people/escape.yaml", "iamtiers:users.file: 'people/escape.yaml' is outside the project"),  # symlink
        (
            "people/notes.txt",
            "iamtiers:users.file: 'people/notes.txt' is not a YAML file; name it .yaml or .yml",
        ),
        (["people/a.yaml"], "iamtiers:users.file: expected a path relative to the project directory"),
    ],
)
def test_a_reference_that_does_not_name_a_file_in_the_project_is_refused(
    tmp_path: Path, reference: Any, expected: str
) -> None:
    directory = dev_with_users_file(tmp_path / "project")
    (tmp_path / "outside.yaml").write_text("items: []\n")
    (directory / "people" / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    (directory / "people" / "notes.txt").write_text("items: []\n")
    [problem] = loader_problems(directory, {**dev_raw(), "users": {"file": reference}})
    assert problem.startswith(expected), problem


def test_file_mixed_with_other_keys_is_refused(tmp_path: Path) -> None:
    directory = dev_with_users_file(tmp_path)
    raw = {**dev_raw(), "users": {"file": PEOPLE_FILE, "items": [], "defaults": {}}}
    assert loader_problems(directory, raw) == [
        "iamtiers:users: 'file' cannot be combined with 'defaults', 'items'; keep {defaults, items} in the "
        "file and only 'file' under iamtiers:users"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("items: [\n", f"{PEOPLE_FILE}: not valid YAML: "),
        ("", f"{NOT_DEFAULTS_AND_ITEMS}, found an empty file"),
        ("- name: a\n", f"{NOT_DEFAULTS_AND_ITEMS}, found a list"),
        ("defaults: {}\n", f"{PEOPLE_FILE}: iamtiers:users.items: required key is missing; list the entries"),
        (
            "items: []\nitem: []\n",
            f"{PEOPLE_FILE}:2: iamtiers:users.item: unknown key (did you mean 'items'?); a collection file "
            "holds 'defaults' and 'items'",
        ),
        ("items: []\nfile: other.yaml\n", f"{PEOPLE_FILE}:2: iamtiers:users.file: unknown key"),
    ],
)
def test_a_file_that_is_not_yaml_of_defaults_and_items_is_refused(
    tmp_path: Path, text: str, expected: str
) -> None:
    directory = dev_with_users_file(tmp_path, text)
    [problem] = loader_problems(directory, {**dev_raw(), "users": {"file": PEOPLE_FILE}})
    assert problem.startswith(expected), problem


def test_a_bad_item_gets_the_models_message_after_the_file_and_line(tmp_path: Path) -> None:
    text = users_text_with("name: farah.haddad\n", "name: farah.haddád\n").replace(
        "- SOC_Admins\n", "- SOC_Admin\n", 1
    )
    directory = dev_with_users_file(tmp_path, text)
    inline = dev_raw()
    inline["users"]["items"][5]["name"] = "farah.haddád"
    inline["users"]["items"][0]["groups"] = ["SOC_Admin"]
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(inline)
    inline_problems = caught.value.problems
    problems = loader_problems(directory, {**dev_raw(), "users": {"file": PEOPLE_FILE}})
    name_line = line_in(text, "name: farah.haddád")
    group_line = line_in(text, "- SOC_Admin$")
    # The same messages, each after the file and its line.
    assert problems == [
        f"{PEOPLE_FILE}:{name_line}: {inline_problems[0]}",
        f"{PEOPLE_FILE}:{group_line}: {inline_problems[1]}",
    ]
    assert inline_problems[0].startswith(
        "iamtiers:users.items[5].name: 'farah.haddád' is not a valid IAM user"
    )
    assert inline_problems[1] == (
        "iamtiers:users.items[0].groups[0]: unknown group 'SOC_Admin' (did you mean 'SOC_Admins'?)"
    )


def test_a_fix_in_a_role_tiers_file_names_that_file(tmp_path: Path) -> None:
    config = stack_config("dev")
    tiers = config["iamtiers:role_tiers"]
    tiers_text = yaml.safe_dump(tiers, sort_keys=False)
    directory = write_project(tmp_path, config, {"people/test-role-tiers.yaml": tiers_text})
    raw = dev_raw()
    raw["role_tiers"] = {"file": "people/test-role-tiers.yaml"}
    raw["groups"]["items"][1]["assumable_tiers"] = ["ReadOnly"]
    [problem] = loader_problems(directory, raw)
    readonly = next(i for i, tier in enumerate(tiers["items"]) if tier["name"] == "ReadOnly")
    line = line_in(tiers_text, "^- name: ReadOnly$")
    assert problem == (
        "iamtiers:groups.items[1].assumable_tiers[0]: tier 'ReadOnly' does not trust this account's users; "
        f"set iamtiers:role_tiers.items[{readonly}].trust.this_account: true "
        f"in people/test-role-tiers.yaml:{line}"
    )


def test_every_file_is_judged_before_any_is_refused(tmp_path: Path) -> None:
    directory = dev_with_users_file(tmp_path, "items: [\n")
    raw = {**dev_raw(), "users": {"file": PEOPLE_FILE}, "groups": {"file": "people/missing.yaml"}}
    problems = loader_problems(directory, raw)
    assert [p.split(":", 1)[0] for p in problems] == [PEOPLE_FILE, "iamtiers"]  # users' file, groups' key
    assert isinstance(CollectionFileError(problems), ConfigError)


# --- the program, as the real CLI runs it -------------------------------------------------------------


def program() -> None:
    import runpy

    runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")


def cli_settings(directory: Path, monkeypatch: pytest.MonkeyPatch) -> StackSettings:
    """The config in PULUMI_CONFIG as the CLI sets it, and the project as the working directory;
    nothing passed through the offline engine's own channels."""
    settings = load_stack_settings(directory, "test")
    monkeypatch.setenv("PULUMI_CONFIG", config_variable(settings.config))
    monkeypatch.chdir(directory)
    return replace(settings, config={}, project_dir=None)


def test_under_the_cli_the_program_reads_people_files_from_its_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = dev_with_users_file(tmp_path)
    run = record(program, cli_settings(directory, monkeypatch), preview=True)
    assert len(run.by_type("aws:iam/user:User")) == len(stack_config("dev")["iamtiers:users"]["items"])


def test_under_the_cli_a_duplicate_key_in_a_people_file_stops_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = dev_with_users_file(
        tmp_path, users_text_with("  path: /soc/\n", "  path: /soc/\n  path: /x/\n")
    )
    with pytest.raises(ProgramError) as raised:
        record(program, cli_settings(directory, monkeypatch), preview=True)
    message = str(raised.value)
    assert f"  - {PEOPLE_FILE}:" in message
    assert "duplicate key 'iamtiers:users.items[0].path'" in message
    assert message.endswith(f"\nFix {PEOPLE_FILE} and run again.")


# --- refusals, through `iamtiers check` ----------------------------------------------------


def test_check_refuses_a_duplicate_key_in_a_people_file(tmp_path: Path) -> None:
    text = users_text_with("  groups:\n  - LabGuest\n", "  groups:\n  - LabGuest\n  groups:\n  - LabUser\n")
    directory = dev_with_users_file(tmp_path, text)
    result = subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "test", "--project-dir", str(directory)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    second = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  groups:"][6]
    assert_refused(
        result.returncode,
        result.stdout,
        result.stderr,
        "error: stack 'test': stack config has 1 problem(s):",
        f"  - {PEOPLE_FILE}:{second}: duplicate key 'iamtiers:users.items[5].groups' (first on line",
        f"Fix {PEOPLE_FILE} and run again.",
    )


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "items:\n  - &a {name: x}\n",
            PEOPLE_FILE,
            f"{PEOPLE_FILE}:2: anchor '&a': collection files may not",
        ),
        (None, "people/nobody.yaml", "iamtiers:users.file: 'people/nobody.yaml' not found in the project"),
        (None, "../Pulumi.yaml", "iamtiers:users.file: '../Pulumi.yaml' is outside the project directory"),
        (None, "/etc/x.yaml", "iamtiers:users.file: '/etc/x.yaml' is absolute"),
    ],
    ids=["alias", "missing", "outside", "absolute"],
)
def test_check_refuses_what_the_loader_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, reference: str, expected: str
) -> None:
    directory = dev_with_users_file(tmp_path / "project", text)
    stack = (directory / "Pulumi.test.yaml").read_text().replace(PEOPLE_FILE, reference)
    (directory / "Pulumi.test.yaml").write_text(stack)
    assert_refused(*check_in_process(directory, capsys), f"  - {expected}")


def test_check_prefixes_a_bad_item_with_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = users_text_with("name: farah.haddad\n", "name: farah.haddád\n")
    directory = dev_with_users_file(tmp_path, text)
    line = line_in(text, "farah.haddád")
    assert_refused(
        *check_in_process(directory, capsys),
        f"  - {PEOPLE_FILE}:{line}: iamtiers:users.items[5].name: 'farah.haddád' is not a valid IAM user",
    )


# --- the size of PULUMI_CONFIG ------------------------------------------------------------------------


def test_go_json_writes_what_gos_json_marshal_writes() -> None:
    # Expected texts as Go's encoding/json writes them (HTML-safe, float64 numbers, sorted keys).
    value = {"b": [1, 2.5, 100.0, 1e21, 1e-7, 0.000001, True, None], "a": '<é&>\u2028\x01\n"\\'}
    assert go_json(value) == (
        '{"a":"\\u003cé\\u0026\\u003e\\u2028\\u0001\\n\\"\\\\","b":[1,2.5,100,1e+21,1e-7,0.000001,true,null]}'
    )
    assert config_value_text("eu-west-1") == "eu-west-1"
    account = config_value_text({"id": "1", "alias": "a"})
    assert account == '{"alias":"a","id":"1"}'
    # PULUMI_CONFIG: one more json.Marshal, of the map of value texts.
    assert config_variable({"iamtiers:account": account, "aws:region": "eu-west-1"}) == (
        '{"aws:region":"eu-west-1","iamtiers:account":"{\\"alias\\":\\"a\\",\\"id\\":\\"1\\"}"}'
    )


@pytest.mark.skipif(sys.platform != "linux", reason="MAX_ARG_STRLEN is Linux's")
def test_the_measured_size_is_what_linux_counts() -> None:
    def config_of_size(size: int) -> dict[str, str]:
        config = {"test:padding": ""}
        config["test:padding"] = "x" * (size - config_variable_size(config))
        assert config_variable_size(config) == size
        return config

    fits = cli_environment("iamtiers", "test", config_of_size(MAX_ARG_STRLEN))
    subprocess.run(["/bin/true"], env=fits, check=True)
    with pytest.raises(OSError) as refused:
        subprocess.run(
            ["/bin/true"], env=cli_environment("iamtiers", "test", config_of_size(MAX_ARG_STRLEN + 1))
        )
    assert refused.value.errno == errno.E2BIG


def dev_of_size(directory: Path, size: int, *, people: bool) -> Path:
    """dev in a project whose stack config, as the CLI would pass it, is exactly `size` bytes: with
    `people`, generated users bring it close; a key of another namespace (which the program ignores)
    makes up the rest."""
    config = stack_config("dev")
    config["test:padding"] = ""
    users = config["iamtiers:users"]["items"]

    def person(index: int) -> dict[str, Any]:
        generated: dict[str, Any] = copy.deepcopy(users[3])  # shared values would be dumped as YAML aliases
        return generated | {"name": f"person{index:04d}", "email": f"person{index:04d}@example.com"}

    def measured() -> int:
        return config_variable_size({key: config_value_text(value) for key, value in config.items()})

    if people:
        base = measured()
        users.append(person(0))
        each = measured() - base  # names and emails of one width: every person adds as much
        users.extend(person(index) for index in range(1, (size - base) // each - 1))
    config["test:padding"] = "x" * (size - measured())
    write_project(directory, config)
    assert config_variable_size(load_stack_settings(directory, "test").config) == size
    return directory


def test_a_config_just_above_the_limit_stops_the_check_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = dev_of_size(tmp_path, CONFIG_VARIABLE_LIMIT + 1, people=True)

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("started")

    monkeypatch.setattr(offline.operations.check, "run_stack", started)
    monkeypatch.setattr(offline.operations.check, "PolicyPackProcess", started)
    code, out, err = check_in_process(directory, capsys)
    assert_refused(
        code,
        out,
        err,
        f"error: stack 'test': the stack config is {CONFIG_VARIABLE_LIMIT + 1:,} bytes (120.0 KiB) as the "
        "CLI passes it in PULUMI_CONFIG, over this project's limit of 120.0 KiB (122,880 bytes); Linux "
        "refuses to start the program or the policy pack once that one variable passes 128 KiB "
        "(131,072 bytes;",
        "  fix: move the largest collections out of Pulumi.test.yaml, each into a file of its own ",
        "    iamtiers:users: {file: people/test-users.yaml}  # now ",
        "    iamtiers:groups: {file: people/test-groups.yaml}  # now ",
    )
    assert err.index("iamtiers:users: {file:") < err.index("iamtiers:role_tiers: {file:")  # largest first


def test_a_config_at_the_limit_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Padded rather than ~800 people, to keep the run short: the program and the pack both start.
    directory = dev_of_size(tmp_path, CONFIG_VARIABLE_LIMIT, people=False)
    pack_config = str(PACK_DIR / "config" / "dev.json")
    code, out, err = check_in_process(directory, capsys, "--pack-config", pack_config, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["stack"] == "test"


def test_the_program_stops_on_a_config_near_the_limit_under_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = dev_of_size(tmp_path, CONFIG_VARIABLE_LIMIT + 1, people=False)
    with pytest.raises(ProgramError) as raised:
        record(program, cli_settings(directory, monkeypatch), preview=True)
    assert str(raised.value).startswith(f"the stack config is {CONFIG_VARIABLE_LIMIT + 1:,} bytes")
    assert "iamtiers:users: {file: people/test-users.yaml}" in str(raised.value)


def test_a_pack_that_linux_will_not_start_is_the_same_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Past the early refusal (its limit lifted), the kernel refuses the pack's environment: no traceback.
    monkeypatch.setattr("components.config_variable.CONFIG_VARIABLE_LIMIT", 10 * MAX_ARG_STRLEN)
    directory = dev_of_size(tmp_path, MAX_ARG_STRLEN + 1, people=False)
    code, out, err = check_in_process(directory, capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(
        f"error: the policy pack could not be started: the stack config is {MAX_ARG_STRLEN + 1:,} bytes"
    )
    assert "iamtiers:users: {file: people/test-users.yaml}" in err
    with pytest.raises(PolicyPackError, match="could not be started: the stack config is"):
        PolicyPackProcess(PACK_DIR, env=cli_environment("iamtiers", "test", {"x:y": "z" * MAX_ARG_STRLEN}))
    with pytest.raises(PolicyPackError, match=r"E2BIG\); .* the largest HUGE \(131,078 bytes; one variable"):
        PolicyPackProcess(PACK_DIR, env={"HUGE": "z" * MAX_ARG_STRLEN})


# --- reports ----------------------------------------------------------------------------------------


def test_make_check_passes_the_shipped_people_stack_and_sarif_points_into_its_people_file(
    tmp_path: Path,
) -> None:
    output = tmp_path / "check.sarif"
    command = ["make", "--no-print-directory", "check", f"STACK={SHIPPED_STACK}", "FORMAT=sarif"]
    result = subprocess.run(
        [*command, f"OUTPUT={output}"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    log = json.loads(output.read_text())
    people = (PROJECT_DIR / SHIPPED_PEOPLE_FILE).read_text()
    placed = {
        r["locations"][0]["logicalLocations"][0]["name"]: (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["properties"]["configKey"],
        )
        for r in log["runs"][0]["results"]
    }
    assert placed["user-ben.okafor-login-profile"] == (
        SHIPPED_PEOPLE_FILE,
        line_in(people, "name: ben.okafor"),
        "iamtiers:users.items[1]",
    )
    stack_text = (PROJECT_DIR / f"Pulumi.{SHIPPED_STACK}.yaml").read_text()
    assert placed["group-Readers-ViewOnlyAccess"] == (
        f"Pulumi.{SHIPPED_STACK}.yaml",
        line_in(stack_text, r"managed_policies: \[job-function/ViewOnlyAccess\]"),
        "iamtiers:groups.items[1].managed_policies[0]",
    )


def test_json_report_locates_a_user_of_a_people_file() -> None:
    report = offline.operations.check.run_check(SHIPPED_STACK, PROJECT_DIR, PACK_DIR, None)
    people = (PROJECT_DIR / SHIPPED_PEOPLE_FILE).read_text()
    located = {
        violation["resource"]["name"]: violation["location"]
        for violation in report_document(report)["modes"]["update"]["violations"]
    }
    assert located["user-chen.li-login-profile"] == {
        "file": SHIPPED_PEOPLE_FILE,
        "line": line_in(people, "name: chen.li"),
        "key": "iamtiers:users.items[2]",
    }


def test_collection_files_never_reach_pulumi_config(tmp_path: Path) -> None:
    settings = load_stack_settings(dev_with_users_file(tmp_path), "test")
    assert settings.config["iamtiers:users"] == '{"file":"people/test-users.yaml"}'
    env = cli_environment(settings.project, settings.stack, settings.config)
    assert json.loads(env["PULUMI_CONFIG"]) == settings.config


# --- what the path of a collection file may lead to ----------------------------------------------

KEY = "iamtiers:users.file"


def _symlink_loop(people: Path) -> str:
    (people / "loop.yaml").symlink_to("loop.yaml")
    return "people/loop.yaml"


def _fifo(people: Path) -> str:
    os.mkfifo(people / "fifo.yaml")  # reading it would wait for a writer forever
    return "people/fifo.yaml"


def _sparse(people: Path) -> str:
    with (people / "huge.yaml").open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used, refused before a byte is read
    return "people/huge.yaml"


def _unreadable(people: Path) -> str:
    (people / "secret.yaml").write_text("items: []\n")
    (people / "secret.yaml").chmod(0)
    return "people/secret.yaml"


def _latin1(people: Path) -> str:
    (people / "latin1.yaml").write_bytes("items:\n  - name: jos\xe9\n".encode("latin-1"))
    return "people/latin1.yaml"


PATH_PROBLEMS: list[tuple[str, Any, str]] = [
    ("missing", lambda _: "people/nobody.yaml", f"{KEY}: 'people/nobody.yaml' not found in the project"),
    ("directory", lambda _: "people.yaml", f"{KEY}: 'people.yaml' is a directory, not a file; fix the path"),
    ("symlink loop", _symlink_loop, f"{KEY}: 'people/loop.yaml' is a symlink loop"),
    ("NUL byte", lambda _: "people/a\0b.yaml", f"{KEY}: 'people/a\\x00b.yaml' holds a NUL byte"),
    ("too long", lambda _: f"people/{'a' * 5000}.yaml", f"{KEY}: 'people/aaaa"),
    ("FIFO", _fifo, f"{KEY}: 'people/fifo.yaml' is not a regular file (a FIFO, socket or device)"),
    ("too big", _sparse, f"{KEY}: 'people/huge.yaml' is over 10.0 MB, the most a collection file may hold"),
    ("not UTF-8", _latin1, f"{KEY}: 'people/latin1.yaml' is not UTF-8 text (invalid continuation byte at"),
]
if os.geteuid() != 0:  # root reads any file
    PATH_PROBLEMS.append(
        ("unreadable", _unreadable, f"{KEY}: 'people/secret.yaml' cannot be read: permission")
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [(make, expected) for _, make, expected in PATH_PROBLEMS],
    ids=[n for n, *_ in PATH_PROBLEMS],
)
def test_every_path_problem_names_the_key_the_file_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, expected: str
) -> None:
    directory = dev_with_users_file(tmp_path / "project")
    (directory / "people.yaml").mkdir()
    reference = make(directory / "people")
    stack = yaml.safe_load((directory / "Pulumi.test.yaml").read_text())
    stack["config"]["iamtiers:users"] = {"file": reference}
    (directory / "Pulumi.test.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    [problem] = loader_problems(directory, {**dev_raw(), "users": {"file": reference}})
    assert problem.startswith(expected), problem
    assert len(problem) < 400  # a 5,000-character path is cut short
    assert_refused(*check_in_process(directory, capsys), f"  - {expected}", "Fix Pulumi.test.yaml")


def test_a_file_over_a_smaller_bound_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    directory = dev_with_users_file(tmp_path, "items: [\n" + "x" * 200)  # not YAML: never parsed
    with pytest.raises(CollectionFileError) as caught:
        read_collection_file("iamtiers:users", {"file": PEOPLE_FILE}, directory, max_bytes=100)
    assert caught.value.problems == [
        f"{KEY}: '{PEOPLE_FILE}' is over 100 bytes, the most a collection file may hold; a file that large "
        "is not a hand-kept collection (5,000 people take about 0.5 MB): check that the path names the "
        "right file"
    ]


def test_many_bad_items_list_the_first_fifty_and_how_many_more(tmp_path: Path) -> None:
    directory = dev_with_users_file(tmp_path, "items:\n" + '  - {name: "a b", groups: []}\n' * 60)
    with pytest.raises(ConfigError) as caught:
        resolved, files = read_collection_files(
            {**dev_raw(), "users": {"file": PEOPLE_FILE}}, directory, "iamtiers"
        )
        parse_stack_config(resolved, files=files)
    problems = caught.value.problems
    assert len(problems) >= 60  # every problem is kept
    listing = str(caught.value).splitlines()
    assert listing[0] == f"stack config has {len(problems)} problem(s):"
    assert listing[1:51] == [f"  - {problem}" for problem in problems[:50]]
    assert listing[51:] == [f"  - and {len(problems) - 50} more"]
