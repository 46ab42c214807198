"""The shape of the code under src/: import circles, `type: ignore` comments, function lengths.

    .venv/bin/python -m bench.code_shape

The import graph counts every import statement that runs: module-level ones and those deferred
inside a function (a deferred import that only dodges a circle is still a circle). Imports under
`if TYPE_CHECKING:` never run and are left out: they only name types for annotations.
`from a import b` is an edge to the module `a.b` when there is one, else to `a`. Package
`__init__.py` files hold no imports here, so importing a submodule adds no hidden edge.
"""

from __future__ import annotations

import ast
import io
import statistics
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def modules(root: Path = SRC, within: str = "") -> dict[str, Path]:
    """Every module under root (or its folder `within`) by dotted name from root."""
    found = {}
    for path in sorted((root / within).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (n for child in node.orelse for n in _runtime_imports_of(child))
            continue
        yield from _runtime_imports_of(node)


def _runtime_imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _runtime_imports(node)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def import_graph(
    root: Path = SRC, within: str = "", *, also: Iterable[str] = ()
) -> dict[str, set[str]]:
    """Module → the modules under root (or its folder `within`) it imports when it runs.

    Imports of the modules named in `also` (from elsewhere) are kept too.
    """
    found = modules(root, within)
    known = set(found) | set(also)
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {
            target
            for node in _runtime_imports(tree)
            for target in _targets(node, package, known)
            if target in known and target != name
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group, as a path that returns to its start."""
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            found.append(_circle_through(min(group), graph, group))
    return sorted(found)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _circle_through(start: str, graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path start → … → start inside the group (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{start} is in a strongly connected group without a circle")


@dataclass(frozen=True)
class Ignore:
    """One `# type: ignore` comment: where, and the reason written after it (may be empty)."""

    path: Path
    line: int
    comment: str

    @property
    def reason(self) -> str:
        after = self.comment.split("type: ignore", 1)[1]
        if after.startswith("["):
            after = after.partition("]")[2]
        return after.strip(" #:-—")


def type_ignores(root: Path = SRC) -> list[Ignore]:
    """Every `type: ignore` comment under root (comments only, not strings)."""
    found = []
    for path in modules(root).values():
        source = io.StringIO(path.read_text(encoding="utf-8"))
        for token in tokenize.generate_tokens(source.readline):
            if token.type == tokenize.COMMENT and "type: ignore" in token.string:
                found.append(Ignore(path, token.start[0], token.string))
    return found


def function_lengths(root: Path = SRC) -> list[int]:
    """Lines from `def` to the last line of every function and method, nested ones included.

    Generated migrations are left out.
    """
    lengths = []
    for name, path in modules(root).items():
        if ".migrations" in name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lengths.append((node.end_lineno or node.lineno) - node.lineno + 1)
    return lengths


def main() -> None:
    circles = cycles(import_graph())
    print(f"import circles: {len(circles)}")
    for circle in circles:
        print("  " + " → ".join(circle))
    ignores = type_ignores()
    print(f"type: ignore: {len(ignores)}")
    for ignore in ignores:
        where = ignore.path.relative_to(SRC.parent)
        print(f"  {where}:{ignore.line}  {ignore.reason or '(no reason)'}")
    lengths = sorted(function_lengths())
    p90 = statistics.quantiles(lengths, n=10, method="inclusive")[-1]
    print(
        f"functions: {len(lengths)}, lines median {statistics.median(lengths):g}, "
        f"p90 {p90:g}, max {lengths[-1]}"
    )


if __name__ == "__main__":
    main()
