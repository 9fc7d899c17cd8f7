"""The package tree keeps to DESIGN.md's map: no import circles, arrows point one way.

Imports are read from the source with :mod:`ast` (nothing is imported), so a
circle hidden behind ``if TYPE_CHECKING`` or inside a function counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "soulsync"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project modules ``path`` imports, wherever in the file the import stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                target = candidate if candidate in known else node.module
                if target in known:
                    yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: {t for t in _imports(path, known) if t != name} for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_sees_a_two_module_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_no_cli_modules_at_the_package_root() -> None:
    assert sorted(p.name for p in PACKAGE.glob("cli_*.py")) == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("soulsync.matching", ("soulsync.services", "soulsync.providers", "soulsync.web")),
        ("soulsync.library", ("soulsync.services", "soulsync.web", "soulsync.cli")),
        ("soulsync.providers", ("soulsync.services", "soulsync.web", "soulsync.cli")),
        ("soulsync.services", ("soulsync.web", "soulsync.cli", "soulsync.sandbox")),
        ("soulsync.store", ("soulsync.services", "soulsync.web", "soulsync.cli")),
        ("soulsync.domain", ("soulsync.",)),
    ],
)
def test_arrows_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    graph = _graph()
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target.startswith(f) for f in forbidden)
    )
    assert wrong == []


def test_sandbox_is_used_only_by_the_demo_and_the_tests() -> None:
    graph = _graph()
    users = sorted(
        module
        for module, targets in graph.items()
        if not module.startswith("soulsync.sandbox")
        and any(t.startswith("soulsync.sandbox") for t in targets)
    )
    assert users == ["soulsync.cli.demo", "soulsync.demo"]


def test_test_module_names_are_unique() -> None:
    # pytest imports test files by base name (no __init__.py): two test_x.py in
    # different folders stop the whole run at collection.
    tests = Path(__file__).resolve().parents[1]
    names = [p.name for p in tests.rglob("*.py") if p.name not in ("conftest.py", "__init__.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
