"""The package's shape, kept: no import cycle between any two modules, no module past ~600 lines, no
module named after a wave of work. The layers themselves are `lint-imports` contracts in
pyproject.toml, run by .ci/run; this adds what a layers contract cannot see (cycles inside a layer,
inside a subpackage, through lazy imports)."""

from __future__ import annotations

import re
from pathlib import Path

import grimp

import jobmojito_mcp

PACKAGE = Path(jobmojito_mcp.__file__).parent
MAX_LINES = 600
# What a module is, never when it was written.
WAVE_NAMES = re.compile(r"(^|_)(lifecycle|v\d+|new|old|legacy|phase\d*|misc|extra)(_|$)")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), every import counted: lazy ones
    inside functions and TYPE_CHECKING ones too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("jobmojito_mcp", cache_dir=None)
    assert len(graph.modules) > 50, "the whole package was read"
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a graph with a loop through three modules is reported."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(name)
    for importer, imported in (
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.c"),
        ("pkg.c", "pkg.a"),
        ("pkg.d", "pkg.a"),
    ):
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_module_is_too_long_to_read() -> None:
    lengths = {
        str(path.relative_to(PACKAGE)): len(path.read_text("utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert len(lengths) > 50
    assert {path: lines for path, lines in lengths.items() if lines > MAX_LINES} == {}


def test_no_module_is_named_after_a_wave_of_work() -> None:
    names = [path.relative_to(PACKAGE) for path in PACKAGE.rglob("*.py")]
    assert [
        str(name) for name in names if any(WAVE_NAMES.search(part.removesuffix(".py")) for part in name.parts)
    ] == []
