"""The package layout keeps the data flow readable: no import cycles, and each package imports
only the packages to its left (docs/ARCHITECTURE.md, "Who may import whom").

The import graph is read from the source with ``ast``; imports inside functions and under
``TYPE_CHECKING`` count too, because they tie modules together just the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "regiold"

# Left to right along the flow. A package may import packages of a lower rank and itself.
RANKS = {
    "errors": 0, "settings": 0,
    "rdf": 1,
    "ingest": 2,
    "validate": 3,
    "store": 4,
    "publish": 5,
    "sparql": 6,
    "web": 7,
    "serve": 8,
    "export": 9, "steward": 9,
    "": 10,  # regiold/__init__.py: create_app wires the read path together
    "cli": 11, "__main__": 12,
}
SHARED = {"errors", "settings"}  # used by all; they import nothing but each other


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the regiold modules it imports (``from pkg import module`` names the module)."""
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        targets.add(f"{source}.{alias.name}")
                    elif source in modules:
                        targets.add(source)
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node], _ = 2, stack.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def top_package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycle_in_regiold():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_every_package_imports_only_packages_to_its_left():
    wrong = []
    for module, targets in import_graph().items():
        own = top_package(module)
        assert own in RANKS, f"{module}: package {own!r} has no place in RANKS (and ARCHITECTURE.md)"
        for target in targets:
            other = top_package(target)
            if other == own or other in SHARED:
                continue
            if own in SHARED or RANKS[other] >= RANKS[own]:
                wrong.append(f"{module} → {target}")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
])
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected


def test_imports_inside_functions_are_read(tmp_path: Path):
    package = tmp_path / "regiold"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from regiold import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from .a import f\n")
    graph = import_graph(package)
    assert graph["regiold.a"] == {"regiold.b"} and graph["regiold.b"] == {"regiold.a"}
    assert find_cycle(graph) == ["regiold.a", "regiold.b", "regiold.a"]
