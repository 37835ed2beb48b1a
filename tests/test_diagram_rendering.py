"""The access diagram as Mermaid draws it: no edge passes through a node it does not touch.

A diagram where the edge LabAdmin → SOC_Analyst runs through the SOC_Administrator box reads as
"SOC_Administrator → SOC_Analyst", an access that does not exist. This renders each shipped stack's
diagram with mermaid-cli (dev-only, scripts/mermaid/; `make render-test`), reads the node boxes and the
edge paths from the SVG and checks every drawn curve against every box. Without mermaid-cli the test
skips and says how to install it: the rest of the suite needs no node.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from offline.access.generate import generate
from offline.running.stack_files import load_stack_settings
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, stack_run

MERMAID_DIR = PROJECT_DIR / "scripts" / "mermaid"
MMDC = MERMAID_DIR / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG = MERMAID_DIR / "puppeteer-config.json"
CHROMIUM = Path(os.environ.get("IAMTIERS_CHROMIUM", "/usr/bin/chromium"))
SVG = "{http://www.w3.org/2000/svg}"
# Curves are sampled this finely; a box is shrunk by this margin so that touching its border (an edge
# running alongside) is not counted as passing through it.
SAMPLES_PER_SEGMENT = 40
MARGIN = 2.0
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_TRANSLATE = re.compile(r"translate\(\s*(-?[\d.e-]+)[ ,]+(-?[\d.e-]+)\s*\)")
_DIAGRAM = re.compile(r"^```mermaid\n(.*?)\n```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Box:
    node: str
    left: float
    top: float
    right: float
    bottom: float

    def holds(self, x: float, y: float) -> bool:
        return self.left + MARGIN < x < self.right - MARGIN and self.top + MARGIN < y < self.bottom - MARGIN


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]


def _missing_renderer() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not MMDC.is_file():
        return "mermaid-cli is not installed: run `make render-test` (it installs it from its lock file)"
    if not CHROMIUM.is_file():
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set IAMTIERS_CHROMIUM)"
    return None


def render_svg(diagram: str, workdir: Path) -> str:
    """The SVG mermaid-cli draws for `diagram` (Mermaid source, without the Markdown fence)."""
    source, output = workdir / "diagram.mmd", workdir / "diagram.svg"
    source.write_text(diagram, encoding="utf-8")
    config = workdir / "puppeteer.json"
    config.write_text(
        PUPPETEER_CONFIG.read_text(encoding="utf-8").replace("/usr/bin/chromium", str(CHROMIUM)),
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(MMDC), "--quiet", "-p", str(config), "-i", str(source), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"mmdc failed: {result.stderr}"
    return output.read_text(encoding="utf-8")


def _offsets(root: ET.Element) -> dict[ET.Element, tuple[float, float]]:
    """Each element's translation, the sum of its own and its ancestors' `translate(...)`."""
    offsets: dict[ET.Element, tuple[float, float]] = {}

    def walk(element: ET.Element, x: float, y: float) -> None:
        if match := _TRANSLATE.search(element.get("transform", "")):
            x, y = x + float(match.group(1)), y + float(match.group(2))
        offsets[element] = (x, y)
        for child in element:
            walk(child, x, y)

    walk(root, 0.0, 0.0)
    return offsets


def _shape_points(element: ET.Element) -> list[tuple[float, float]]:
    if element.tag == f"{SVG}rect":
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        return [(x, y), (x + float(element.get("width", 0)), y + float(element.get("height", 0)))]
    if element.tag in (f"{SVG}path", f"{SVG}polygon"):
        numbers = [float(n) for n in _NUMBER.findall(element.get("d") or element.get("points") or "")]
        return list(zip(numbers[::2], numbers[1::2], strict=False))
    return []


def node_boxes(svg: str, nodes: set[str]) -> list[Box]:
    """The box of every node (by its Mermaid id) in the SVG, in SVG coordinates."""
    root = ET.fromstring(svg)  # noqa: S314 - the SVG our own mermaid-cli run just wrote
    offsets = _offsets(root)
    boxes = []
    for group in root.iter(f"{SVG}g"):
        if "node" not in (group.get("class") or "").split():
            continue
        match = re.search(r"flowchart-(.+)-\d+$", group.get("id", ""))
        if not match or match.group(1) not in nodes:
            continue
        points: list[tuple[float, float]] = []
        for shape in group.iter():
            dx, dy = offsets[shape]
            points.extend((x + dx, y + dy) for x, y in _shape_points(shape))
        xs, ys = [x for x, _ in points], [y for _, y in points]
        boxes.append(Box(match.group(1), min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _bezier(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], p3: tuple[float, float]
) -> list[tuple[float, float]]:
    samples = []
    for step in range(1, SAMPLES_PER_SEGMENT + 1):
        t = step / SAMPLES_PER_SEGMENT
        u = 1 - t
        samples.append(
            tuple(
                u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * d
                for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
            )
        )
    return samples  # type: ignore[return-value]


def _path_points(d: str, dx: float, dy: float) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (what Mermaid's edge curves are made of)."""
    points: list[tuple[float, float]] = []
    for command, arguments in re.findall(r"([MLC])([^MLC]*)", d):
        numbers = [float(n) for n in _NUMBER.findall(arguments)]
        pairs = [(x + dx, y + dy) for x, y in zip(numbers[::2], numbers[1::2], strict=False)]
        if command == "C":
            for index in range(0, len(pairs) - 2, 3):
                points.extend(_bezier(points[-1], *pairs[index : index + 3]))
        elif command == "L":
            for x, y in pairs:
                x0, y0 = points[-1]
                points.extend(
                    (x0 + (x - x0) * s / SAMPLES_PER_SEGMENT, y0 + (y - y0) * s / SAMPLES_PER_SEGMENT)
                    for s in range(1, SAMPLES_PER_SEGMENT + 1)
                )
        else:
            points.extend(pairs)
    return points


def edges(svg: str, diagram_edges: set[tuple[str, str]]) -> list[Edge]:
    """Every drawn edge, its ends read from the id Mermaid gives it (`L_<source>_<target>_<n>`)."""
    root = ET.fromstring(svg)  # noqa: S314 - the SVG our own mermaid-cli run just wrote
    offsets = _offsets(root)
    by_id = {f"L_{source}_{target}": (source, target) for source, target in diagram_edges}
    found = []
    for path in root.iter(f"{SVG}path"):
        if "flowchart-link" not in (path.get("class") or "").split():
            continue
        match = re.search(r"(L_.+)_\d+$", path.get("data-id") or path.get("id") or "")
        assert match and match.group(1) in by_id, f"an edge the diagram does not declare: {path.get('id')}"
        source, target = by_id[match.group(1)]
        found.append(Edge(source, target, tuple(_path_points(path.get("d", ""), *offsets[path]))))
    return found


def diagram_of(document: str) -> str:
    match = _DIAGRAM.search(document)
    assert match, "no ```mermaid block"
    return match.group(1)


def declared(diagram: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The node ids and the (source, target) edges of a diagram's source."""
    nodes = set(re.findall(r"^\s*([A-Za-z0-9_]+)(?:\[|\(\[)", diagram, re.MULTILINE))
    pairs = set(
        re.findall(r"^\s*([A-Za-z0-9_]+) -{2,}>(?:\|[^|]*\|)? ([A-Za-z0-9_]+)$", diagram, re.MULTILINE)
    )
    return nodes - {"subgraph"}, pairs


def crossings(svg: str, diagram: str) -> list[str]:
    """Every (edge, node) where the drawn edge passes through a node that is neither of its ends."""
    nodes, pairs = declared(diagram)
    boxes = node_boxes(svg, nodes)
    assert {box.node for box in boxes} == nodes, "a node of the diagram is not in the SVG"
    drawn = edges(svg, pairs)
    assert {(edge.source, edge.target) for edge in drawn} == pairs, "an edge of the diagram is not drawn"
    return [
        f"{edge.source} --> {edge.target} passes through {box.node}"
        for edge in drawn
        for box in boxes
        if box.node not in (edge.source, edge.target) and any(box.holds(x, y) for x, y in edge.points)
    ]


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_no_edge_passes_through_a_node_it_does_not_touch(stack: str, tmp_path: Path) -> None:
    if reason := _missing_renderer():
        pytest.skip(f"renders with mermaid-cli: {reason}")
    settings = load_stack_settings(PROJECT_DIR, stack)
    text = generate(
        stack_run(stack, preview=False),
        settings,
        PROJECT_DIR,
        PROJECT_DIR / f"policypack/config/{stack}.json",
    )
    diagram = diagram_of(text)
    assert crossings(render_svg(diagram, tmp_path), diagram) == []


def _subgraphs(diagram: str) -> dict[str, list[str]]:
    """Each subgraph's node ids, in the order they are declared."""
    members: dict[str, list[str]] = {}
    current = None
    for line in (line.strip() for line in diagram.splitlines()):
        if match := re.match(r"subgraph ([a-z]+)\[", line):
            current = members.setdefault(match.group(1), [])
        elif line == "end":
            current = None
        elif (match := re.match(r"([A-Za-z0-9_]+)(\[|\(\[)", line)) and current is not None:
            current.append(match.group(1))
    return members


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_each_kind_of_node_has_its_subgraph_and_group_edges_do_not_cross(stack: str) -> None:
    """What the layout relies on, without a renderer: users, groups, trusted principals and tiers each
    in their own subgraph (so each kind takes its own rank), and the groups and tiers declared in an
    order where no two group → tier edges cross, which Mermaid's layout then keeps."""
    settings = load_stack_settings(PROJECT_DIR, stack)
    diagram = diagram_of(
        generate(
            stack_run(stack, preview=False),
            settings,
            PROJECT_DIR,
            PROJECT_DIR / f"policypack/config/{stack}.json",
        )
    )
    members = _subgraphs(diagram)
    nodes, pairs = declared(diagram)
    prefixes = {
        "users": ("user_",),
        "groups": ("group_",),
        "trusted": ("trusted_",),
        "tiers": ("tier_",),
        # Identity Center (offline/access/diagram.py): directory → permission sets → accounts.
        "directory": ("ic_group_", "ic_user_"),
        "permsets": ("pset_",),
        "accounts": ("account_",),
    }
    assert set(members) <= set(prefixes)
    assert sorted(node for ids in members.values() for node in ids) == sorted(nodes), (
        "a node outside the subgraphs"
    )
    for kind, prefix in prefixes.items():
        assert all(node.startswith(prefix) for node in members.get(kind, [])), (
            f"{kind}: a node of another kind"
        )
    group_at = {node: index for index, node in enumerate(members.get("groups", []))}
    tier_at = {node: index for index, node in enumerate(members.get("tiers", []))}
    grants = sorted((group_at[s], tier_at[t]) for s, t in pairs if s in group_at)
    crossing = [(a, b) for a in grants for b in grants if a[0] < b[0] and a[1] > b[1]]
    assert crossing == [], "group → tier edges cross in the declared order"
