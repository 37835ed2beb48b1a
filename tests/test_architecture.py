"""The house's shape: no import cycle anywhere, `offline/` rooms import only the rooms before them,
nothing imports the command line, and the config model stays in small modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACK_DIR = PROJECT_DIR / "policypack"
# The order data flows through offline/: a room may import only the rooms before it.
OFFLINE_ROOMS = ("running", "judging", "reporting", "access", "operations")
CONFIG_MODULE_LINES = 300


def _module_name(path: Path) -> str:
    root = PACK_DIR if path.is_relative_to(PACK_DIR / "iam_guard") else PROJECT_DIR
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or "__main__"


def project_modules() -> dict[str, Path]:
    """Every Python module of the product, the pack's package, the benchmarks, scripts and tests."""
    files = [PROJECT_DIR / "__main__.py"]
    for folder in ("components", "offline", "bench", "scripts", "tests"):
        files.extend(sorted((PROJECT_DIR / folder).rglob("*.py")))
    files.extend(sorted((PACK_DIR / "iam_guard").rglob("*.py")))
    return {_module_name(path): path for path in files}


def _imported(path: Path, module: str, known: set[str]) -> Iterator[str]:
    """The project modules `path` imports, at any depth of its code (lazy imports count too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            # `import a.b.c` also runs a and a.b: every known prefix is imported.
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if prefix in known and prefix != module:
                    yield prefix


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {module: set(_imported(path, module, known)) for module, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, as the modules along it, or None. A package's own `__init__`
    importing its submodules is how packages re-export and is not a cycle of the submodule."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if module.startswith(f"{target}."):
                continue  # a submodule always runs its package's __init__ first
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycle_anywhere() -> None:
    assert _cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_offline_has_no_module_at_its_top_level_but_the_command_line() -> None:
    top = sorted(path.name for path in (PROJECT_DIR / "offline").glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py"]
    rooms = sorted(
        path.name
        for path in (PROJECT_DIR / "offline").iterdir()
        if path.is_dir() and path.name != "__pycache__"
    )
    assert rooms == sorted(OFFLINE_ROOMS)


def _room(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "offline" and len(parts) > 1 and parts[1] in OFFLINE_ROOMS:
        return OFFLINE_ROOMS.index(parts[1])
    return None


@pytest.mark.parametrize("room", OFFLINE_ROOMS)
def test_each_offline_room_imports_only_the_rooms_before_it(room: str) -> None:
    graph = import_graph()
    upward = {
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _room(module) == OFFLINE_ROOMS.index(room)
        for target in targets
        if (_room(target) or 0) > OFFLINE_ROOMS.index(room) or target == "offline.cli"
    }
    assert upward == set()


def test_each_offline_room_says_what_enters_and_what_leaves() -> None:
    for room in OFFLINE_ROOMS:
        docstring = ast.get_docstring(ast.parse((PROJECT_DIR / "offline" / room / "__init__.py").read_text()))
        assert docstring and "Enters:" in docstring and "Leaves:" in docstring, room


def test_nothing_in_the_product_imports_the_command_line() -> None:
    importers = {
        module
        for module, targets in import_graph().items()
        if "offline.cli" in targets and not module.startswith(("tests", "bench"))
    }
    assert importers == {"offline.__main__"}


def test_every_config_module_is_small() -> None:
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (PROJECT_DIR / "components" / "config").glob("*.py")
    }
    assert sizes, "components/config/ is a package of modules"
    assert {name: lines for name, lines in sizes.items() if lines >= CONFIG_MODULE_LINES} == {}
