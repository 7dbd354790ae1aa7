"""The package's import graph: no cycles, and the layers import only downwards.

Read from the source with ``ast`` (every import counts, module level or inside a
function; only ``if TYPE_CHECKING:`` blocks are skipped, they never run), so a
lazy import cannot hide a cycle or a layer breach.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tushuo

ROOT = Path(tushuo.__file__).parent


def _modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        mods[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return mods


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def _imports(name: str) -> set[str]:
    """The tushuo modules ``name`` imports (``from .a import b`` counts as ``a.b`` when that is a module)."""
    path, is_pkg = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _reach(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def _under(prefix: str) -> list[str]:
    return sorted(m for m in MODULES if m == prefix or m.startswith(prefix + "."))


#: modules that read user files (specs, data, pictures, themes) or run the pipeline around them
FILE_READERS = {"tushuo.assets", "tushuo.data", "tushuo.loader", "tushuo.themes", "tushuo.templates",
                "tushuo.deps", "tushuo.batch", "tushuo.watch", "tushuo.cli", "tushuo.runspec", "tushuo.api",
                "tushuo.inputs", *_under("tushuo.loading")}
#: painters and encoders: they walk frames (tushuo.pipeline drives them and is not one)
PAINTERS = [m for m in _under("tushuo.paint") if m != "tushuo.paint"]


def test_the_graph_is_read_from_the_source():
    # a known edge each way, so an empty graph cannot pass the checks below
    assert "tushuo.frame" in GRAPH["tushuo.text.layout"]
    assert "tushuo.text.layout" in GRAPH["tushuo.layout.common"]
    assert "tushuo.runspec" in GRAPH["tushuo.watch"]  # a lazy import inside a function counts
    assert len(GRAPH) > 40


def test_no_import_cycle_anywhere_in_the_package():
    assert _cycles() == []


def test_cycle_finder_finds_a_cycle():
    GRAPH["tushuo.frame"].add("tushuo.color")
    GRAPH["tushuo.color"].add("tushuo.frame")
    try:
        assert ["tushuo.color", "tushuo.frame"] in _cycles()
    finally:
        GRAPH["tushuo.frame"].discard("tushuo.color")
        GRAPH["tushuo.color"].discard("tushuo.frame")


@pytest.mark.parametrize("module", ["tushuo.frame", "tushuo.color"])
def test_shared_ground_imports_no_other_tushuo_module(module):
    assert GRAPH[module] == set()


@pytest.mark.parametrize("module", _under("tushuo.text"))
def test_text_engine_imports_nothing_from_layout(module):
    assert not {m for m in _reach(module) if m.startswith("tushuo.layout")}




@pytest.mark.parametrize("module", PAINTERS)
def test_painters_import_no_loader_themes_templates_assets_or_data(module):
    assert _reach(module) & FILE_READERS == set()


@pytest.mark.parametrize("module", _under("tushuo.layout"))
def test_layout_imports_nothing_that_opens_files(module):
    assert _reach(module) & FILE_READERS == set()


@pytest.mark.parametrize("module", _under("tushuo.layout"))
def test_layout_imports_no_painter(module):
    """Layout makes frames; painters only walk them (a chart is frame ops, not a render call)."""
    assert not {m for m in _reach(module) if m.startswith("tushuo.paint")}
