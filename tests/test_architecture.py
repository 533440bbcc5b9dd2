"""The import graph of `bedrock_cli`, read from the source (AST): the emulator stands on its own
and nothing imports in a circle.

Every import counts — module level and inside functions (a deferred import is still a
dependency) — except those under `if TYPE_CHECKING:`, which never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bedrock_cli"

#: Module-level edges known to close a circle, each with the change that removes it.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, outside `if TYPE_CHECKING:` bodies."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _type_checking(node):
            for other in node.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _imports(node)


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom,
             modules: dict[str, Path]) -> Iterator[str]:
    """The project modules one import statement loads (`from pkg import sub` names `pkg.sub`)."""
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([node.module] if node.module else [])])
        candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                      for alias in node.names]
    for target in candidates:
        while target and target not in modules:  # `import a.b.c` of a name inside a.b
            target = target.rpartition(".")[0]
        if target.startswith("bedrock_cli") and target != name:
            yield target


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = {t for node in _imports(tree) for t in _targets(name, path, node, modules)}
    return graph


def _unit(module: str) -> str:
    """The top-level package or module under `bedrock_cli` that a module belongs to."""
    return ".".join(module.split(".")[:2])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph as a path `[a, b, ..., a]`, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_deferred_imports_and_skips_type_checking_ones(
        graph: dict[str, set[str]]) -> None:
    # tasks/documents.py imports the PDF extractor inside a method, and only names
    # `Document`-like types under TYPE_CHECKING elsewhere; both must be read right
    assert "bedrock_cli.inputs.pdf_text" in graph["bedrock_cli.tasks.documents"]
    assert "bedrock_cli.catalog" not in graph["bedrock_cli.tasks.caching"]  # TYPE_CHECKING only
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_emulator_imports_nothing_from_the_client_side(graph: dict[str, set[str]]) -> None:
    client_side = ("bedrock_cli.tasks", "bedrock_cli.batch", "bedrock_cli.cli")
    leaks = sorted(f"{module} imports {target}" for module, targets in graph.items()
                   if _unit(module) == "bedrock_cli.local"
                   for target in targets if _unit(target) in client_side)
    assert leaks == []


def test_no_circle_between_top_level_packages_and_modules(graph: dict[str, set[str]]) -> None:
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        units.setdefault(_unit(module), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(module))
    cycle = find_cycle(units)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_circle_between_modules(graph: dict[str, set[str]]) -> None:
    pruned = {module: {t for t in targets if (module, t) not in KNOWN_CYCLE_EDGES}
              for module, targets in graph.items()}
    cycle = find_cycle(pruned)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])
    for (source, target), why in KNOWN_CYCLE_EDGES.items():  # an exception that still applies
        assert target in graph[source], f"{source} -> {target} is gone ({why}): drop it here"


def test_what_both_sides_share_sits_below_both(graph: dict[str, set[str]]) -> None:
    shared = ("bedrock_cli.text", "bedrock_cli.storage", "bedrock_cli.jsonl", "bedrock_cli.inputs",
              "bedrock_cli.types")
    above = ("bedrock_cli.tasks", "bedrock_cli.batch", "bedrock_cli.cli", "bedrock_cli.local")
    leaks = sorted(f"{module} imports {target}" for module, targets in graph.items()
                   if _unit(module) in shared for target in targets if _unit(target) in above)
    assert leaks == []
